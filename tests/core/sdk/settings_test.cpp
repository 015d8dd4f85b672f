// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/sdk/settings.h"

#include <cstdint>
#include <string>

#include <gtest/gtest.h>

namespace relais::sdk {
namespace {

constexpr std::int64_t kTenMinutes = 600'000;

Settings withDuration(const std::string& name, std::int64_t ms) {
    Setting setting;
    setting.name = name;
    setting.type = ConfigType::Duration;
    setting.integer = ms;
    return Settings({setting});
}

TEST(TimeoutMs, ReadsTheConfiguredDuration) {
    const auto timeout = timeoutMs(withDuration("timeout", 2'500), "timeout", 10'000, kTenMinutes);
    ASSERT_TRUE(timeout);
    EXPECT_EQ(*timeout, 2'500);
}

TEST(TimeoutMs, FallsBackWhenAbsent) {
    const auto timeout = timeoutMs(Settings{}, "timeout", 10'000, kTenMinutes);
    ASSERT_TRUE(timeout);
    EXPECT_EQ(*timeout, 10'000);
}

TEST(TimeoutMs, AcceptsTheMaximumItself) {
    const auto timeout = timeoutMs(withDuration("t", kTenMinutes), "t", 1, kTenMinutes);
    ASSERT_TRUE(timeout);
    EXPECT_EQ(*timeout, kTenMinutes);
}

TEST(TimeoutMs, RefusesZeroNamingKeyAndMaximum) {
    const auto timeout = timeoutMs(withDuration("connect-timeout", 0), "connect-timeout", 1'000,
                                   std::int64_t{24} * 3'600'000);
    ASSERT_FALSE(timeout);
    EXPECT_EQ(timeout.error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(timeout.error().field, "connect-timeout");
    EXPECT_EQ(timeout.error().message, "connect-timeout: must be more than 0 and at most 24h");
}

TEST(TimeoutMs, RefusesAboveTheMaximumInItsLargestUnit) {
    const auto over = [](std::int64_t max_ms) {
        auto timeout = timeoutMs(withDuration("t", max_ms + 1), "t", 1, max_ms);
        return timeout ? std::string("accepted") : timeout.error().message;
    };
    EXPECT_EQ(over(kTenMinutes), "t: must be more than 0 and at most 10m");
    EXPECT_EQ(over(30'000), "t: must be more than 0 and at most 30s");
    EXPECT_EQ(over(250), "t: must be more than 0 and at most 250ms");
}

}  // namespace
}  // namespace relais::sdk
