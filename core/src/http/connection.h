// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "relais/common/chunked_decoder.h"

#include "http/head_parser.h"
#include "http/request_handler.h"
#include "http/transport.h"

namespace relais::metrics {
class Counter;
}

/// @file
/// One HTTP connection of the server (internal to relais_http): a state machine driven by
/// its event loop. It reads without blocking and parses as bytes arrive (head, then body),
/// hands each complete request to a worker (or answers it on the loop when that cannot
/// block), writes the answer without blocking, and keeps the deadlines of what it waits
/// for with one timer. Idle, it holds its socket and this object, no thread and (without
/// TLS) no buffer.

namespace relais::http::detail {

class ConnectionLimits;
class ServerState;
class WorkerPool;

/// What every connection of a server shares.
struct ConnectionShared {
    ServerState& state;
    WorkerPool& workers;
    ConnectionLimits& limits;
    metrics::Counter& refused_per_address;  ///< connections beyond their address's limit
    metrics::Counter& refused_overloaded;   ///< requests refused with every worker busy
    /// Told after a connection closed (the listener may accept again). Thread-safe.
    std::function<void()> closed;
};

/// Lifetime: shared by the callbacks it has pending; ends when the last one ran after it
/// closed. Thread-safety: used on its event loop only, except `respond` on a worker, while
/// the loop does nothing else with the request.
class Connection final : public std::enable_shared_from_this<Connection> {
public:
    using Registry = std::unordered_set<Connection*>;

    /// `within_limit`: whether its address was within its limit when it opened (else its
    /// request is answered 503). `registry` is its loop's list of open connections.
    Connection(boost::asio::io_context& loop, ConnectionShared& shared, Registry& registry,
               std::unique_ptr<Transport> transport, std::string address, bool within_limit);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    /// Handshake (TLS), then the first request.
    void start();
    /// Cancels everything pending and closes the socket. Idempotent.
    void close() noexcept;

private:
    enum class Phase { Head, Body, Handling, Writing, Lingering };

    void read();
    void onRead(const ErrorCode& error, std::string_view data);
    void process(std::string_view data);
    /// Starts the request whose head arrived; true when its body is to be read now (false:
    /// answered, or waiting for its `100 Continue` to be written).
    bool onHead();
    bool takeBody(std::string_view& data);
    void bodyEnded();
    void dispatch();
    void write(std::string wire);
    void afterWrite(const ErrorCode& error);
    void nextRequest();
    void linger();
    /// The connection closes unless what it waits for is done within `timeout`.
    void arm(std::chrono::milliseconds timeout);
    /// No deadline (a worker has the request).
    void disarm();
    void waitForDeadline();

    boost::asio::io_context& loop_;
    ConnectionShared& shared_;
    Registry& registry_;
    std::unique_ptr<Transport> transport_;
    using Clock = boost::asio::steady_timer::clock_type;
    boost::asio::steady_timer timer_;
    Clock::time_point deadline_ = Clock::time_point::max();  // max: none
    bool timer_waiting_ = false;
    unsigned timer_generation_ = 0;  // a wait whose generation passed was overtaken
    std::string address_;            // IP address, for the per-address count
    std::string remote_;             // `ip:port`, for logs
    bool within_limit_;
    bool closed_ = false;

    Phase phase_ = Phase::Head;
    bool head_deadline_ = true;  // the timer runs the head's deadline (not the idle wait)
    HeadParser parser_;
    std::unique_ptr<RequestHandler> request_;
    std::optional<common::ChunkedParser> chunked_;
    bool linger_ = false;  // close lingering: the client may still be sending
    std::string pending_;  // bytes received past the request being handled (pipelined)
    std::string wire_;     // the answer being written
    std::size_t lingered_ = 0;
    int requests_ = 0;
};

}  // namespace relais::http::detail
