// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <Poco/Net/StreamSocket.h>

/// @file
/// Raw HTTP/1.1 over a plain socket, for the requests a well-behaved client library will not
/// send (oversized, truncated, malformed, slow).

namespace relais::test {

struct RawResponse {
    int status = 0;                  ///< 0: no status line arrived
    std::string head;                ///< status line and headers
    std::string body;                ///< as far as Content-Length says (or until close)
    bool connection_closed = false;  ///< the server closed after the response

    /// First header `name` (case-insensitive), or empty.
    std::string header(std::string_view name) const;
};

/// One connection to 127.0.0.1:`port`. Reads wait at most until their deadline.
class RawConnection {
public:
    explicit RawConnection(int port);

    void send(std::string_view data);
    /// Half-closes: the server sees the end of the request stream.
    void shutdownSend();
    /// Reads one response, interim ones (`100 Continue`) included: headers, then a
    /// Content-Length body (or everything until close). Fails the test and returns
    /// what arrived if `timeout` passes first.
    RawResponse readResponse(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    /// Waits until the server closes the connection (EOF or reset); false on timeout.
    bool waitClosed(std::chrono::milliseconds timeout);

private:
    /// Receives more bytes into `buffer_` before `deadline`; false on EOF, reset or timeout.
    bool receiveMore(std::chrono::steady_clock::time_point deadline);

    Poco::Net::StreamSocket socket_;
    std::string buffer_;
    bool closed_ = false;
};

/// Sends `request` on a fresh connection and reads the response.
RawResponse rawExchange(int port, std::string_view request,
                        std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace relais::test
