// SPDX-License-Identifier: AGPL-3.0-or-later
#include "http/transport.h"

#include <array>
#include <utility>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <sys/socket.h>

namespace relais::http::detail {
namespace {

namespace asio = boost::asio;

// What one read takes at most. Plain connections read into one buffer per event-loop
// thread, so an idle connection holds no buffer at all; TLS sessions have their own.
constexpr std::size_t kReadBuffer = std::size_t{64} * 1024;
constexpr std::size_t kTlsReadBuffer = std::size_t{16} * 1024;

class PlainTransport final : public Transport {
public:
    explicit PlainTransport(Tcp::socket socket) : socket_(std::move(socket)) {
        ErrorCode ignored;
        socket_.non_blocking(true, ignored);
        socket_.set_option(Tcp::no_delay(true), ignored);
    }

    void handshake(Handler done) override { done(ErrorCode()); }

    void read(ReadHandler done) override {
        // Wait for readability, then read into the loop's buffer: between requests a
        // keep-alive connection costs its socket and a small state, not a buffer.
        socket_.async_wait(Tcp::socket::wait_read,
                           [this, done = std::move(done)](const ErrorCode& error) mutable {
                               if (error) return done(error, {});
                               readNow(std::move(done));
                           });
    }

    void write(std::string_view data, Handler done) override {
        asio::async_write(
            socket_, asio::buffer(data.data(), data.size()),
            [done = std::move(done)](const ErrorCode& error, std::size_t) { done(error); });
    }

    void shutdownSend() noexcept override {
        ErrorCode ignored;
        socket_.shutdown(Tcp::socket::shutdown_send, ignored);
    }

    void close() noexcept override {
        ErrorCode ignored;
        socket_.close(ignored);
    }

    PeerCertificate peerCertificate() const override { return {}; }
    Tcp::socket& socket() noexcept override { return socket_; }

private:
    void readNow(ReadHandler done) {
        thread_local std::vector<char> buffer(kReadBuffer);
        ErrorCode error;
        const std::size_t n = socket_.read_some(asio::buffer(buffer), error);
        if (error == asio::error::would_block || error == asio::error::try_again) {
            return read(std::move(done));  // a spurious wake-up
        }
        done(error, std::string_view(buffer.data(), error ? 0 : n));
    }

    Tcp::socket socket_;
};

class TlsTransport final : public Transport {
public:
    TlsTransport(Tcp::socket socket, asio::ssl::context& context)
        : stream_(std::move(socket), context) {
        ErrorCode ignored;
        stream_.next_layer().set_option(Tcp::no_delay(true), ignored);
    }

    void handshake(Handler done) override {
        stream_.async_handshake(asio::ssl::stream_base::server,
                                [done = std::move(done)](const ErrorCode& error) { done(error); });
    }

    void read(ReadHandler done) override {
        if (buffer_.empty()) buffer_.resize(kTlsReadBuffer);
        stream_.async_read_some(asio::buffer(buffer_), [this, done = std::move(done)](
                                                           const ErrorCode& error, std::size_t n) {
            done(error, std::string_view(buffer_.data(), error ? 0 : n));
        });
    }

    void write(std::string_view data, Handler done) override {
        asio::async_write(
            stream_, asio::buffer(data.data(), data.size()),
            [done = std::move(done)](const ErrorCode& error, std::size_t) { done(error); });
    }

    void shutdownSend() noexcept override {
        // At the kernel level: a TLS close_notify would need a write that may block.
        ErrorCode ignored;
        stream_.next_layer().shutdown(Tcp::socket::shutdown_send, ignored);
    }

    void close() noexcept override {
        ErrorCode ignored;
        stream_.next_layer().close(ignored);
    }

    PeerCertificate peerCertificate() const override {
        return detail::peerCertificate(
            const_cast<SSL*>(const_cast<asio::ssl::stream<Tcp::socket>&>(stream_).native_handle()));
    }
    Tcp::socket& socket() noexcept override { return stream_.next_layer(); }

private:
    asio::ssl::stream<Tcp::socket> stream_;
    std::vector<char> buffer_;
};

}  // namespace

std::unique_ptr<Transport> makeTransport(Tcp::socket socket, asio::ssl::context* tls) {
    if (tls != nullptr) return std::make_unique<TlsTransport>(std::move(socket), *tls);
    return std::make_unique<PlainTransport>(std::move(socket));
}

}  // namespace relais::http::detail
