// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "http/connection.h"

/// @file
/// The event loops of the server and the socket they accept on (internal to relais_http).
///
/// Boost.Asio (Debian's Boost headers, already a dependency) rather than Poco's
/// `SocketReactor`: Asio's epoll loop runs completion handlers without allocating a
/// notification per event, has timers built in (one per connection: the deadlines), and
/// does TLS handshakes and records without blocking over OpenSSL (`asio::ssl::stream`),
/// which Poco 1.11's secure sockets do not offer to a reactor.

namespace relais::http::detail {

/// Thread-safety: `start` and `stop` on the control thread; the rest runs on the loops.
class Listener {
public:
    /// `tls` null: plain HTTP. Every reference must outlive the listener.
    Listener(ConnectionShared& shared, boost::asio::ssl::context* tls, int loops);
    ~Listener();
    Listener(const Listener&) = delete;
    Listener& operator=(const Listener&) = delete;

    /// Binds `address:port` (SO_REUSEADDR for quick restarts, never SO_REUSEPORT: a second
    /// process on the same port must fail, not silently share the traffic), listens and
    /// starts the loops. Throws `Poco::IOException` when the address cannot be bound.
    void start(const std::string& address, int port);
    /// The bound port.
    int port() const noexcept { return port_; }
    /// Stops accepting (new connections are refused by the kernel).
    void stopAccepting();
    /// Closes every connection, stops the loops and joins their threads; connections whose
    /// request a worker still holds end when the worker hands it back (or when the
    /// listener is destroyed).
    void stop();
    /// A connection closed: accepting resumes if it was paused at the limit. Any thread.
    void connectionClosed();

private:
    struct Loop {
        // Destroyed after the context, whose pending handlers may hold its connections.
        Connection::Registry connections;
        boost::asio::io_context context{1};
        std::thread thread;
    };

    void accept();
    void onAccept(Loop& loop, const ErrorCode& error, Tcp::socket socket);

    ConnectionShared& shared_;
    boost::asio::ssl::context* tls_;
    std::vector<std::unique_ptr<Loop>> loops_;
    std::vector<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
    std::unique_ptr<Tcp::acceptor> acceptor_;
    std::unique_ptr<boost::asio::steady_timer> retry_;  // accepting again after EMFILE
    std::size_t next_loop_ = 0;
    std::atomic<bool> paused_{false};  // at the connection limit: not accepting
    std::atomic<bool> accepting_{false};
    int port_ = 0;
};

}  // namespace relais::http::detail
