// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/sdk/time.h"

#include <gtest/gtest.h>

namespace relais::sdk {
namespace {

TEST(Timestamp, ParsesUtcAndOffsets) {
    auto utc = Timestamp::parse("2026-11-14T08:42:17Z");
    ASSERT_TRUE(utc.ok());
    auto paris = Timestamp::parse("2026-11-14T09:42:17+01:00");
    ASSERT_TRUE(paris.ok());
    EXPECT_EQ(*utc, *paris);
    EXPECT_EQ(paris->offset_minutes, 60);
    EXPECT_EQ(paris->toString(), "2026-11-14T09:42:17+01:00");
    EXPECT_EQ(paris->toUtcString(), "2026-11-14T08:42:17Z");
    EXPECT_EQ(utc->micros, 1'794'645'737'000'000LL);
}

TEST(Timestamp, KeepsFractionsToTheMicrosecond) {
    auto t = Timestamp::parse("1970-01-01T00:00:00.123456789-02:30");
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->micros, 123456 + 150LL * 60 * 1'000'000);
    EXPECT_EQ(t->toString(), "1970-01-01T00:00:00.123456-02:30");
}

TEST(Timestamp, DateAloneIsMidnightUtc) {
    auto t = Timestamp::parse("2024-02-29");
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->toUtcString(), "2024-02-29T00:00:00Z");
}

TEST(Timestamp, HandlesDatesBeforeTheEpoch) {
    auto t = Timestamp::parse("1969-12-31T23:59:59.5Z");
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->micros, -500'000);
    EXPECT_EQ(t->toUtcString(), "1969-12-31T23:59:59.5Z");
}

TEST(Timestamp, RejectsInvalidText) {
    for (const char* bad :
         {"", "2026-13-01", "2026-02-29", "2026-11-14T25:00:00Z", "2026-11-14T10:00:00",
          "2026-11-14T10:00Z", "14/11/2026", "2026-11-14T10:00:00+0100", "2026-11-14T10:00:00Zjunk",
          "2026-11-14T10:00:00.Z"}) {
        auto t = Timestamp::parse(bad);
        EXPECT_FALSE(t.ok()) << bad;
        if (!t.ok()) {
            EXPECT_NE(t.error().message.find("RFC 3339"), std::string::npos);
        }
    }
}

TEST(Timestamp, OrdersByInstant) {
    EXPECT_LT(*Timestamp::parse("2026-01-01T00:00:00+01:00"),
              *Timestamp::parse("2026-01-01T00:00:00Z"));
}

}  // namespace
}  // namespace relais::sdk
