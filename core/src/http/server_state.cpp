// SPDX-License-Identifier: AGPL-3.0-or-later
#include "http/server_state.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <exception>
#include <utility>

#include "relais/http/authenticator.h"
#include "relais/http/router.h"
#include "relais/metrics/registry.h"

namespace relais::http::detail {
namespace {

constexpr std::string_view kUnmatched = "unmatched";

// The method label of the request counter: a closed set, so that a client inventing
// methods cannot create unbounded series.
std::string_view methodLabel(std::string_view method) noexcept {
    static constexpr std::array<std::string_view, 9> kKnown = {
        "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"};
    for (const auto known : kKnown) {
        if (known == method) return known;
    }
    return "other";
}

}  // namespace

ServerState::ServerState(const config::LimitsConfig& limits, const Router& router,
                         const Authenticator& authenticator, metrics::Registry& metrics,
                         log::Sink& sink, bool access_log, RefusalObserver refusal_observer)
    : limits_(limits),
      router_(router),
      authenticator_(authenticator),
      rate_limiter_(authenticator.clients(), limits.client_rate, limits.client_burst),
      refusal_observer_(std::move(refusal_observer)),
      metrics_(metrics),
      access_log_(access_log),
      access_logger_(sink, "http.access", sdk::LogLevel::Info),
      error_logger_(sink, "http", sdk::LogLevel::Info),
      in_flight_gauge_(metrics.gauge("relais_http_in_flight", "HTTP requests being handled")) {
    static constexpr std::string_view kDurationHelp =
        "HTTP request duration, headers read to response sent";
    durations_.reserve(router.routes().size() + 1);
    for (const auto& route : router.routes()) {
        durations_.push_back(&metrics.histogram("relais_http_request_duration_seconds",
                                                kDurationHelp, {{"route", route.name}}));
    }
    durations_.push_back(&metrics.histogram("relais_http_request_duration_seconds", kDurationHelp,
                                            {{"route", std::string(kUnmatched)}}));
}

void ServerState::refused(const Refusal& refusal) noexcept {
    if (!refusal_observer_) return;
    try {
        refusal_observer_(refusal);
    } catch (const std::exception& e) {
        error_logger_.error("refusal not recorded",
                            {{"request_id", std::string(refusal.request_id)}, {"error", e.what()}});
    } catch (...) {
        error_logger_.error("refusal not recorded",
                            {{"request_id", std::string(refusal.request_id)}});
    }
}

void ServerState::beginRequest() {
    {
        std::lock_guard lock(drain_mutex_);
        ++in_flight_;
    }
    in_flight_gauge_.add(1);
}

void ServerState::endRequest() {
    in_flight_gauge_.add(-1);
    std::lock_guard lock(drain_mutex_);
    if (--in_flight_ == 0) drained_.notify_all();
}

bool ServerState::waitIdle(std::chrono::milliseconds timeout) {
    std::unique_lock lock(drain_mutex_);
    return drained_.wait_for(lock, timeout, [this] { return in_flight_ == 0; });
}

metrics::Counter& ServerState::requestCounter(std::string_view route, std::string_view method,
                                              int status) {
    std::string key;
    key.reserve(route.size() + method.size() + 6);
    key.append(route).append(1, '\n').append(method).append(1, '\n').append(std::to_string(status));
    {
        std::shared_lock lock(counters_mutex_);
        const auto found = counters_.find(key);
        if (found != counters_.end()) return *found->second;
    }
    auto& counter = metrics_.counter("relais_http_requests_total", "HTTP requests answered",
                                     {{"route", std::string(route)},
                                      {"method", std::string(method)},
                                      {"code", std::to_string(status)}});
    std::unique_lock lock(counters_mutex_);
    counters_.emplace(std::move(key), &counter);
    return counter;
}

void ServerState::record(const Outcome& outcome) noexcept {
    try {
        const std::size_t index =
            outcome.route != nullptr
                ? static_cast<std::size_t>(outcome.route - router_.routes().data())
                : durations_.size() - 1;
        const std::string_view route_label =
            outcome.route != nullptr ? std::string_view(outcome.route->name) : kUnmatched;
        requestCounter(route_label, methodLabel(outcome.method), outcome.status).increment();
        durations_[std::min(index, durations_.size() - 1)]->observe(outcome.seconds);

        if (!access_log_ || !access_logger_.enabled(sdk::LogLevel::Info)) return;
        // Never the query string nor a header value: both may carry personal data,
        // signatures or keys.
        char duration_ms[32];
        std::snprintf(duration_ms, sizeof duration_ms, "%.3f", outcome.seconds * 1000.0);
        access_logger_.info("request", {{"method", std::string(outcome.method)},
                                        {"path", std::string(outcome.raw_path)},
                                        {"route", std::string(route_label)},
                                        {"status", std::to_string(outcome.status)},
                                        {"bytes_in", std::to_string(outcome.bytes_in)},
                                        {"bytes_out", std::to_string(outcome.bytes_out)},
                                        {"duration_ms", duration_ms},
                                        {"client", std::string(outcome.client)},
                                        {"request_id", std::string(outcome.request_id)},
                                        {"remote", std::string(outcome.remote)}});
    } catch (...) {
        // Accounting must never fail a request that has already been answered.
    }
}

}  // namespace relais::http::detail
