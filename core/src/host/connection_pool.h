// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "relais/host/http_client.h"

#include "host/http_client_connection.h"

/// @file
/// Private to the HTTP client: the idle keep-alive connections, per endpoint.

namespace relais::host::http_detail {

/// Idle connections by pool key (scheme, authority, TLS options), most recently used
/// last, each dropped once older than the idle timeout.
///
/// Thread-safety: every member function is thread-safe; `pool_mutex_` guards `idle_` and
/// `next_sweep_` and is never held during network I/O (connections are closed outside it).
class ConnectionPool {
public:
    explicit ConnectionPool(const HttpClientOptions& options) : options_(options) {}
    ConnectionPool(const ConnectionPool&) = delete;
    ConnectionPool& operator=(const ConnectionPool&) = delete;

    /// The most recently used idle connection of the endpoint that still looks open, or
    /// null. Connections found closed or expired are dropped outside the lock.
    std::unique_ptr<Connection> takeIdle(const std::string& pool_key);
    /// Keeps `connection` for reuse (the oldest of the endpoint is dropped beyond
    /// `max_idle_per_endpoint`).
    void giveBack(const std::string& pool_key, std::unique_ptr<Connection> connection);
    /// Closes every idle connection.
    void clear();

private:
    struct Idle {
        std::unique_ptr<Connection> connection;
        Clock::time_point since;
    };

    void sweepExpiredLocked(Clock::time_point now,
                            std::vector<std::unique_ptr<Connection>>& dropped);

    const HttpClientOptions options_;
    std::mutex pool_mutex_;  // guards idle_ and next_sweep_; never held during network I/O
    std::unordered_map<std::string, std::vector<Idle>> idle_;  // per endpoint, oldest first
    Clock::time_point next_sweep_{};
};

}  // namespace relais::host::http_detail
