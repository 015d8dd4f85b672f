// SPDX-License-Identifier: AGPL-3.0-or-later
#include "http/rate_limiter.h"

#include <algorithm>
#include <cmath>

#include "relais/http/authenticator.h"

namespace relais::http::detail {

struct RateLimiter::Bucket {
    double rate;  ///< tokens per second
    double burst;
    std::mutex mutex;
    double tokens;  ///< guarded by `mutex`
    Clock::time_point refilled;

    Bucket(double per_second, double size, Clock::time_point now)
        : rate(per_second), burst(size), tokens(size), refilled(now) {}
};

RateLimiter::RateLimiter(const std::vector<Caller>& clients, double default_rate, int default_burst)
    : clients_(clients) {
    const auto now = Clock::now();
    buckets_.reserve(clients.size());
    for (const Caller& client : clients) {
        const double rate = client.rate() > 0 ? client.rate() : default_rate;
        if (rate <= 0) {
            buckets_.push_back(nullptr);
            continue;
        }
        const int given = client.rate() > 0 ? client.burst() : default_burst;
        // One second's worth by default, and never less than one request: a rate of
        // 600/min still lets a request through now and then.
        const double burst = given > 0 ? given : std::max(1.0, std::ceil(rate));
        buckets_.push_back(std::make_unique<Bucket>(rate, burst, now));
    }
}

RateLimiter::~RateLimiter() = default;

std::int64_t RateLimiter::admit(const Caller& client, Clock::time_point now) {
    const auto index = static_cast<std::size_t>(&client - clients_.data());
    if (index >= buckets_.size() || !buckets_[index]) return 0;
    Bucket& bucket = *buckets_[index];
    const std::lock_guard lock(bucket.mutex);
    const double elapsed =
        std::max(0.0, std::chrono::duration<double>(now - bucket.refilled).count());
    bucket.tokens = std::min(bucket.burst, bucket.tokens + elapsed * bucket.rate);
    bucket.refilled = std::max(bucket.refilled, now);
    if (bucket.tokens >= 1.0) {
        bucket.tokens -= 1.0;
        return 0;
    }
    const double wait = (1.0 - bucket.tokens) / bucket.rate;
    return std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(wait)));
}

}  // namespace relais::http::detail
