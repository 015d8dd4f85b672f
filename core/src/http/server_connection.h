// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>

#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Net/TCPServerConnectionFactory.h>
#include <Poco/SharedPtr.h>

/// @file
/// One HTTP connection of the server (internal to relais_http): Poco's HTTPServerConnection
/// loop, with two differences that need the loop itself.
///
/// - A deadline for the request headers from the connection's first byte (see
///   connection_guard.h); later requests are armed by the request handler.
/// - A request Poco's parser refuses before any handler exists (more than 100 header
///   fields, a field over 8 KiB, a target over 16 KiB, a malformed request line) gets a
///   problem document, an `X-Request-Id`, a metric and an access-log line like any other
///   refusal, where Poco would send a bare 400.
///
/// And a stop that cuts connections at the kernel level, never through OpenSSL from the
/// stopping thread (the connection thread may be inside SSL_read).

namespace relais::http::detail {

class HandlerFactory;
class ServerState;

class ServerConnection final : public Poco::Net::TCPServerConnection {
public:
    ServerConnection(const Poco::Net::StreamSocket& socket, Poco::Net::HTTPServerParams::Ptr params,
                     Poco::SharedPtr<HandlerFactory> factory, ServerState& state,
                     std::chrono::milliseconds header_timeout);
    ~ServerConnection() override;
    ServerConnection(const ServerConnection&) = delete;
    ServerConnection& operator=(const ServerConnection&) = delete;

    void run() override;

private:
    void serveRequests();
    /// Answers a request head Poco could not parse, then the connection closes.
    void refuseHead(const Poco::Net::MessageException& error, double seconds) noexcept;
    /// The server's `serverStopped` event: no new request on this connection; with
    /// `abort`, the socket is shut now, else once the request in progress is answered.
    void onServerStopped(const void* sender, const bool& abort);
    void shutSocket() noexcept;

    Poco::Net::HTTPServerParams::Ptr params_;
    Poco::SharedPtr<HandlerFactory> factory_;
    ServerState& state_;
    std::chrono::milliseconds header_timeout_;
    std::atomic<bool> stopped_{false};
    std::mutex request_mutex_;  // held while a request is served; a graceful stop waits on it
};

/// Makes `ServerConnection`s for a `Poco::Net::TCPServer`.
class ServerConnectionFactory final : public Poco::Net::TCPServerConnectionFactory {
public:
    ServerConnectionFactory(Poco::Net::HTTPServerParams::Ptr params,
                            Poco::SharedPtr<HandlerFactory> factory, ServerState& state,
                            std::chrono::milliseconds header_timeout);
    Poco::Net::TCPServerConnection* createConnection(
        const Poco::Net::StreamSocket& socket) override;

private:
    Poco::Net::HTTPServerParams::Ptr params_;
    Poco::SharedPtr<HandlerFactory> factory_;
    ServerState& state_;
    std::chrono::milliseconds header_timeout_;
};

}  // namespace relais::http::detail
