// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

/// @file
/// Per-client request rates (internal to relais_http).

namespace relais::http {
class Caller;
}

namespace relais::http::detail {

/// One token bucket per client: `rate` tokens a second, at most `burst` kept; a request
/// takes one. A client without a rate (its own or the server's default) is not limited.
///
/// Thread-safety: `admit` is thread-safe (one mutex per bucket, so that clients do not wait
/// on each other).
class RateLimiter {
public:
    using Clock = std::chrono::steady_clock;

    /// `clients` must outlive the limiter (the authenticator's list; pointers are the
    /// keys). `default_rate` (requests per second; 0: none) and `default_burst` (0: one
    /// second's worth, at least 1) apply to clients without their own.
    RateLimiter(const std::vector<Caller>& clients, double default_rate, int default_burst);
    ~RateLimiter();
    RateLimiter(const RateLimiter&) = delete;
    RateLimiter& operator=(const RateLimiter&) = delete;

    /// 0 when `client` may proceed now (a token is taken); else the whole seconds to wait
    /// before a token is there (for `Retry-After`, at least 1).
    std::int64_t admit(const Caller& client, Clock::time_point now = Clock::now());

private:
    struct Bucket;
    const std::vector<Caller>& clients_;
    std::vector<std::unique_ptr<Bucket>> buckets_;  ///< by client index; null: unlimited
};

}  // namespace relais::http::detail
