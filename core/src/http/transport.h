// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>

#include "http/peer_certificate.h"

/// @file
/// What a connection reads and writes through (internal to relais_http): the TCP socket
/// itself, or a TLS session over it. Every operation is asynchronous and completes on the
/// connection's event loop; none blocks.

namespace relais::http::detail {

using ErrorCode = boost::system::error_code;
using Tcp = boost::asio::ip::tcp;

class Transport {
public:
    /// `data` is valid during the call only.
    using ReadHandler = std::function<void(const ErrorCode&, std::string_view data)>;
    using Handler = std::function<void(const ErrorCode&)>;

    virtual ~Transport() = default;

    /// The TLS handshake; completes at once (successfully) without TLS.
    virtual void handshake(Handler done) = 0;
    /// Waits for bytes and hands over what arrived (at least one byte, or an error; the end
    /// of the stream is `boost::asio::error::eof`).
    virtual void read(ReadHandler done) = 0;
    /// Writes all of `data`, which must stay valid until `done` runs.
    virtual void write(std::string_view data, Handler done) = 0;
    /// No more bytes will be sent (a lingering close still reads what the client sends).
    virtual void shutdownSend() noexcept = 0;
    /// Cancels what is pending (handlers run with `operation_aborted`) and closes the
    /// socket. Idempotent.
    virtual void close() noexcept = 0;
    /// The client's certificate (TLS, when one was presented and verified).
    virtual PeerCertificate peerCertificate() const = 0;
    virtual Tcp::socket& socket() noexcept = 0;
};

/// A transport over `socket`; with `tls` (not null), a TLS server session whose handshake
/// `handshake` makes.
std::unique_ptr<Transport> makeTransport(Tcp::socket socket, boost::asio::ssl::context* tls);

}  // namespace relais::http::detail
