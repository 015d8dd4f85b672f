// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/pipeline/retry_policy.h"

#include <gtest/gtest.h>

namespace relais::pipeline {
namespace {

constexpr std::int64_t kSecond = 1'000'000;

config::RetryConfig tenSecondsDoublingToAnHour() {
    config::RetryConfig config;
    config.initial_ms = 10'000;
    config.multiplier = 2.0;
    config.max_ms = 3'600'000;
    config.give_up_after_ms = 24LL * 3'600'000;
    config.jitter = 0.2;
    return config;
}

TEST(RetryPolicy, DoublesUpToTheMaximum) {
    const RetryPolicy policy(tenSecondsDoublingToAnHour());
    EXPECT_EQ(policy.baseDelayMs(1), 10'000);
    EXPECT_EQ(policy.baseDelayMs(2), 20'000);
    EXPECT_EQ(policy.baseDelayMs(5), 160'000);
    EXPECT_EQ(policy.baseDelayMs(9), 2'560'000);
    EXPECT_EQ(policy.baseDelayMs(10), 3'600'000);
    EXPECT_EQ(policy.baseDelayMs(1000), 3'600'000);  // no overflow after a long outage
}

TEST(RetryPolicy, JitterStaysWithinItsBand) {
    const RetryPolicy policy(tenSecondsDoublingToAnHour());
    const std::int64_t now = 1'000 * kSecond;
    EXPECT_EQ(*policy.nextAttempt(1, now, now, 0, 0.0), now + 8 * kSecond);
    EXPECT_EQ(*policy.nextAttempt(1, now, now, 0, 0.5), now + 10 * kSecond);
    EXPECT_EQ(*policy.nextAttempt(1, now, now, 0, 0.999999), now + 11'999'000);  // whole ms
}

TEST(RetryPolicy, HonoursALongerRetryAfter) {
    const RetryPolicy policy(tenSecondsDoublingToAnHour());
    const std::int64_t now = 1'000 * kSecond;
    EXPECT_EQ(*policy.nextAttempt(1, now, now, 120, 0.5), now + 120 * kSecond);
    EXPECT_EQ(*policy.nextAttempt(1, now, now, 1, 0.5), now + 10 * kSecond);
}

TEST(RetryPolicy, GivesUpWhenTheBudgetIsSpent) {
    const RetryPolicy policy(tenSecondsDoublingToAnHour());
    const std::int64_t created = 1'000 * kSecond;
    const std::int64_t almost_a_day_later = created + 23LL * 3600 * kSecond + 59 * 60 * kSecond;
    EXPECT_FALSE(policy.nextAttempt(30, created, almost_a_day_later, 0, 0.5).has_value());
    EXPECT_TRUE(policy.nextAttempt(3, created, created + kSecond, 0, 0.5).has_value());
}

}  // namespace
}  // namespace relais::pipeline
