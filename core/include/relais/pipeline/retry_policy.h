// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstdint>
#include <optional>

#include "relais/config/config.h"

/// @file
/// When a failed delivery is tried again.

namespace relais::pipeline {

/// Exponential backoff with jitter and a retry budget, per connector instance.
///
/// The n-th failed attempt waits `min(max, initial × multiplier^(n-1))`, multiplied by a
/// random factor in [1 − jitter, 1 + jitter] so that a burst of failures does not come back
/// as a burst; a `Retry-After` from the application is honoured when it asks for longer.
/// Once the next attempt would fall after `give_up_after` from the job's creation, the job
/// goes to the dead-letter list instead. Immutable; thread-safe.
class RetryPolicy {
public:
    explicit RetryPolicy(const config::RetryConfig& config) noexcept : config_(config) {}

    /// The time (unix micros) of the next attempt after `attempts` failed ones, or empty when
    /// the budget is spent. `random01` is uniform in [0, 1) (a parameter so tests can fix it).
    std::optional<std::int64_t> nextAttempt(int attempts, std::int64_t created_at, std::int64_t now,
                                            int retry_after_seconds,
                                            double random01) const noexcept;

    /// The delay before attempt `attempts + 1`, without jitter, in milliseconds.
    std::int64_t baseDelayMs(int attempts) const noexcept;

    const config::RetryConfig& config() const noexcept { return config_; }

private:
    config::RetryConfig config_;
};

}  // namespace relais::pipeline
