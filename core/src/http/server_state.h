// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "relais/config/config.h"
#include "relais/http/server.h"
#include "relais/log/log.h"

#include "http/rate_limiter.h"

namespace relais::metrics {
class Counter;
class Gauge;
class Histogram;
class Registry;
}  // namespace relais::metrics

namespace relais::http {
class Authenticator;
class Router;
struct Endpoint;
}  // namespace relais::http

/// @file
/// The state one HTTP server shares between its requests (internal to relais_http): what
/// they are checked against, what counts them, and the in-flight count `stop` drains.

namespace relais::http::detail {

/// What every request of one server shares: the routing table, the authenticator, the
/// limits, metric handles, loggers, and the count of requests in flight (for draining).
///
/// Lifetime: owned by the server; outlives every handler (the server joins its threads
/// before destroying it). Thread-safety: every member function is thread-safe;
/// `drain_mutex_` guards `in_flight_`, `counters_mutex_` guards `counters_`.
class ServerState {
public:
    ServerState(const config::LimitsConfig& limits, const Router& router,
                const Authenticator& authenticator, metrics::Registry& metrics, log::Sink& sink,
                bool access_log, RefusalObserver refusal_observer);
    ServerState(const ServerState&) = delete;
    ServerState& operator=(const ServerState&) = delete;

    const config::LimitsConfig& limits() const noexcept { return limits_; }
    const Router& router() const noexcept { return router_; }
    const Authenticator& authenticator() const noexcept { return authenticator_; }
    RateLimiter& rateLimiter() noexcept { return rate_limiter_; }
    /// Tells the refusal observer, if any; never throws.
    void refused(const Refusal& refusal) noexcept;
    log::Logger& errorLogger() noexcept { return error_logger_; }

    /// From now on every response closes its connection (draining before a stop).
    void setStopping(bool stopping) noexcept { stopping_.store(stopping); }
    bool stopping() const noexcept { return stopping_.load(); }

    void beginRequest();
    void endRequest();
    /// Waits until no request is in flight or `timeout` passed; true when idle.
    bool waitIdle(std::chrono::milliseconds timeout);

    /// Counts one finished request in the metrics and, when enabled, writes its access-log
    /// line. `route` is null for requests that matched no route.
    struct Outcome {
        std::string_view method;
        std::string_view raw_path;
        const Endpoint* route = nullptr;
        int status = 0;
        std::size_t bytes_in = 0;
        std::size_t bytes_out = 0;
        double seconds = 0;
        std::string_view client;
        std::string_view request_id;
        std::string_view remote;
    };
    void record(const Outcome& outcome) noexcept;

private:
    metrics::Counter& requestCounter(std::string_view route, std::string_view method, int status);

    config::LimitsConfig limits_;
    const Router& router_;
    const Authenticator& authenticator_;
    RateLimiter rate_limiter_;
    RefusalObserver refusal_observer_;
    metrics::Registry& metrics_;
    bool access_log_;
    log::Logger access_logger_;
    log::Logger error_logger_;

    std::atomic<bool> stopping_{false};
    std::mutex drain_mutex_;
    std::condition_variable drained_;
    int in_flight_ = 0;
    metrics::Gauge& in_flight_gauge_;

    /// Latency histograms by route index; the last one is `unmatched`.
    std::vector<metrics::Histogram*> durations_;
    std::shared_mutex counters_mutex_;
    std::unordered_map<std::string, metrics::Counter*> counters_;
};

}  // namespace relais::http::detail
