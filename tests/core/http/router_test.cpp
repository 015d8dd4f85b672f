// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/http/router.h"

#include <stdexcept>

#include <gtest/gtest.h>

namespace relais::http {
namespace {

Endpoint route(std::string method, std::string pattern, std::string name = {}) {
    Endpoint r;
    r.method = std::move(method);
    r.pattern = std::move(pattern);
    r.name = std::move(name);
    r.handler = [](Request&) { return Response{}; };
    return r;
}

Router standardRouter() {
    Router router;
    router.add(route("GET", "/healthz", "healthz"));
    router.add(route("GET", "/v1/dossiers/{id}", "dossier_get"));
    router.add(route("GET", "/v1/dossiers/{id}/events", "dossier_events"));
    router.add(route("POST", "/v1/dossiers/{id}/events", "dossier_event_post"));
    router.add(route("GET", "/v1/jobs/{id}", "job_get"));
    router.add(route("DELETE", "/v1/jobs/{id}", "job_delete"));
    router.add(route("GET", "/v1/jobs/dead", "jobs_dead"));
    return router;
}

TEST(RouterTest, KnowsTheRefusalShaperOfARouteByName) {
    auto router = standardRouter();
    EXPECT_EQ(router.refusalShaper("dossier_get"), nullptr);
    router.setRefusalShaper("dossier_get",
                            [](const Request&, Response& answer) { answer.status = 418; });
    ASSERT_NE(router.refusalShaper("dossier_get"), nullptr);
    Response answer;
    (*router.refusalShaper("dossier_get"))(Request{}, answer);
    EXPECT_EQ(answer.status, 418);
    EXPECT_EQ(router.refusalShaper("healthz"), nullptr);
    router.setRefusalShaper("healthz", nullptr);  // an empty one is none
    EXPECT_EQ(router.refusalShaper("healthz"), nullptr);
}

TEST(RouterTest, MatchesLiteralRoute) {
    const auto router = standardRouter();
    const auto match = router.match("GET", "/healthz");
    ASSERT_EQ(match.kind, Match::Kind::Found);
    EXPECT_EQ(match.route->name, "healthz");
    EXPECT_TRUE(match.params.empty());
}

TEST(RouterTest, ExtractsPercentDecodedParameters) {
    const auto router = standardRouter();
    const auto match = router.match("GET", "/v1/dossiers/caf%C3%A9%20%2F%3F/events");
    ASSERT_EQ(match.kind, Match::Kind::Found);
    EXPECT_EQ(match.route->name, "dossier_events");
    ASSERT_EQ(match.params.size(), 1u);
    EXPECT_EQ(match.params[0].first, "id");
    // An encoded slash stays inside its segment.
    EXPECT_EQ(match.params[0].second, "caf\xC3\xA9 /?");
}

TEST(RouterTest, MatchesLiteralSegmentsAfterDecoding) {
    const auto router = standardRouter();
    const auto match = router.match("GET", "/v1/%6aobs/dead");
    ASSERT_EQ(match.kind, Match::Kind::Found);
    EXPECT_EQ(match.route->name, "jobs_dead");
}

TEST(RouterTest, LiteralBeatsParameterWhateverTheOrderOfAdding) {
    const auto router = standardRouter();  // `{id}` added before `dead`
    auto match = router.match("GET", "/v1/jobs/dead");
    ASSERT_EQ(match.kind, Match::Kind::Found);
    EXPECT_EQ(match.route->name, "jobs_dead");
    match = router.match("GET", "/v1/jobs/42");
    ASSERT_EQ(match.kind, Match::Kind::Found);
    EXPECT_EQ(match.route->name, "job_get");
    EXPECT_EQ(match.params.at(0).second, "42");

    Router reversed;
    reversed.add(route("GET", "/v1/jobs/dead", "jobs_dead"));
    reversed.add(route("GET", "/v1/jobs/{id}", "job_get"));
    EXPECT_EQ(reversed.match("GET", "/v1/jobs/dead").route->name, "jobs_dead");
}

TEST(RouterTest, EarlierLiteralSegmentWinsBetweenTwoParameterisedRoutes) {
    Router router;
    router.add(route("GET", "/a/{x}/c", "x_c"));
    router.add(route("GET", "/a/b/{y}", "b_y"));
    const auto match = router.match("GET", "/a/b/c");
    ASSERT_EQ(match.kind, Match::Kind::Found);
    EXPECT_EQ(match.route->name, "b_y");
    EXPECT_EQ(match.params.at(0).first, "y");
    EXPECT_EQ(router.match("GET", "/a/z/c").route->name, "x_c");
}

TEST(RouterTest, FallsBackToParameterRouteForAnotherMethod) {
    const auto router = standardRouter();
    const auto match = router.match("DELETE", "/v1/jobs/dead");
    ASSERT_EQ(match.kind, Match::Kind::Found);
    EXPECT_EQ(match.route->name, "job_delete");
    EXPECT_EQ(match.params.at(0).second, "dead");
}

TEST(RouterTest, RequiresTheSameNumberOfSegments) {
    const auto router = standardRouter();
    EXPECT_EQ(router.match("GET", "/v1/dossiers").kind, Match::Kind::NotFound);
    EXPECT_EQ(router.match("GET", "/v1/dossiers/1/events/2").kind, Match::Kind::NotFound);
    EXPECT_EQ(router.match("GET", "/healthz/").kind, Match::Kind::NotFound);
    EXPECT_EQ(router.match("GET", "/v1/dossiers/").kind, Match::Kind::NotFound);  // empty id
    EXPECT_EQ(router.match("GET", "//healthz").kind, Match::Kind::NotFound);
}

TEST(RouterTest, UnknownPathIsNotFound) {
    const auto router = standardRouter();
    const auto match = router.match("GET", "/nope");
    EXPECT_EQ(match.kind, Match::Kind::NotFound);
    EXPECT_EQ(match.route, nullptr);
    EXPECT_TRUE(match.allowed_methods.empty());
    EXPECT_EQ(Router().match("GET", "/").kind, Match::Kind::NotFound);
}

TEST(RouterTest, KnownPathWithOtherMethodIsMethodNotAllowedWithSortedMethods) {
    const auto router = standardRouter();
    auto match = router.match("PUT", "/v1/dossiers/7/events");
    ASSERT_EQ(match.kind, Match::Kind::MethodNotAllowed);
    EXPECT_EQ(match.allowed_methods, (std::vector<std::string>{"GET", "POST"}));
    // `dead` matches both `/v1/jobs/dead` (GET) and `/v1/jobs/{id}` (GET, DELETE).
    match = router.match("POST", "/v1/jobs/dead");
    ASSERT_EQ(match.kind, Match::Kind::MethodNotAllowed);
    EXPECT_EQ(match.allowed_methods, (std::vector<std::string>{"DELETE", "GET"}));
}

TEST(RouterTest, RefusesDotSegmentsEvenEncoded) {
    Router router;
    router.add(route("GET", "/files/{name}", "file"));
    router.add(route("GET", "/files/{dir}/{name}", "file2"));
    EXPECT_EQ(router.match("GET", "/files/..").kind, Match::Kind::NotFound);
    EXPECT_EQ(router.match("GET", "/files/.").kind, Match::Kind::NotFound);
    EXPECT_EQ(router.match("GET", "/files/%2e%2E").kind, Match::Kind::NotFound);
    EXPECT_EQ(router.match("GET", "/files/%2E").kind, Match::Kind::NotFound);
    EXPECT_EQ(router.match("GET", "/files/../etc").kind, Match::Kind::NotFound);
    // Dots inside a name are fine.
    EXPECT_EQ(router.match("GET", "/files/a..b").kind, Match::Kind::Found);
    EXPECT_EQ(router.match("GET", "/files/.hidden").kind, Match::Kind::Found);
}

TEST(RouterTest, RefusesNulAndMalformedEscapes) {
    Router router;
    router.add(route("GET", "/files/{name}", "file"));
    EXPECT_EQ(router.match("GET", "/files/a%00b").kind, Match::Kind::NotFound);
    EXPECT_EQ(router.match("GET", std::string_view("/files/a\0b", 10)).kind, Match::Kind::NotFound);
    EXPECT_EQ(router.match("GET", "/files/a%").kind, Match::Kind::NotFound);
    EXPECT_EQ(router.match("GET", "/files/a%2").kind, Match::Kind::NotFound);
    EXPECT_EQ(router.match("GET", "/files/a%zz").kind, Match::Kind::NotFound);
    EXPECT_EQ(router.match("GET", "files/a").kind, Match::Kind::NotFound);
    EXPECT_EQ(router.match("GET", "").kind, Match::Kind::NotFound);
}

TEST(RouterTest, MatchesRootPattern) {
    Router router;
    router.add(route("GET", "/", "root"));
    EXPECT_EQ(router.match("GET", "/").kind, Match::Kind::Found);
    EXPECT_EQ(router.match("GET", "/x").kind, Match::Kind::NotFound);
}

TEST(RouterTest, RejectsDuplicateAndAmbiguousRoutes) {
    Router router;
    router.add(route("GET", "/a/{x}", "a"));
    EXPECT_THROW(router.add(route("GET", "/a/{x}", "again")), std::invalid_argument);
    EXPECT_THROW(router.add(route("GET", "/a/{y}", "renamed")), std::invalid_argument);
    EXPECT_NO_THROW(router.add(route("POST", "/a/{x}", "post")));
    EXPECT_NO_THROW(router.add(route("GET", "/a/b", "literal")));
    EXPECT_EQ(router.routes().size(), 3u);
}

TEST(RouterTest, RejectsMalformedRoutes) {
    Router router;
    EXPECT_THROW(router.add(route("GET", "a/b")), std::invalid_argument);
    EXPECT_THROW(router.add(route("GET", "")), std::invalid_argument);
    EXPECT_THROW(router.add(route("GET", "/a/{b")), std::invalid_argument);
    EXPECT_THROW(router.add(route("GET", "/a/{}")), std::invalid_argument);
    EXPECT_THROW(router.add(route("GET", "/a/{b-c}")), std::invalid_argument);
    EXPECT_THROW(router.add(route("GET", "/a/x{b}")), std::invalid_argument);
    EXPECT_THROW(router.add(route("GET", "/a/{x}/{x}")), std::invalid_argument);
    EXPECT_THROW(router.add(route("GET", "/a//b")), std::invalid_argument);
    EXPECT_THROW(router.add(route("GET", "/a/")), std::invalid_argument);
    EXPECT_THROW(router.add(route("GET", "/a/%41")), std::invalid_argument);
    EXPECT_THROW(router.add(route("", "/a")), std::invalid_argument);
    EXPECT_THROW(router.add(route("get", "/a")), std::invalid_argument);
    Endpoint no_handler = route("GET", "/a");
    no_handler.handler = nullptr;
    EXPECT_THROW(router.add(no_handler), std::invalid_argument);
    EXPECT_TRUE(router.routes().empty());
}

TEST(RouterTest, NamesAnUnnamedRouteAfterItsPattern) {
    Router router;
    router.add(route("GET", "/v1/x/{id}"));
    EXPECT_EQ(router.routes().at(0).name, "/v1/x/{id}");
}

}  // namespace
}  // namespace relais::http
