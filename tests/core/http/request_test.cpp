// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/http/request.h"

#include <gtest/gtest.h>

#include "http/url.h"

namespace relais::http {
namespace {

sdk::Json parse(const std::string& text) {
    auto parsed = sdk::Json::parse(text);
    EXPECT_TRUE(parsed.ok()) << text;
    return parsed ? std::move(parsed).value() : sdk::Json();
}

TEST(RequestTest, FindsHeadersCaseInsensitively) {
    Request request;
    request.headers = {{"Content-Type", "application/json"}, {"X-A", "1"}, {"x-a", "2"}};
    EXPECT_EQ(request.header("content-type"), "application/json");
    EXPECT_EQ(request.header("X-A"), "1");
    EXPECT_EQ(request.header("missing"), "");
}

TEST(RequestTest, FindsParamsAndQueryParameters) {
    Request request;
    request.path_params = {{"id", "42"}};
    request.query = {{"public", "1"}, {"empty", ""}, {"public", "2"}};
    EXPECT_EQ(request.param("id"), "42");
    EXPECT_EQ(request.param("other"), "");
    EXPECT_EQ(request.queryParam("public"), "1");
    EXPECT_TRUE(request.hasQueryParam("empty"));
    EXPECT_EQ(request.queryParam("empty"), "");
    EXPECT_FALSE(request.hasQueryParam("absent"));
}

TEST(RequestTest, JsonResponseSerialisesCompactly) {
    sdk::Json body = sdk::Json::object();
    body.set("a", 1);
    body.set("b", "x");
    const auto response = jsonResponse(201, body);
    EXPECT_EQ(response.status, 201);
    EXPECT_EQ(response.content_type, "application/json");
    EXPECT_EQ(response.body, R"({"a":1,"b":"x"})");
}

TEST(RequestTest, ProblemHasRfc9457Fields) {
    const auto response = problem(404, "Not Found", "no dossier 'x'", "id");
    EXPECT_EQ(response.status, 404);
    EXPECT_EQ(response.content_type, "application/problem+json");
    const auto doc = parse(response.body);
    EXPECT_EQ(doc.find("type")->asString(), "urn:relais:problem:not-found");
    EXPECT_EQ(doc.find("title")->asString(), "Not Found");
    EXPECT_EQ(doc.find("status")->asInt(), 404);
    EXPECT_EQ(doc.find("detail")->asString(), "no dossier 'x'");
    EXPECT_EQ(doc.find("field")->asString(), "id");
}

TEST(RequestTest, ProblemOmitsEmptyFieldAndTakesACustomSlug) {
    const auto response = problem(409, "Conflict", "version mismatch", {}, "stale-version");
    const auto doc = parse(response.body);
    EXPECT_EQ(doc.find("type")->asString(), "urn:relais:problem:stale-version");
    EXPECT_EQ(doc.find("field"), nullptr);
    EXPECT_EQ(parse(problem(413, "t", "d").body).find("type")->asString(),
              "urn:relais:problem:payload-too-large");
    EXPECT_EQ(parse(problem(418, "t", "d").body).find("type")->asString(),
              "urn:relais:problem:http-418");
}

TEST(RequestTest, MapsEveryErrorCodeToItsStatus) {
    using sdk::ErrorCode;
    EXPECT_EQ(statusFor(ErrorCode::InvalidArgument), 400);
    EXPECT_EQ(statusFor(ErrorCode::NotFound), 404);
    EXPECT_EQ(statusFor(ErrorCode::Conflict), 409);
    EXPECT_EQ(statusFor(ErrorCode::Unauthorized), 401);
    EXPECT_EQ(statusFor(ErrorCode::Forbidden), 403);
    EXPECT_EQ(statusFor(ErrorCode::TooLarge), 413);
    EXPECT_EQ(statusFor(ErrorCode::Unsupported), 501);
    EXPECT_EQ(statusFor(ErrorCode::Retryable), 502);
    EXPECT_EQ(statusFor(ErrorCode::Permanent), 502);
    EXPECT_EQ(statusFor(ErrorCode::Unavailable), 503);
    EXPECT_EQ(statusFor(ErrorCode::Timeout), 504);
    EXPECT_EQ(statusFor(ErrorCode::Internal), 500);
}

TEST(RequestTest, ProblemFromErrorCarriesFieldAndRetryAfter) {
    auto error = sdk::fail(sdk::ErrorCode::Unavailable, "store busy", "store");
    error.retry_after_seconds = 5;
    const auto response = problemFromError(error);
    EXPECT_EQ(response.status, 503);
    const auto doc = parse(response.body);
    EXPECT_EQ(doc.find("title")->asString(), "Service Unavailable");
    EXPECT_EQ(doc.find("detail")->asString(), "store busy");
    EXPECT_EQ(doc.find("field")->asString(), "store");
    EXPECT_EQ(doc.find("type")->asString(), "urn:relais:problem:service-unavailable");
    ASSERT_EQ(response.headers.size(), 1u);
    EXPECT_EQ(response.headers[0].first, "Retry-After");
    EXPECT_EQ(response.headers[0].second, "5");

    const auto plain = problemFromError(sdk::fail(sdk::ErrorCode::InvalidArgument, "bad"));
    EXPECT_EQ(plain.status, 400);
    EXPECT_TRUE(plain.headers.empty());
}

TEST(UrlTest, ParsesQueryStringsInOrder) {
    auto query = url::parseQuery("a=1&b=x+y%21&c&=v&a=2&&d=");
    ASSERT_TRUE(query.ok());
    EXPECT_EQ(*query,
              (Params{{"a", "1"}, {"b", "x y!"}, {"c", ""}, {"", "v"}, {"a", "2"}, {"d", ""}}));
    EXPECT_TRUE(url::parseQuery("")->empty());
}

TEST(UrlTest, RefusesMalformedQueryEscapesNamingTheParameter) {
    const auto query = url::parseQuery("ok=1&subject=%zz");
    ASSERT_FALSE(query.ok());
    EXPECT_EQ(query.error().code, sdk::ErrorCode::InvalidArgument);
    EXPECT_EQ(query.error().field, "subject");
}

TEST(UrlTest, SplitsOriginAndAbsoluteFormTargets) {
    std::string_view path;
    std::string_view query;
    ASSERT_TRUE(url::splitTarget("/a/b?x=1#frag", path, query));
    EXPECT_EQ(path, "/a/b");
    EXPECT_EQ(query, "x=1");
    ASSERT_TRUE(url::splitTarget("HTTP://host:8080/a?y", path, query));
    EXPECT_EQ(path, "/a");
    EXPECT_EQ(query, "y");
    ASSERT_TRUE(url::splitTarget("https://host?z=1", path, query));
    EXPECT_EQ(path, "/");
    EXPECT_EQ(query, "z=1");
    EXPECT_FALSE(url::splitTarget("*", path, query));
    EXPECT_FALSE(url::splitTarget("host:443", path, query));
    EXPECT_FALSE(url::splitTarget("", path, query));
}

TEST(UrlTest, DecodesPathsAndRefusesUnsafeOnes) {
    EXPECT_EQ(url::decodePath("/a%20b/c"), "/a b/c");
    EXPECT_EQ(url::decodePath("/"), "/");
    EXPECT_FALSE(url::decodePath("/a/../b"));
    EXPECT_FALSE(url::decodePath("/a/%2e%2e/b"));
    EXPECT_FALSE(url::decodePath("/a%00"));
    EXPECT_FALSE(url::decodePath("/a%"));
    EXPECT_FALSE(url::decodePath("a"));
}

}  // namespace
}  // namespace relais::http
