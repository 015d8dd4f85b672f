// SPDX-License-Identifier: AGPL-3.0-or-later
// One GraphQL call to DS over real HTTP (the host's client) to a MockHttpServer on
// 127.0.0.1, and what each kind of answer means.

#include "graphql_client.h"

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "relais/sdk/host.h"

#include "support/mock_http_server.h"
#include "support/test_host.h"
#include "test_json.h"

namespace relais::adapters::ds {
namespace {

using relais::test::MockHttpServer;
using sdk::ErrorCode;
using sdk::Json;

constexpr const char* kToken = "ds-token-Zq81-not-to-be-logged";
constexpr const char* kQuery = "query Hello($n: Int!) { demarche(number: $n) { number } }";

class GraphqlClientTest : public ::testing::Test {
protected:
    GraphqlClientTest() : host_(services_.host("ds-ville")) {}

    sdk::Result<Json> call(relais::test::MockResponse answer) {
        server_.setHandler([answer](const relais::test::ReceivedRequest&) { return answer; });
        Json variables = Json::object();
        variables.set("n", 4242);
        return executeGraphql(host_->http(), {server_.url("/api/v2/graphql"), 5'000, {}}, kToken,
                              kQuery, variables, sdk::Timestamp::fromUnixSeconds(1'800'000'000));
    }

    relais::test::TestServices services_;
    std::unique_ptr<sdk::Host> host_;
    MockHttpServer server_;
};

TEST(OperationName, IsTheNameAfterTheKeyword) {
    EXPECT_EQ(operationNameOf("query DossiersPage($a: Int!) { x }"), "DossiersPage");
    EXPECT_EQ(operationNameOf("\n  mutation dossierAccepter($input: X) { y }"), "dossierAccepter");
    EXPECT_EQ(operationNameOf("query { x }"), "");
    EXPECT_EQ(operationNameOf("{ x }"), "");
}

TEST_F(GraphqlClientTest, PostsTheDocumentVariablesAndOperationNameWithTheBearerToken) {
    auto data = call({200, "application/json", R"({"data":{"demarche":{"number":4242}}})", {}});
    ASSERT_TRUE(data) << data.error().message;
    EXPECT_EQ(*data, *Json::parse(R"({"demarche":{"number":4242}})"));
    const auto requests = server_.requests();
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0].method, "POST");
    EXPECT_EQ(requests[0].uri, "/api/v2/graphql");
    EXPECT_EQ(requests[0].header("Authorization"), std::string("Bearer ") + kToken);
    EXPECT_EQ(requests[0].header("Content-Type"), "application/json");
    EXPECT_EQ(*Json::parse(requests[0].body),
              *Json::parse(std::string(R"({"query":")") + kQuery +
                           R"(","variables":{"n":4242},"operationName":"Hello"})"));
}

TEST_F(GraphqlClientTest, ARefusedTokenIsPermanentAndNamesTheToken) {
    for (const int status : {401, 403}) {
        auto data =
            call({status, "application/json", R"({"errors":[{"message":"Unauthorized"}]})", {}});
        ASSERT_FALSE(data);
        EXPECT_EQ(data.error().code, ErrorCode::Permanent);
        EXPECT_EQ(data.error().field, "token");
        EXPECT_NE(data.error().message.find("token"), std::string::npos);
        EXPECT_EQ(data.error().message.find(kToken), std::string::npos);
    }
}

TEST_F(GraphqlClientTest, ARateLimitIsRetryableAfterWhatDsSaid) {
    auto data = call({429, "text/plain", "Too many requests", {{"Retry-After", "120"}}});
    ASSERT_FALSE(data);
    EXPECT_EQ(data.error().code, ErrorCode::Retryable);
    EXPECT_EQ(data.error().retry_after_seconds, 120);
}

TEST_F(GraphqlClientTest, AServerErrorIsRetryable) {
    auto data = call({502, "text/html", "<html>Bad gateway</html>", {}});
    ASSERT_FALSE(data);
    EXPECT_EQ(data.error().code, ErrorCode::Retryable);
    EXPECT_NE(data.error().message.find("502"), std::string::npos);
}

TEST_F(GraphqlClientTest, GraphqlErrorsCarryDsMessages) {
    auto data = call({200,
                      "application/json",
                      R"({"data":null,"errors":[{"message":"Demarche not found"},
                          {"message":"second"}]})",
                      {}});
    ASSERT_FALSE(data);
    EXPECT_EQ(data.error().code, ErrorCode::Permanent);
    EXPECT_EQ(data.error().field, "errors");
    EXPECT_NE(data.error().message.find("Demarche not found; second"), std::string::npos)
        << data.error().message;
}

TEST_F(GraphqlClientTest, AGraphqlTimeoutIsRetryable) {
    auto data = call({200,
                      "application/json",
                      R"({"errors":[{"message":"Timeout","extensions":{"code":"timeout"}}]})",
                      {}});
    ASSERT_FALSE(data);
    EXPECT_EQ(data.error().code, ErrorCode::Retryable);
}

TEST_F(GraphqlClientTest, AnAnswerThatIsNotJsonIsPermanent) {
    auto data = call({200, "text/html", "<html>maintenance</html>", {}});
    ASSERT_FALSE(data);
    EXPECT_EQ(data.error().code, ErrorCode::Permanent);
}

TEST_F(GraphqlClientTest, AnUnreachableEndpointIsUnavailable) {
    std::string url;
    {
        MockHttpServer gone;
        url = gone.url("/api/v2/graphql");
    }
    auto data = executeGraphql(host_->http(), {url, 5'000, {}}, kToken, kQuery, Json::object(),
                               sdk::Timestamp::fromUnixSeconds(1'800'000'000));
    ASSERT_FALSE(data);
    EXPECT_EQ(data.error().code, ErrorCode::Unavailable);
}

}  // namespace
}  // namespace relais::adapters::ds
