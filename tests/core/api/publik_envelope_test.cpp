// SPDX-License-Identifier: AGPL-3.0-or-later
#include "api/publik_envelope.h"

#include <string>

#include <gtest/gtest.h>

#include "relais/sdk/result.h"

namespace relais::api {
namespace {

sdk::Json bodyOf(const http::Response& response) {
    auto parsed = sdk::Json::parse(response.body);
    EXPECT_TRUE(parsed.ok()) << response.body;
    return parsed ? std::move(parsed).value() : sdk::Json();
}

std::string headerOf(const http::Response& response, const std::string& name) {
    for (const auto& [key, value] : response.headers) {
        if (key == name) return value;
    }
    return {};
}

TEST(PublikEnvelopeTest, ASuccessCarriesRelaisAnswerUnderDataWithTheSameStatus) {
    sdk::Json answer = sdk::Json::object();
    answer.set("id", "d-1");
    answer.set("status_url", "/v1/dossiers/d-1");
    const http::Response enveloped = publikEnvelope(http::jsonResponse(202, answer));
    EXPECT_EQ(enveloped.status, 202);
    EXPECT_EQ(enveloped.content_type, "application/json");
    const sdk::Json body = bodyOf(enveloped);
    EXPECT_EQ(body.find("err")->asInt(), 0);
    EXPECT_EQ(body.path("data.id")->asString(), "d-1");
    EXPECT_EQ(body.path("data.status_url")->asString(), "/v1/dossiers/d-1");
    EXPECT_EQ(body.find("id")->asString(), "d-1");  // where relais's plain answer had it
    EXPECT_EQ(headerOf(enveloped, "x-error-code"), "");
}

TEST(PublikEnvelopeTest, AProblemBecomesErrOneNamingTheFieldWithItsStatusAndCode) {
    const http::Response enveloped =
        publikEnvelope(http::problem(400, "Bad Request", "the body lacks a member", "id"));
    EXPECT_EQ(enveloped.status, 400);
    EXPECT_EQ(enveloped.content_type, "application/json");
    EXPECT_EQ(headerOf(enveloped, "x-error-code"), "bad-request");
    const sdk::Json body = bodyOf(enveloped);
    EXPECT_EQ(body.find("err")->asInt(), 1);
    EXPECT_EQ(body.find("err_class")->asString(), "Bad Request");
    EXPECT_EQ(body.find("err_code")->asString(), "bad-request");
    EXPECT_EQ(body.find("err_desc")->asString(), "the body lacks a member (field 'id')");
    EXPECT_EQ(body.path("data.field")->asString(), "id");
    EXPECT_EQ(body.path("data.status")->asInt(), 400);
}

TEST(PublikEnvelopeTest, ADetailThatNamesTheFieldIsKeptAsItIs) {
    const http::Response enveloped =
        publikEnvelope(http::problem(400, "Bad Request", "'id' is missing", "id"));
    EXPECT_EQ(bodyOf(enveloped).find("err_desc")->asString(), "'id' is missing");
}

TEST(PublikEnvelopeTest, AnErrorKeepsItsHeaders) {
    const http::Response enveloped =
        publikEnvelope(http::problemFromError(sdk::fail(sdk::ErrorCode::Unauthorized, "bad")));
    EXPECT_EQ(enveloped.status, 401);
    EXPECT_EQ(headerOf(enveloped, "WWW-Authenticate"), "Bearer realm=\"relais\"");
    EXPECT_EQ(headerOf(enveloped, "x-error-code"), "unauthorized");
    EXPECT_EQ(bodyOf(enveloped).find("err_class")->asString(), "Unauthorized");
}

TEST(PublikEnvelopeTest, ABodyThatIsNotJsonTravelsAsText) {
    http::Response plain;
    plain.status = 200;
    plain.content_type = "text/plain";
    plain.body = "BO-42";
    EXPECT_EQ(bodyOf(publikEnvelope(plain)).find("data")->asString(), "BO-42");
    http::Response failed;
    failed.status = 502;
    failed.content_type = "text/html";
    failed.body = "<html>down</html>";
    const sdk::Json error = bodyOf(publikEnvelope(failed));
    EXPECT_EQ(error.find("err")->asInt(), 1);
    EXPECT_EQ(error.find("err_desc")->asString(), "<html>down</html>");
    EXPECT_EQ(error.find("err_class")->asString(), "HTTP 502");
}

}  // namespace
}  // namespace relais::api
