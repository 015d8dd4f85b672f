// SPDX-License-Identifier: AGPL-3.0-or-later
// What API Particulier and API Entreprise share: error mapping, retry advice, validity dates,
// SIRET check, encoding. Pure functions.

#include "apistration.h"

#include <string>

#include <gtest/gtest.h>

namespace relais::plugins::apistration {
namespace {

using sdk::ErrorCode;

sdk::Timestamp at(const char* text) { return *sdk::Timestamp::parse(text); }

sdk::HttpResponse response(int status, std::string body, sdk::HttpHeaders headers = {}) {
    sdk::HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    r.headers = std::move(headers);
    return r;
}

TEST(Apistration, MapsStatusesToErrorCodes) {
    const sdk::Timestamp now = at("2026-03-10T12:00:00Z");
    const std::vector<std::pair<int, ErrorCode>> table = {
        {400, ErrorCode::InvalidArgument}, {422, ErrorCode::InvalidArgument},
        {401, ErrorCode::Permanent},       {403, ErrorCode::Permanent},
        {404, ErrorCode::NotFound},        {409, ErrorCode::Retryable},
        {410, ErrorCode::Permanent},       {429, ErrorCode::Retryable},
        {451, ErrorCode::Permanent},       {500, ErrorCode::Retryable},
        {502, ErrorCode::Retryable},       {503, ErrorCode::Unavailable},
        {504, ErrorCode::Timeout},
    };
    for (const auto& [status, code] : table) {
        const sdk::Error error = errorFromResponse(response(status, ""), "API X GET u", {}, now);
        EXPECT_EQ(error.code, code) << status;
        EXPECT_EQ(error.message.rfind("API X GET u answered " + std::to_string(status), 0), 0U)
            << error.message;
    }
    EXPECT_NE(
        errorFromResponse(response(451, ""), "w", {}, now).message.find("not open to disclosure"),
        std::string::npos);
}

TEST(Apistration, QuotesEveryErrorSafely) {
    const sdk::Error error = errorFromResponse(response(422, R"({"errors": [
            {"code": "00301", "title": "Entité non traitable", "detail": "siren\nmal formé",
             "source": {"parameter": "siren"}, "meta": {}},
            {"code": "00203", "title": "Entité non traitable",
             "detail": "jeton SECRET-TOKEN", "meta": {"provider": "INSEE"}}]})"),
                                               "w", {"SECRET-TOKEN"}, at("2026-03-10T12:00:00Z"));
    EXPECT_NE(error.message.find("00301 Entité non traitable: siren mal formé"), std::string::npos)
        << error.message;
    EXPECT_NE(error.message.find("00203 Entité non traitable: jeton *** (provider INSEE)"),
              std::string::npos)
        << error.message;
    // A body that is not the API's shape is quoted, cut.
    const sdk::Error raw = errorFromResponse(response(500, std::string(5000, 'x')), "w", {},
                                             at("2026-03-10T12:00:00Z"));
    EXPECT_LT(raw.message.size(), 600U);
}

TEST(Apistration, TakesRetryAdviceFromHeadersOrBody) {
    const sdk::Timestamp now = at("2015-10-21T07:27:00Z");
    auto error = errorFromResponse(response(429, "{}", {{"Retry-After", "120"}}), "w", {}, now);
    EXPECT_EQ(error.retry_after_seconds, 120);
    EXPECT_NE(error.message.find("Retry-After: 120 s"), std::string::npos);
    error = errorFromResponse(
        response(503, "{}", {{"retry-after", "Wed, 21 Oct 2015 07:28:00 GMT"}}), "w", {}, now);
    EXPECT_EQ(error.retry_after_seconds, 60);
    error = errorFromResponse(
        response(504, R"({"errors": [{"code": "00501", "meta": {"retry_in": 10}}]})"), "w", {},
        now);
    EXPECT_EQ(error.retry_after_seconds, 10);
    error =
        errorFromResponse(response(429, "{}", {{"RateLimit-Reset", "1445412450"}}), "w", {}, now);
    EXPECT_EQ(error.retry_after_seconds, 30);
    // Not transient: no advice.
    error = errorFromResponse(response(404, "{}", {{"Retry-After", "5"}}), "w", {}, now);
    EXPECT_EQ(error.retry_after_seconds, 0);
    EXPECT_EQ(retryAfterSeconds("999999999", now), 86'400);
    EXPECT_EQ(retryAfterSeconds("soon", now), 0);
    EXPECT_EQ(retryAfterSeconds("Wed, 21 Oct 2015 07:00:00 GMT", now), 0);
}

TEST(Apistration, ComputesValidityDates) {
    EXPECT_EQ(endOfMonth(at("2026-02-10T08:00:00Z")), at("2026-02-28T23:59:59Z"));
    EXPECT_EQ(endOfMonth(at("2028-02-29T23:59:59Z")), at("2028-02-29T23:59:59Z"));
    EXPECT_EQ(endOfMonth(at("2026-12-01T00:00:00Z")), at("2026-12-31T23:59:59Z"));
    EXPECT_EQ(endOfSchoolYear(at("2026-08-31T10:00:00Z")), at("2026-08-31T23:59:59Z"));
    EXPECT_EQ(endOfSchoolYear(at("2026-09-01T00:00:00Z")), at("2027-08-31T23:59:59Z"));
    EXPECT_EQ(endOfSchoolYear(at("2027-01-15T00:00:00Z")), at("2027-08-31T23:59:59Z"));
    EXPECT_EQ(endOfDay("2023-07-31"), at("2023-07-31T23:59:59Z"));
    EXPECT_FALSE(endOfDay("2023-02-30"));
    EXPECT_FALSE(endOfDay("2023-7-31"));
    EXPECT_EQ(plusSeconds(at("2026-01-01T00:00:00Z"), 86'400), at("2026-01-02T00:00:00Z"));
}

TEST(Apistration, ChecksSirets) {
    EXPECT_TRUE(isValidSiret("13002526500013"));
    EXPECT_TRUE(isValidSiret("30613890001294"));
    EXPECT_FALSE(isValidSiret("13002526500014"));
    EXPECT_FALSE(isValidSiret("1300252650001"));
    EXPECT_FALSE(isValidSiret("1300252650001a"));
    EXPECT_TRUE(isValidSiret("35600000000001"));   // La Poste: digit sum 15
    EXPECT_FALSE(isValidSiret("35600000000002"));  // digit sum 16
}

TEST(Apistration, EncodesQueries) {
    Query query;
    EXPECT_EQ(query.text(), "");
    query.add("prenoms[]", "René");
    query.add("object", "Dossier 12/3 & co");
    EXPECT_EQ(query.text(), "?prenoms%5B%5D=Ren%C3%A9&object=Dossier%2012%2F3%20%26%20co");
}

}  // namespace
}  // namespace relais::plugins::apistration
