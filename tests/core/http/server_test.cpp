// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/http/server.h"

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <Poco/Exception.h>
#include <gtest/gtest.h>

#include "relais/common/strings.h"

#include "server_fixture.h"
#include "support/http_call.h"
#include "support/raw_http.h"

namespace relais::http::test {
namespace {

using namespace std::chrono_literals;
using relais::test::bearer;
using relais::test::httpCall;
using relais::test::RawConnection;
using relais::test::rawExchange;
using Clock = std::chrono::steady_clock;

sdk::Json parseBody(const std::string& body) {
    auto parsed = sdk::Json::parse(body);
    EXPECT_TRUE(parsed.ok()) << body;
    return parsed ? std::move(parsed).value() : sdk::Json();
}

// A problem document as RFC 9457 and request.h describe it.
void expectProblem(const relais::test::HttpResult& result, int status) {
    EXPECT_EQ(result.status, status);
    EXPECT_EQ(result.content_type, "application/problem+json");
    const auto doc = result.json();
    ASSERT_TRUE(doc.isObject()) << result.body;
    ASSERT_NE(doc.find("type"), nullptr);
    EXPECT_EQ(doc.find("type")->asString().rfind("urn:relais:problem:", 0), 0u);
    ASSERT_NE(doc.find("title"), nullptr);
    EXPECT_FALSE(doc.find("title")->asString().empty());
    ASSERT_NE(doc.find("status"), nullptr);
    EXPECT_EQ(doc.find("status")->asInt(), status);
    ASSERT_NE(doc.find("detail"), nullptr);
    EXPECT_FALSE(doc.find("detail")->asString().empty());
    ASSERT_NE(doc.find("instance"), nullptr);
    EXPECT_EQ(doc.find("instance")->asString(), result.header("X-Request-Id"));
}

std::string detailOf(const std::string& body) {
    const auto doc = parseBody(body);
    return doc.find("detail") != nullptr ? doc.find("detail")->asString() : std::string();
}

class ServerTest : public ServerFixture {};

TEST_F(ServerTest, BindsAnEphemeralPortAndServesAPublicRoute) {
    start();
    EXPECT_NE(port_, 0);
    const auto result = httpCall(port_, "GET", "/healthz");
    EXPECT_EQ(result.status, 200);
    EXPECT_EQ(result.content_type, "application/json");
    EXPECT_EQ(result.json().find("status")->asString(), "ok");
    EXPECT_EQ(result.header("X-Request-Id").size(), 36u);  // generated UUID
    EXPECT_EQ(result.header("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(result.header("Cache-Control"), "no-store");
    EXPECT_EQ(result.header("Server"), "");
}

TEST_F(ServerTest, ServesAnAuthenticatedRouteWithDecodedParamsAndQuery) {
    start();
    const auto result =
        httpCall(port_, "GET", "/v1/dossiers/a%20b%2Fc?x=1%2B1&y=", {bearer("portal-key")});
    ASSERT_EQ(result.status, 200) << result.body;
    const auto doc = result.json();
    EXPECT_EQ(doc.find("id")->asString(), "a b/c");
    EXPECT_EQ(doc.find("x")->asString(), "1+1");
    EXPECT_EQ(doc.find("path")->asString(), "/v1/dossiers/a b/c");
    EXPECT_EQ(doc.find("raw_query")->asString(), "x=1%2B1&y=");
    EXPECT_EQ(doc.find("client")->asString(), "portal");
}

TEST_F(ServerTest, EchoesASanitisedClientRequestId) {
    start();
    auto result = httpCall(port_, "GET", "/healthz", {{"X-Request-Id", "req-42.a_b:c"}});
    EXPECT_EQ(result.header("X-Request-Id"), "req-42.a_b:c");
    result = httpCall(port_, "GET", "/healthz", {{"X-Request-Id", "ab c\"<script>"}});
    EXPECT_EQ(result.header("X-Request-Id"), "abcscript");
    result = httpCall(port_, "GET", "/healthz", {{"X-Request-Id", std::string(300, 'x')}});
    EXPECT_EQ(result.header("X-Request-Id"), std::string(128, 'x'));
}

TEST_F(ServerTest, RefusesAMissingKeyWith401Problem) {
    start();
    const auto result = httpCall(port_, "GET", "/v1/dossiers/1");
    expectProblem(result, 401);
    EXPECT_EQ(result.json().find("type")->asString(), "urn:relais:problem:unauthorized");
    EXPECT_EQ(result.json().find("title")->asString(), "Unauthorized");
    EXPECT_EQ(result.header("WWW-Authenticate"), "Bearer realm=\"relais\"");
}

TEST_F(ServerTest, RefusesAWrongKeyWith401InvalidToken) {
    start();
    for (const auto& value : {"Bearer nope", "Basic cG9ydGFsLWtleQ==", "portal-key"}) {
        const auto result = httpCall(port_, "GET", "/v1/dossiers/1", {{"Authorization", value}});
        expectProblem(result, 401);
        EXPECT_EQ(result.header("WWW-Authenticate"),
                  "Bearer realm=\"relais\", error=\"invalid_token\"");
        EXPECT_EQ(result.body.find("portal-key"), std::string::npos);
    }
}

TEST_F(ServerTest, ARoutesRefusalShaperRewritesItsRefusalsButNotItsAnswers) {
    router_.setRefusalShaper("dossier_get", [](const Request& request, Response& answer) {
        answer.content_type = "text/plain";
        answer.body = "shaped " + std::to_string(answer.status) + " for " + request.param("id");
    });
    start();
    const auto refused = httpCall(port_, "GET", "/v1/dossiers/7");
    EXPECT_EQ(refused.status, 401);
    EXPECT_EQ(refused.content_type, "text/plain");
    EXPECT_EQ(refused.body, "shaped 401 for 7");
    EXPECT_EQ(refused.header("WWW-Authenticate"), "Bearer realm=\"relais\"");
    const auto served = httpCall(port_, "GET", "/v1/dossiers/7", {bearer("portal-key")});
    EXPECT_EQ(served.status, 200);
    EXPECT_EQ(served.json().find("id")->asString(), "7");
    // Other routes keep their problem documents.
    expectProblem(httpCall(port_, "POST", "/v1/echo", {}, "x"), 401);
}

TEST_F(ServerTest, RefusesAClientOutsideItsRightsWith403NamingTheRight) {
    start();
    const auto result = httpCall(port_, "GET", "/v1/jobs/dead", {bearer("portal-key")});
    expectProblem(result, 403);
    EXPECT_NE(detailOf(result.body).find("jobs:admin"), std::string::npos) << result.body;
    EXPECT_NE(detailOf(result.body).find("portal"), std::string::npos) << result.body;
}

TEST_F(ServerTest, AdminKeyReachesOperatorRoutesButNotDataRoutes) {
    start();
    EXPECT_EQ(httpCall(port_, "GET", "/v1/jobs/dead", {bearer("ops-key")}).status, 200);
    EXPECT_EQ(httpCall(port_, "GET", "/v1/dossiers/1", {bearer("ops-key")}).status, 403);
}

TEST_F(ServerTest, UnknownPathIs404Problem) {
    start();
    const auto result = httpCall(port_, "GET", "/v1/nothing-here", {bearer("portal-key")});
    expectProblem(result, 404);
}

TEST_F(ServerTest, WrongMethodIs405WithAllow) {
    start();
    const auto result = httpCall(port_, "DELETE", "/v1/dossiers/1", {bearer("portal-key")});
    expectProblem(result, 405);
    EXPECT_EQ(result.header("Allow"), "GET");
    EXPECT_NE(detailOf(result.body).find("DELETE"), std::string::npos);
}

TEST_F(ServerTest, AddsTheRequestIdToHandlerProblems) {
    start();
    const auto result = httpCall(port_, "GET", "/v1/missing", {{"X-Request-Id", "r-1"}});
    expectProblem(result, 404);
    EXPECT_EQ(result.json().find("instance")->asString(), "r-1");
    EXPECT_EQ(result.json().find("field")->asString(), "id");
}

TEST_F(ServerTest, RefusesUnsafePathsAndMalformedQueriesWith400) {
    start();
    for (const auto* target : {"/v1/dossiers/..", "/v1/dossiers/%2e%2E", "/v1/%2e%2e/dossiers/1",
                               "/v1/dossiers/a%00b", "/v1/dossiers/a%zz"}) {
        const auto result = rawExchange(
            port_, std::string("GET ") + target +
                       " HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer portal-key\r\n\r\n");
        EXPECT_EQ(result.status, 400) << target;
        EXPECT_NE(result.header("X-Request-Id"), "") << target;
    }
    const auto result = httpCall(port_, "GET", "/v1/dossiers/1?ok=1&x=%zz", {bearer("portal-key")});
    expectProblem(result, 400);
    EXPECT_EQ(result.json().find("field")->asString(), "x");
}

TEST_F(ServerTest, AcceptsABodyWithinTheLimit) {
    start();
    const std::string body(1024, 'b');
    const auto result = httpCall(port_, "POST", "/v1/echo", {bearer("portal-key")}, body);
    EXPECT_EQ(result.status, 200);
    EXPECT_EQ(result.body, body);
}

TEST_F(ServerTest, RefusesAnOversizedContentLengthWithoutWaitingForTheBody) {
    start();  // request timeout 30 s: waiting for the body would miss the 5 s deadline
    RawConnection connection(port_);
    connection.send(
        "POST /v1/echo HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer portal-key\r\n"
        "Content-Type: text/plain\r\nContent-Length: 1000000000\r\n\r\n");
    const auto started = Clock::now();
    const auto result = connection.readResponse(5s);
    EXPECT_LT(Clock::now() - started, 5s);
    EXPECT_EQ(result.status, 413);
    EXPECT_EQ(result.header("Content-Type"), "application/problem+json");
    EXPECT_NE(detailOf(result.body).find("1024"), std::string::npos) << result.body;
    EXPECT_TRUE(result.connection_closed);
}

TEST_F(ServerTest, DoesNotSendContinueForABodyItRefuses) {
    start();
    RawConnection connection(port_);
    connection.send(
        "POST /v1/echo HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer portal-key\r\n"
        "Content-Length: 5000\r\nExpect: 100-continue\r\n\r\n");
    EXPECT_EQ(connection.readResponse(5s).status, 413);
}

TEST_F(ServerTest, SendsContinueThenReadsAnAcceptedBody) {
    start();
    RawConnection connection(port_);
    connection.send(
        "POST /v1/echo HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer portal-key\r\n"
        "Content-Length: 5\r\nExpect: 100-continue\r\n\r\n");
    EXPECT_EQ(connection.readResponse(5s).status, 100);
    connection.send("hello");
    const auto result = connection.readResponse(5s);
    EXPECT_EQ(result.status, 200);
    EXPECT_EQ(result.body, "hello");
}

TEST_F(ServerTest, UsesTheRouteLimitWhenItHasOne) {
    start();
    auto result =
        httpCall(port_, "POST", "/v1/big", {bearer("portal-key")}, std::string(3000, 'x'));
    EXPECT_EQ(result.status, 200);
    EXPECT_EQ(result.json().find("size")->asInt(), 3000);
    result = httpCall(port_, "POST", "/v1/big", {bearer("portal-key")}, std::string(5000, 'x'));
    expectProblem(result, 413);
}

TEST_F(ServerTest, ReadsAChunkedBodyWithinTheLimit) {
    start();
    RawConnection connection(port_);
    connection.send(
        "POST /v1/echo HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer portal-key\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
        "5\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\n\r\n");
    const auto result = connection.readResponse(5s);
    EXPECT_EQ(result.status, 200);
    EXPECT_EQ(result.body, "hello world");
}

TEST_F(ServerTest, AcceptsChunkExtensionsAndTrailersAndKeepsAPipelinedRequestIntact) {
    start();
    RawConnection connection(port_);
    // Two requests in one write: the chunked reader must stop exactly at the end of the
    // first body.
    connection.send(
        "POST /v1/echo HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer portal-key\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
        "3;name=value\r\nabc\r\nA\r\n0123456789\r\n0\r\nX-Checksum: 1\r\n\r\n"
        "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
    auto result = connection.readResponse(5s);
    EXPECT_EQ(result.status, 200);
    EXPECT_EQ(result.body, "abc0123456789");
    result = connection.readResponse(5s);
    EXPECT_EQ(result.status, 200);
    EXPECT_NE(result.body.find("ok"), std::string::npos);
}

TEST_F(ServerTest, RefusesAChunkLongerThanItsSize) {
    start();
    const auto result =
        rawExchange(port_,
                    "POST /v1/echo HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer portal-key\r\n"
                    "Transfer-Encoding: chunked\r\n\r\n3\r\nabcdef\r\n0\r\n\r\n");
    EXPECT_EQ(result.status, 400);
    EXPECT_TRUE(result.connection_closed);
}

TEST_F(ServerTest, RefusesAnOversizedChunkedBody) {
    start();
    std::string request =
        "POST /v1/echo HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer portal-key\r\n"
        "Transfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 8; ++i) request += "200\r\n" + std::string(512, 'c') + "\r\n";
    request += "0\r\n\r\n";
    const auto result = rawExchange(port_, request, 5s);
    EXPECT_EQ(result.status, 413);
    EXPECT_NE(detailOf(result.body).find("1024"), std::string::npos) << result.body;
    EXPECT_TRUE(result.connection_closed);
}

TEST_F(ServerTest, RefusesABodyShorterThanItsContentLength) {
    start();
    RawConnection connection(port_);
    connection.send(
        "POST /v1/echo HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer portal-key\r\n"
        "Content-Length: 100\r\n\r\n0123456789");
    connection.shutdownSend();
    const auto result = connection.readResponse(5s);
    EXPECT_EQ(result.status, 400);
    EXPECT_NE(detailOf(result.body).find("10 of the 100"), std::string::npos) << result.body;
}

TEST_F(ServerTest, RefusesATruncatedChunkedBody) {
    start();
    RawConnection connection(port_);
    connection.send(
        "POST /v1/echo HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer portal-key\r\n"
        "Transfer-Encoding: chunked\r\n\r\n64\r\n0123456789");
    connection.shutdownSend();
    const auto result = connection.readResponse(5s);
    EXPECT_EQ(result.status, 400);
    EXPECT_TRUE(result.connection_closed);
}

TEST_F(ServerTest, RefusesAMalformedChunkedBody) {
    start();
    const auto result =
        rawExchange(port_,
                    "POST /v1/echo HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer portal-key\r\n"
                    "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n");
    EXPECT_EQ(result.status, 400);
}

TEST_F(ServerTest, RefusesAChunkSizeHoldingA0xFFByte) {
    // Found by the chunked_body fuzzer: Poco 1.11 reads 0xFF as end-of-file, and `1\xFF0`
    // was taken for `10` (a body framed differently from a strict front end).
    start();
    const std::string head =
        "POST /v1/echo HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer portal-key\r\n"
        "Transfer-Encoding: chunked\r\n\r\n";
    auto result = rawExchange(port_, head +
                                         "1\xFF"
                                         "0\r\n0123456789abcdef\r\n0\r\n\r\n");
    EXPECT_EQ(result.status, 400) << result.body;
    result = rawExchange(port_, head + "3\r\nabc\xFF\r\n0\r\n\r\n");
    EXPECT_EQ(result.status, 400) << result.body;
    // A 0xFF byte inside the data is data.
    result = rawExchange(port_, head +
                                    "3\r\na\xFF"
                                    "c\r\n0\r\n\r\n");
    ASSERT_EQ(result.status, 200) << result.body;
    EXPECT_EQ(result.body,
              "a\xFF"
              "c");
}

TEST_F(ServerTest, RefusesAmbiguousFraming) {
    start();
    const std::string head =
        "POST /v1/echo HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer portal-key\r\n";
    auto result = rawExchange(port_, head +
                                         "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                                         "0\r\n\r\n");
    EXPECT_EQ(result.status, 400);
    EXPECT_TRUE(result.connection_closed);
    result = rawExchange(port_, head + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!");
    EXPECT_EQ(result.status, 400);
    result = rawExchange(port_, head + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n");
    EXPECT_EQ(result.status, 501);
    result = rawExchange(
        port_, head + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    EXPECT_EQ(result.status, 400);
    result = rawExchange(port_, head + "Content-Length: -5\r\n\r\n");
    EXPECT_EQ(result.status, 400);
}

TEST_F(ServerTest, ClosesTheConnectionRatherThanParsingAnUnreadBody) {
    start();
    // The body of a refused request holds another request: it must never be served.
    const std::string smuggled = "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";
    RawConnection connection(port_);
    connection.send("POST /nope HTTP/1.1\r\nHost: t\r\nContent-Length: " +
                    std::to_string(smuggled.size()) + "\r\n\r\n" + smuggled);
    const auto result = connection.readResponse(5s);
    EXPECT_EQ(result.status, 404);
    EXPECT_TRUE(result.connection_closed);
}

TEST_F(ServerTest, RefusesTooManyHeaderFieldsWith431Problem) {
    start();  // at most 20 fields
    std::string request = "GET /healthz HTTP/1.1\r\nHost: t\r\n";
    for (int i = 0; i < 25; ++i) request += "X-Filler-" + std::to_string(i) + ": x\r\n";
    const auto result = rawExchange(port_, request + "\r\n");
    EXPECT_EQ(result.status, 431);
    EXPECT_EQ(result.header("Content-Type"), "application/problem+json");
    EXPECT_NE(detailOf(result.body).find("26"), std::string::npos) << result.body;
    EXPECT_NE(result.header("X-Request-Id"), "");
}

/// What Poco's own parser refuses, before any handler exists, still gets a problem
/// document with a request id, is counted and has an access-log line.
void expectHeadRefused(const relais::test::RawResponse& result, int status,
                       std::string_view detail) {
    EXPECT_EQ(result.status, status) << result.body;
    EXPECT_EQ(result.header("Content-Type"), "application/problem+json");
    EXPECT_NE(detailOf(result.body).find(detail), std::string::npos) << result.body;
    const auto request_id = result.header("X-Request-Id");
    EXPECT_NE(request_id, "");
    EXPECT_NE(result.body.find(request_id), std::string::npos) << "instance: " << result.body;
    EXPECT_TRUE(result.connection_closed);
}

TEST_F(ServerTest, AnswersAHeaderFloodWithAProblemInsteadOfDroppingTheConnection) {
    start();
    // Beyond Poco's own parse limit (100 fields): refused before our handler runs.
    std::string request = "GET /healthz HTTP/1.1\r\nHost: t\r\n";
    for (int i = 0; i < 150; ++i) request += "X-Filler-" + std::to_string(i) + ": x\r\n";
    expectHeadRefused(rawExchange(port_, request + "\r\n"), 431, "at most 100 fields");
    // And the server is still there.
    EXPECT_EQ(httpCall(port_, "GET", "/healthz").status, 200);
    stop();
    EXPECT_NE(metrics_.render().find(
                  R"(relais_http_requests_total{route="unmatched",method="other",code="431"} 1)"),
              std::string::npos)
        << metrics_.render();
    bool logged = false;
    for (const auto& line : logLines("http.access")) {
        logged = logged || line.find("status")->asString() == "431";
    }
    EXPECT_TRUE(logged) << logText();
}

TEST_F(ServerTest, AnswersOverlongHeaderValuesTargetsAndBrokenRequestLinesWithProblems) {
    start();
    expectHeadRefused(rawExchange(port_, "GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: " +
                                             std::string(9000, 'a') + "\r\n\r\n"),
                      431, "8 KiB");
    expectHeadRefused(rawExchange(port_, "GET /" + std::string(20000, 'a') + " HTTP/1.1\r\n\r\n"),
                      414, "16 KiB");
    expectHeadRefused(rawExchange(port_, "GET /healthz HTTP/1.1-and-much-more\r\n\r\n"), 400,
                      "malformed");
}

TEST_F(ServerTest, TurnsAHandlerExceptionInto500WithoutInternals) {
    start();
    const auto result =
        httpCall(port_, "GET", "/v1/boom", {bearer("portal-key"), {"X-Request-Id", "boom-1"}});
    expectProblem(result, 500);
    EXPECT_EQ(result.body.find("hunter2"), std::string::npos) << result.body;
    EXPECT_EQ(result.body.find("/var/lib"), std::string::npos) << result.body;
    stop();
    const auto errors = logLines("http");
    ASSERT_EQ(errors.size(), 1u) << logText();
    EXPECT_EQ(errors[0].find("level")->asString(), "error");
    EXPECT_EQ(errors[0].find("request_id")->asString(), "boom-1");
    EXPECT_EQ(errors[0].find("route")->asString(), "boom");
    EXPECT_NE(errors[0].find("error")->asString().find("hunter2"), std::string::npos);
}

TEST_F(ServerTest, KeepsTheConnectionAliveAcrossRequests) {
    start();
    RawConnection connection(port_);
    connection.send("GET /v1/nocontent HTTP/1.1\r\nHost: t\r\n\r\n");
    auto result = connection.readResponse(5s);
    EXPECT_EQ(result.status, 204);
    EXPECT_EQ(result.header("Content-Length"), "");
    EXPECT_FALSE(result.connection_closed);
    connection.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
    result = connection.readResponse(5s);
    EXPECT_EQ(result.status, 200);
    EXPECT_FALSE(result.connection_closed);
}

TEST_F(ServerTest, AnswersPipelinedRequestsInOrderOnOneConnection) {
    start();
    RawConnection connection(port_);
    // Three requests in one write: each is answered after the one before, in order.
    connection.send(
        "GET /v1/nocontent HTTP/1.1\r\nHost: t\r\n\r\n"
        "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"
        "GET /nope HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_EQ(connection.readResponse(5s).status, 204);
    EXPECT_EQ(connection.readResponse(5s).status, 200);
    const auto last = connection.readResponse(5s);
    EXPECT_EQ(last.status, 404);
    EXPECT_FALSE(last.connection_closed);
}

TEST_F(ServerTest, ServesFromSeveralEventLoops) {
    auto limits = testLimits();
    limits.io_threads = 3;
    start(limits);
    // Connections are spread over the loops in turn: each loop serves some of these.
    std::vector<std::unique_ptr<RawConnection>> connections;
    for (int i = 0; i < 6; ++i) connections.push_back(std::make_unique<RawConnection>(port_));
    for (int round = 0; round < 2; ++round) {
        for (auto& connection : connections) {
            connection->send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
        }
        for (auto& connection : connections) {
            const auto result = connection->readResponse(5s);
            EXPECT_EQ(result.status, 200);
            EXPECT_FALSE(result.connection_closed);
        }
    }
    EXPECT_EQ(httpCall(port_, "POST", "/v1/echo", {bearer("portal-key")}, "hello").body, "hello");
    stop();
}

TEST_F(ServerTest, DropsUnsafeOrFramingHeadersFromHandlers) {
    start();
    const auto result = httpCall(port_, "GET", "/v1/headers");
    EXPECT_EQ(result.status, 200);
    EXPECT_EQ(result.body, "{}");
    EXPECT_EQ(result.header("X-Ok"), "1");
    EXPECT_EQ(result.header("X-Bad"), "");
    EXPECT_EQ(result.header("Set-Cookie"), "");
    EXPECT_EQ(result.header("Content-Length"), "2");
    EXPECT_EQ(result.header("Cache-Control"), "max-age=60");
}

TEST_F(ServerTest, CountsRequestsByRouteMethodAndCode) {
    start();
    EXPECT_EQ(httpCall(port_, "GET", "/v1/dossiers/1", {bearer("portal-key")}).status, 200);
    EXPECT_EQ(httpCall(port_, "GET", "/v1/dossiers/2", {bearer("portal-key")}).status, 200);
    EXPECT_EQ(httpCall(port_, "GET", "/v1/dossiers/3").status, 401);
    EXPECT_EQ(httpCall(port_, "GET", "/nope").status, 404);
    EXPECT_EQ(rawExchange(port_, "BREW /nope HTTP/1.1\r\nHost: t\r\n\r\n").status, 404);
    stop();
    const auto text = metrics_.render();
    EXPECT_NE(
        text.find(
            "relais_http_requests_total{route=\"dossier_get\",method=\"GET\",code=\"200\"} 2\n"),
        std::string::npos)
        << text;
    EXPECT_NE(
        text.find(
            "relais_http_requests_total{route=\"dossier_get\",method=\"GET\",code=\"401\"} 1\n"),
        std::string::npos)
        << text;
    EXPECT_NE(
        text.find(
            "relais_http_requests_total{route=\"unmatched\",method=\"GET\",code=\"404\"} 1\n"),
        std::string::npos)
        << text;
    EXPECT_NE(
        text.find(
            "relais_http_requests_total{route=\"unmatched\",method=\"other\",code=\"404\"} 1\n"),
        std::string::npos)
        << text;
    EXPECT_NE(text.find("relais_http_request_duration_seconds_count{route=\"dossier_get\"} 3\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("relais_http_request_duration_seconds_count{route=\"unmatched\"} 2\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("relais_http_in_flight 0\n"), std::string::npos) << text;
}

TEST_F(ServerTest, WritesOneAccessLogLinePerRequestWithoutQueryOrHeaders) {
    start();
    const auto result = httpCall(port_, "GET", "/v1/dossiers/abc?subject=Dupont&sig=s3cr3t",
                                 {bearer("portal-key"), {"X-Request-Id", "acc-1"}});
    ASSERT_EQ(result.status, 200);
    EXPECT_EQ(httpCall(port_, "GET", "/healthz").status, 200);
    stop();
    const auto lines = logLines("http.access");
    ASSERT_EQ(lines.size(), 2u) << logText();
    // Lines are written after the response leaves: find them by request id, not order.
    const bool first = lines[0].find("request_id")->asString() == "acc-1";
    const auto& line = lines[first ? 0 : 1];
    const auto& other = lines[first ? 1 : 0];
    EXPECT_EQ(line.find("msg")->asString(), "request");
    EXPECT_EQ(line.find("method")->asString(), "GET");
    EXPECT_EQ(line.find("path")->asString(), "/v1/dossiers/abc");
    EXPECT_EQ(line.find("route")->asString(), "dossier_get");
    EXPECT_EQ(line.find("status")->asString(), "200");
    EXPECT_EQ(line.find("bytes_in")->asString(), "0");
    EXPECT_EQ(line.find("bytes_out")->asString(), std::to_string(result.body.size()));
    EXPECT_GE(std::stod(line.find("duration_ms")->asString()), 0.0);
    EXPECT_EQ(line.find("client")->asString(), "portal");
    EXPECT_EQ(line.find("request_id")->asString(), "acc-1");
    EXPECT_EQ(line.find("remote")->asString().rfind("127.0.0.1:", 0), 0u);
    EXPECT_EQ(other.find("route")->asString(), "healthz");
    EXPECT_EQ(other.find("client")->asString(), "");
    const auto text = logText();
    EXPECT_EQ(text.find("Dupont"), std::string::npos) << text;
    EXPECT_EQ(text.find("s3cr3t"), std::string::npos) << text;
    EXPECT_EQ(text.find("portal-key"), std::string::npos) << text;
}

TEST_F(ServerTest, WritesNoAccessLogWhenDisabled) {
    start(testLimits(), false);
    EXPECT_EQ(httpCall(port_, "GET", "/healthz").status, 200);
    stop();
    EXPECT_TRUE(logLines("http.access").empty()) << logText();
    // The request was still counted.
    EXPECT_NE(metrics_.render().find("route=\"healthz\",method=\"GET\",code=\"200\"} 1"),
              std::string::npos);
}

TEST_F(ServerTest, DropsASlowClientWithoutBlockingOthers) {
    auto limits = testLimits();
    limits.request_timeout_ms = 1000;
    limits.max_threads = 2;
    start(limits);
    RawConnection slow(port_);
    slow.send("GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: ");  // and nothing more
    EXPECT_EQ(httpCall(port_, "GET", "/healthz").status, 200);
    EXPECT_EQ(httpCall(port_, "GET", "/healthz").status, 200);
    EXPECT_TRUE(slow.waitClosed(10s));
}

TEST_F(ServerTest, CutsAClientTricklingItsHeadersPastTheHeaderDeadline) {
    auto limits = testLimits();  // each read may wait 30 s: only the deadline cuts it
    limits.header_timeout_ms = 500;
    start(limits);
    RawConnection slow(port_);
    slow.send("GET /healthz HTTP/1.1\r\nHost: t\r\n");
    // A byte at a time, each well within the socket timeout (slowloris).
    bool closed = false;
    for (int i = 0; i < 100 && !closed; ++i) {
        try {
            slow.send("X");
        } catch (const Poco::Exception&) {
            closed = true;  // reset: the server is gone
            break;
        }
        closed = slow.waitClosed(100ms);
    }
    EXPECT_TRUE(closed) << "the connection outlived 10 s of trickled headers";
    EXPECT_EQ(httpCall(port_, "GET", "/healthz").status, 200);
}

TEST_F(ServerTest, CutsAClientTricklingItsBodyPastTheBodyDeadline) {
    auto limits = testLimits();
    limits.body_timeout_ms = 500;
    start(limits);
    RawConnection slow(port_);
    slow.send(
        "POST /v1/echo HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer portal-key\r\n"
        "Content-Length: 1000\r\n\r\n");
    bool closed = false;
    std::string answer;
    for (int i = 0; i < 100 && !closed; ++i) {
        try {
            slow.send("x");
        } catch (const Poco::Exception&) {
            closed = true;
            break;
        }
        closed = slow.waitClosed(100ms);
    }
    EXPECT_TRUE(closed) << "the connection outlived 10 s of trickled body";
}

TEST_F(ServerTest, KeepsAPromptKeepAliveConnectionAcrossRequests) {
    auto limits = testLimits();
    limits.header_timeout_ms = 300;
    start(limits);
    RawConnection connection(port_);
    for (int i = 0; i < 3; ++i) {
        connection.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
        const auto result = connection.readResponse(5s);
        ASSERT_EQ(result.status, 200);
        ASSERT_FALSE(result.connection_closed);
        // Idle between requests longer than the header deadline: the keep-alive wait is
        // not counted against the next request's headers.
        std::this_thread::sleep_for(400ms);
    }
}

TEST_F(ServerTest, StopWaitsForInFlightRequestsThenRefusesConnections) {
    start();
    auto call =
        std::async(std::launch::async, [this] { return httpCall(port_, "GET", "/v1/block"); });
    ASSERT_TRUE(waitEntered(10s));
    auto stopping = std::async(std::launch::async, [this] { stop(); });
    // Still draining while the request is held.
    EXPECT_EQ(stopping.wait_for(300ms), std::future_status::timeout);
    release();
    const auto result = call.get();
    EXPECT_EQ(result.status, 200);
    EXPECT_TRUE(common::equalsIgnoreCase(result.header("Connection"), "close"));
    ASSERT_EQ(stopping.wait_for(10s), std::future_status::ready);
    EXPECT_THROW(httpCall(port_, "GET", "/healthz"), Poco::Exception);
}

TEST_F(ServerTest, StopClosesIdleKeepAliveConnectionsPromptly) {
    start();  // keep-alive timeout 60 s
    RawConnection connection(port_);
    connection.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
    const auto result = connection.readResponse(5s);
    ASSERT_EQ(result.status, 200);
    ASSERT_FALSE(result.connection_closed);
    const auto started = Clock::now();
    stop();
    EXPECT_LT(Clock::now() - started, 5s);
    EXPECT_TRUE(connection.waitClosed(5s));
}

TEST_F(ServerTest, CanBeStartedAgainAfterStop) {
    start();
    stop();
    start();
    EXPECT_EQ(httpCall(port_, "GET", "/healthz").status, 200);
}

TEST_F(ServerTest, RefusesAPortInUse) {
    start();
    config::ServerConfig config;
    config.address = "127.0.0.1";
    config.port = port_;
    Server second(config, router_, *authenticator_, metrics_, *sink_, true);
    EXPECT_THROW(second.start(), Poco::Exception);
}

}  // namespace
}  // namespace relais::http::test
