// SPDX-License-Identifier: AGPL-3.0-or-later
#include <gtest/gtest.h>

#include "relais/sdk/time.h"

namespace relais::sdk {
namespace {

TEST(CivilDate, KnowsLeapYears) {
    EXPECT_TRUE(isLeapYear(2024));
    EXPECT_TRUE(isLeapYear(2000));
    EXPECT_FALSE(isLeapYear(1900));
    EXPECT_FALSE(isLeapYear(2100));
    EXPECT_FALSE(isLeapYear(2026));
}

TEST(CivilDate, KnowsMonthLengths) {
    EXPECT_EQ(daysInMonth(2026, 1), 31U);
    EXPECT_EQ(daysInMonth(2026, 2), 28U);
    EXPECT_EQ(daysInMonth(2028, 2), 29U);
    EXPECT_EQ(daysInMonth(2026, 4), 30U);
    EXPECT_EQ(daysInMonth(2026, 0), 0U);
    EXPECT_EQ(daysInMonth(2026, 13), 0U);
    EXPECT_TRUE(isValidDate(2026, 4, 30));
    EXPECT_FALSE(isValidDate(2026, 4, 31));
    EXPECT_FALSE(isValidDate(2026, 1, 0));
}

TEST(CivilDate, CountsDaysFromTheEpochBothWays) {
    EXPECT_EQ(daysFromCivil(1970, 1, 1), 0);
    EXPECT_EQ(daysFromCivil(2000, 3, 1), 11'017);
    EXPECT_EQ(daysFromCivil(1969, 12, 31), -1);
    EXPECT_EQ(civilFromDays(0), (CivilDate{1970, 1, 1}));
    EXPECT_EQ(civilFromDays(-1), (CivilDate{1969, 12, 31}));
    for (std::int64_t days = -800'000; days < 800'000; days += 997) {
        const CivilDate date = civilFromDays(days);
        EXPECT_TRUE(isValidDate(date.year, date.month, date.day));
        EXPECT_EQ(daysFromCivil(date.year, date.month, date.day), days);
    }
}

TEST(CivilDate, KnowsTheWeekday) {
    EXPECT_EQ(weekdayFromDays(0), 4U);                            // Thursday
    EXPECT_EQ(weekdayFromDays(daysFromCivil(1994, 11, 6)), 0U);   // Sunday
    EXPECT_EQ(weekdayFromDays(daysFromCivil(1969, 12, 28)), 0U);  // Sunday
    EXPECT_EQ(weekdayFromDays(daysFromCivil(2026, 12, 7)), 1U);   // Monday
}

}  // namespace
}  // namespace relais::sdk
