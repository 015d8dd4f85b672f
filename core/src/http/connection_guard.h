// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_map>

#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerConnection.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/TCPServerConnectionFactory.h>

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

/// Poco's HTTP connection with a header deadline from its first byte: the guard cuts it if
/// the first request's headers are not in by then (later requests are armed by the
/// request handler when the previous one ends).
class GuardedConnection final : public Poco::Net::HTTPServerConnection {
public:
    GuardedConnection(const Poco::Net::StreamSocket& socket,
                      Poco::Net::HTTPServerParams::Ptr params,
                      Poco::Net::HTTPRequestHandlerFactory::Ptr factory, ConnectionGuard& guard,
                      std::chrono::milliseconds header_timeout);
    void run() override;

private:
    ConnectionGuard& guard_;
    std::chrono::milliseconds header_timeout_;
};

/// Makes `GuardedConnection`s for a `Poco::Net::TCPServer`.
class GuardedConnectionFactory final : public Poco::Net::TCPServerConnectionFactory {
public:
    GuardedConnectionFactory(Poco::Net::HTTPServerParams::Ptr params,
                             Poco::Net::HTTPRequestHandlerFactory::Ptr factory,
                             ConnectionGuard& guard, std::chrono::milliseconds header_timeout);
    Poco::Net::TCPServerConnection* createConnection(
        const Poco::Net::StreamSocket& socket) override;

private:
    Poco::Net::HTTPServerParams::Ptr params_;
    Poco::Net::HTTPRequestHandlerFactory::Ptr factory_;
    ConnectionGuard& guard_;
    std::chrono::milliseconds header_timeout_;
};

}  // namespace relais::http::detail
