// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_map>

#include <Poco/Net/StreamSocket.h>

/// @file
/// Deadlines on the slow parts of a connection (internal to relais_http).
///
/// Poco's socket timeouts bound each read, not a whole request: a client sending its
/// headers one byte every few seconds (slowloris) would hold a server thread for ever. The
/// guard gives each connection a deadline for what it is waiting for (request headers,
/// then the body) and cuts the connection when it passes.

namespace relais::http::detail {

/// Watches the deadlines of connections; one thread wakes at the earliest and shuts down
/// the sockets whose deadline has passed (at the kernel level: the connection thread's
/// blocked read then fails and the connection ends, TLS state untouched).
///
/// Thread-safety: every member function is thread-safe.
class ConnectionGuard {
public:
    using Clock = std::chrono::steady_clock;

    ConnectionGuard();
    ~ConnectionGuard();
    ConnectionGuard(const ConnectionGuard&) = delete;
    ConnectionGuard& operator=(const ConnectionGuard&) = delete;

    /// `socket` must be done with what it waits for by `deadline`.
    void arm(const Poco::Net::StreamSocket& socket, Clock::time_point deadline);
    /// No deadline for `socket` (its request is being handled).
    void disarm(const Poco::Net::StreamSocket& socket);
    /// Forgets `socket` (its connection ended); releases the guard's reference to it.
    void forget(const Poco::Net::StreamSocket& socket);

private:
    void watch();

    struct Watched {
        Poco::Net::StreamSocket socket;
        Clock::time_point deadline;
        bool armed = false;
    };
    std::mutex mutex_;  // guards everything below
    std::condition_variable changed_;
    std::unordered_map<const void*, Watched> sockets_;      ///< by socket implementation
    Clock::time_point wake_at_ = Clock::time_point::max();  ///< when the watcher wakes next
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace relais::http::detail
