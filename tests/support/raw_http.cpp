// SPDX-License-Identifier: AGPL-3.0-or-later
#include "support/raw_http.h"

#include <algorithm>
#include <array>

#include <Poco/Exception.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SocketAddress.h>
#include <gtest/gtest.h>

#include "relais/common/strings.h"

namespace relais::test {

using Clock = std::chrono::steady_clock;

std::string RawResponse::header(std::string_view name) const {
    std::size_t pos = head.find("\r\n");
    while (pos != std::string::npos && pos + 2 < head.size()) {
        const auto start = pos + 2;
        const auto end = head.find("\r\n", start);
        const auto line = std::string_view(head).substr(
            start, end == std::string::npos ? std::string::npos : end - start);
        const auto colon = line.find(':');
        if (colon != std::string_view::npos &&
            common::equalsIgnoreCase(common::trim(line.substr(0, colon)), name)) {
            return std::string(common::trim(line.substr(colon + 1)));
        }
        pos = end;
    }
    return {};
}

RawConnection::RawConnection(int port) {
    socket_.connect(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)),
                    Poco::Timespan(5, 0));
}

void RawConnection::send(std::string_view data) {
    while (!data.empty()) {
        const int n = socket_.sendBytes(data.data(), static_cast<int>(data.size()));
        if (n <= 0) throw Poco::IOException("send failed");
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

void RawConnection::shutdownSend() { socket_.shutdownSend(); }

bool RawConnection::receiveMore(Clock::time_point deadline) {
    if (closed_) return false;
    const auto left =
        std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    std::array<char, std::size_t{16} * 1024> chunk{};
    try {
        if (!socket_.poll(Poco::Timespan(left.count()), Poco::Net::Socket::SELECT_READ)) {
            return false;
        }
        const int n = socket_.receiveBytes(chunk.data(), static_cast<int>(chunk.size()));
        if (n <= 0) {
            closed_ = true;
            return false;
        }
        buffer_.append(chunk.data(), static_cast<std::size_t>(n));
        return true;
    } catch (const Poco::Net::ConnectionResetException&) {
        closed_ = true;
        return false;
    }
}

RawResponse RawConnection::readResponse(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    RawResponse response;
    std::size_t head_end = std::string::npos;
    for (;;) {
        head_end = buffer_.find("\r\n\r\n");
        if (head_end != std::string::npos) break;
        if (!receiveMore(deadline)) {
            if (!closed_) ADD_FAILURE() << "no complete response head before the deadline";
            response.head = buffer_;
            response.connection_closed = closed_;
            return response;
        }
    }
    response.head = buffer_.substr(0, head_end);
    buffer_.erase(0, head_end + 4);
    if (response.head.size() >= 12 && response.head.compare(0, 5, "HTTP/") == 0) {
        response.status = std::stoi(response.head.substr(9, 3));
    }
    const auto length_text = response.header("Content-Length");
    if (!length_text.empty()) {
        const auto length = static_cast<std::size_t>(std::stoull(length_text));
        while (buffer_.size() < length && receiveMore(deadline)) {
        }
        if (buffer_.size() < length) ADD_FAILURE() << "response body incomplete";
        response.body = buffer_.substr(0, std::min(length, buffer_.size()));
        buffer_.erase(0, response.body.size());
    } else if (response.status >= 200 && response.status != 204 && response.status != 304) {
        while (receiveMore(deadline)) {
        }
        response.body = std::move(buffer_);
        buffer_.clear();
    }
    if (common::equalsIgnoreCase(response.header("Connection"), "close")) {
        response.connection_closed =
            waitClosed(std::chrono::duration_cast<std::chrono::milliseconds>(
                std::max(deadline - Clock::now(), Clock::duration::zero())));
    } else {
        response.connection_closed = closed_;
    }
    return response;
}

bool RawConnection::waitClosed(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!closed_ && Clock::now() < deadline) {
        receiveMore(deadline);
    }
    return closed_;
}

RawResponse rawExchange(int port, std::string_view request, std::chrono::milliseconds timeout) {
    RawConnection connection(port);
    connection.send(request);
    return connection.readResponse(timeout);
}

}  // namespace relais::test
