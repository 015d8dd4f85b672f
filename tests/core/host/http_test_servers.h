// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/ThreadPool.h>

#include "support/temp_dir.h"
#include "support/test_pki.h"

/// @file
/// In-test servers for the HTTP client tests, all on 127.0.0.1 port 0.

namespace relais::test {

/// A well-behaved HTTP/1.1 server (Poco::Net::HTTPServer), plain or TLS. Routes:
///   /echo…            200, body "METHOD TARGET\n" + "Name: value\n" per request header
///                     + "\n" + request body; Content-Type text/plain
///   /delay?ms=N       answers "late" after N ms, or at once when the server stops
///   /bytes?n=N[&chunked=1]   N bytes of 'x', with Content-Length or chunked
///   /status?code=N    status N, body "status N"
class EchoServer {
public:
    /// `tls` null: plain HTTP.
    explicit EchoServer(Poco::Net::Context::Ptr tls = nullptr);
    ~EchoServer();
    EchoServer(const EchoServer&) = delete;
    EchoServer& operator=(const EchoServer&) = delete;

    std::uint16_t port() const noexcept { return port_; }
    /// `http(s)://127.0.0.1:<port><path>`.
    std::string url(std::string_view path) const;
    /// TCP connections accepted so far.
    int acceptedConnections() const;

    /// Waits up to `ms` or until the server stops; true when stopped. Used by /delay.
    bool waitForStop(int ms);

private:
    class Factory;

    bool tls_;
    Poco::ThreadPool threads_;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
    std::uint16_t port_ = 0;

    std::mutex mutex_;  // guards stopping_
    std::condition_variable stopped_;
    bool stopping_ = false;
};

/// A TCP server whose every connection runs `script(socket, index)` on its own thread
/// (index counts accepted connections from 0), to misbehave on purpose. The socket is
/// closed when the script returns.
class RawServer {
public:
    using Script = std::function<void(Poco::Net::StreamSocket& socket, int index)>;

    explicit RawServer(Script script);
    ~RawServer();
    RawServer(const RawServer&) = delete;
    RawServer& operator=(const RawServer&) = delete;

    std::uint16_t port() const noexcept { return port_; }
    std::string url(std::string_view path, bool https = false) const;
    int acceptedConnections() const noexcept { return accepted_.load(); }

    /// Records that something happened (`event`), for `waitForEvents`.
    void signal();
    /// Waits until `signal` was called `count` times in all; false after `timeout`.
    bool waitForEvents(int count, std::chrono::milliseconds timeout);
    /// Blocks a script until the server stops (or `timeout`); true when stopped.
    bool waitForStop(std::chrono::milliseconds timeout);

private:
    void acceptLoop();

    Script script_;
    Poco::Net::ServerSocket listener_;
    std::uint16_t port_ = 0;
    std::atomic<int> accepted_{0};
    std::thread acceptor_;

    std::mutex mutex_;  // guards connections_, workers_, events_, stopping_
    std::condition_variable changed_;
    std::vector<Poco::Net::StreamSocket> connections_;
    std::vector<std::thread> workers_;
    int events_ = 0;
    bool stopping_ = false;
};

/// Reads one request (head and Content-Length body) from `socket`; nullopt at end of
/// stream or on error. Gives up after 10 s.
std::optional<std::string> readRequest(Poco::Net::StreamSocket& socket);

/// Writes all of `data`; false on error.
bool writeAll(Poco::Net::StreamSocket& socket, std::string_view data);

/// `HTTP/1.1 200 OK` with the body and its Content-Length.
std::string okResponse(std::string_view body);

/// A server context with `cert`/`key`; with `client_ca` non-empty, client certificates
/// signed by it are required.
Poco::Net::Context::Ptr serverContext(const std::string& cert, const std::string& key,
                                      const std::string& client_ca = {});

}  // namespace relais::test
