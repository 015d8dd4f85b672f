// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/subjects/validity.h"

#include <gtest/gtest.h>

#include "relais/config/config.h"
#include "relais/sdk/time.h"

namespace relais::subjects {
namespace {

std::int64_t at(const char* text) { return sdk::Timestamp::parse(text).value().micros; }

config::AttributeKindConfig kind(const char* validity, std::int64_t ms = 0) {
    config::AttributeKindConfig out;
    out.name = "x";
    out.validity = validity;
    out.validity_ms = ms;
    return out;
}

TEST(Validity, NoneNeverExpires) {
    EXPECT_EQ(validUntil(kind("none"), at("2026-11-25T10:00:00Z")), 0);
}

TEST(Validity, MonthEndsAtTheFirstOfTheNextMonth) {
    EXPECT_EQ(validUntil(kind("month"), at("2026-11-25T10:00:00Z")), at("2026-12-01T00:00:00Z"));
    EXPECT_EQ(validUntil(kind("month"), at("2026-12-31T23:59:59Z")), at("2027-01-01T00:00:00Z"));
    EXPECT_EQ(validUntil(kind("month"), at("2028-02-29T12:00:00Z")), at("2028-03-01T00:00:00Z"));
    EXPECT_EQ(validUntil(kind("month"), at("2026-11-01T00:00:00Z")), at("2026-12-01T00:00:00Z"));
}

TEST(Validity, SchoolYearEndsOnTheFirstOfSeptember) {
    EXPECT_EQ(validUntil(kind("school-year"), at("2026-11-25T10:00:00Z")),
              at("2027-09-01T00:00:00Z"));
    EXPECT_EQ(validUntil(kind("school-year"), at("2027-03-10T10:00:00Z")),
              at("2027-09-01T00:00:00Z"));
    EXPECT_EQ(validUntil(kind("school-year"), at("2027-08-31T23:00:00Z")),
              at("2027-09-01T00:00:00Z"));
    EXPECT_EQ(validUntil(kind("school-year"), at("2027-09-01T00:00:00Z")),
              at("2028-09-01T00:00:00Z"));
}

TEST(Validity, DurationCountsFromTheVerification) {
    const std::int64_t verified = at("2026-11-25T10:00:00Z");
    EXPECT_EQ(validUntil(kind("duration", 86'400'000), verified), at("2026-11-26T10:00:00Z"));
}

TEST(Validity, BeforeTheEpochStillRoundsDownToTheDay) {
    EXPECT_EQ(validUntil(kind("month"), at("1969-12-31T23:00:00Z")), at("1970-01-01T00:00:00Z"));
}

TEST(Validity, EarlierLimitTreatsZeroAsNoLimit) {
    EXPECT_EQ(earlierLimit(0, 0), 0);
    EXPECT_EQ(earlierLimit(0, 5), 5);
    EXPECT_EQ(earlierLimit(7, 0), 7);
    EXPECT_EQ(earlierLimit(7, 5), 5);
}

}  // namespace
}  // namespace relais::subjects
