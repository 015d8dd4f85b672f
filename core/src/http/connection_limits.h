// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace relais::metrics {
class Gauge;
}

/// @file
/// The count of open connections, in total and per source address (internal to
/// relais_http): what stops one client, or a crowd of idle ones, from taking every
/// connection the server can hold.

namespace relais::http::detail {

/// Thread-safety: every member function is thread-safe (one mutex; taken once when a
/// connection opens and once when it closes, never per request).
class ConnectionLimits {
public:
    /// `per_address` 0: no limit per address. `open` counts the connections (gauge).
    ConnectionLimits(int total, int per_address, metrics::Gauge& open);

    /// Counts a new connection from `address` (an IP address, no port). Returns whether
    /// the address is within its limit: a connection beyond it is still counted (and must
    /// be released) but is only answered 503.
    bool open(const std::string& address);
    /// The connection from `address` closed.
    void close(const std::string& address);
    /// Whether the server holds as many connections as it may (accepting waits).
    bool full() const;

private:
    const std::size_t total_;
    const std::size_t per_address_;
    metrics::Gauge& open_gauge_;
    mutable std::mutex mutex_;  // guards what follows
    std::size_t open_ = 0;
    std::unordered_map<std::string, std::size_t> by_address_;
};

}  // namespace relais::http::detail
