// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/pipeline/retry_policy.h"

#include <algorithm>
#include <cmath>

namespace relais::pipeline {

std::int64_t RetryPolicy::baseDelayMs(int attempts) const noexcept {
    const int exponent = std::max(attempts, 1) - 1;
    // Computed in floating point and clamped, so a long outage cannot overflow.
    const double delay =
        static_cast<double>(config_.initial_ms) * std::pow(config_.multiplier, exponent);
    return static_cast<std::int64_t>(std::min(delay, static_cast<double>(config_.max_ms)));
}

std::optional<std::int64_t> RetryPolicy::nextAttempt(int attempts, std::int64_t created_at,
                                                     std::int64_t now, int retry_after_seconds,
                                                     double random01) const noexcept {
    const double factor = 1.0 - config_.jitter + 2.0 * config_.jitter * random01;
    auto delay_ms = static_cast<std::int64_t>(static_cast<double>(baseDelayMs(attempts)) * factor);
    delay_ms = std::max<std::int64_t>(delay_ms, 1);
    if (retry_after_seconds > 0) {
        delay_ms = std::max<std::int64_t>(delay_ms, std::int64_t{retry_after_seconds} * 1000);
    }
    const std::int64_t next = now + delay_ms * 1000;
    if (next > created_at + config_.give_up_after_ms * 1000) return std::nullopt;
    return next;
}

}  // namespace relais::pipeline
