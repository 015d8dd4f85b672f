// SPDX-License-Identifier: AGPL-3.0-or-later
#include "http/lingering_close.h"

#include <array>
#include <chrono>
#include <cstddef>

#include <Poco/Net/HTTPServerRequestImpl.h>

#include "http/request_handler.h"

namespace relais::http::detail {
namespace {

constexpr std::size_t kLingerBuffer = std::size_t{16} * 1024;
constexpr std::size_t kLingerMaxBytes = std::size_t{1024} * 1024;
constexpr auto kLingerMaxTime = std::chrono::milliseconds(1000);

}  // namespace

void discardIncoming(Poco::Net::StreamSocket& socket, Poco::Timespan receive_timeout) {
    socket.setReceiveTimeout(receive_timeout);
    std::array<char, kLingerBuffer> buffer{};
    std::size_t discarded = 0;
    const auto deadline = Clock::now() + kLingerMaxTime;
    while (discarded < kLingerMaxBytes && Clock::now() < deadline) {
        const int n = socket.receiveBytes(buffer.data(), static_cast<int>(buffer.size()));
        if (n <= 0) break;
        discarded += static_cast<std::size_t>(n);
    }
}

void RequestHandler::linger(Poco::Net::HTTPServerRequest& request) noexcept {
    auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request);
    if (impl == nullptr) return;
    try {
        Poco::Net::StreamSocket& socket = impl->socket();
        socket.shutdownSend();
        discardIncoming(socket, Poco::Timespan(0, 200'000));
    } catch (...) {
        // Timeout, reset, or already closed: the connection is being dropped anyway.
    }
}

}  // namespace relais::http::detail
