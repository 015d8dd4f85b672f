// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <chrono>
#include <cstdint>
#include <ios>
#include <string>
#include <type_traits>
#include <utility>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/Socket.h>
#include <Poco/Net/X509Certificate.h>
#include <Poco/Timespan.h>

#include "host/http_client_tls.h"

/// @file
/// Private to the HTTP client: one keep-alive connection (HTTP or HTTPS) and the deadline
/// arithmetic of the calls made on it.

namespace relais::host::http_detail {

using Clock = std::chrono::steady_clock;

// Poco closes a keep-alive session on its own after this much idle time (8 s by default);
// the pool's idle timeout decides instead, so Poco's is pushed out of the way.
inline constexpr Poco::Timespan::TimeDiff kPocoKeepAliveSeconds = 24 * 3600;

inline Poco::Timespan millis(std::int64_t ms) {
    return Poco::Timespan(ms * Poco::Timespan::MILLISECONDS);
}

/// The time left before `deadline`; throws `Poco::TimeoutException` when none is.
inline Poco::Timespan remaining(Clock::time_point deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) throw Poco::TimeoutException("deadline reached");
    return millis(left);
}

/// One keep-alive connection to one endpoint, owned by a request or by the pool.
class Connection {
public:
    virtual ~Connection() = default;

    virtual Poco::Net::HTTPClientSession& session() noexcept = 0;
    /// Resolves, connects and, for HTTPS, completes the handshake and checks the host name,
    /// so that connection failures are told apart from failures of the exchange.
    virtual void open() = 0;
    /// Bytes received but not consumed: on an idle connection, something the server sent
    /// unasked, which makes the connection unusable.
    virtual int unreadBytes() const noexcept = 0;
    /// Request bytes handed to the socket since the last `resetBytesWritten`.
    virtual std::uint64_t bytesWritten() const noexcept = 0;
    virtual void resetBytesWritten() noexcept = 0;
    /// Raw access to the bytes after the response head (buffered first, then the socket):
    /// the next byte or EOF, and up to `length` bytes (0 at end of stream).
    virtual int nextByte() = 0;
    virtual int readRaw(char* buffer, std::streamsize length) = 0;

    /// Sets the connect timeout and the send/receive timeout for the next operations.
    void setTimeouts(Poco::Timespan connect, Poco::Timespan io) {
        auto& poco_session = session();
        poco_session.setTimeout(connect, io, io);
        if (poco_session.connected()) {
            poco_session.socket().setSendTimeout(io);
            poco_session.socket().setReceiveTimeout(io);
        }
    }

    /// True when the server closed this idle connection (or sent something unasked):
    /// checked before reuse, which catches the usual stale keep-alive without sending.
    bool looksClosed() {
        if (unreadBytes() > 0) return true;
        try {
            return session().socket().poll(Poco::Timespan(0), Poco::Net::Socket::SELECT_READ |
                                                                  Poco::Net::Socket::SELECT_ERROR);
        } catch (const Poco::Exception&) {
            return true;
        }
    }
};

template <typename PocoSession>
class ConnectionOf final : public Connection {
public:
    template <typename... Args>
    explicit ConnectionOf(std::string host, bool verify_host, Args&&... args)
        : session_(std::forward<Args>(args)...), host_(std::move(host)), verify_host_(verify_host) {
        session_.setKeepAlive(true);
        session_.setKeepAliveTimeout(Poco::Timespan(kPocoKeepAliveSeconds, 0));
    }

    Poco::Net::HTTPClientSession& session() noexcept override { return session_; }

    void open() override {
        session_.open();
        if constexpr (std::is_same_v<PocoSession, Poco::Net::HTTPSClientSession>) {
            // Poco checks the name too (VERIFY_STRICT), but the check is ours to guarantee:
            // it must not depend on Poco's loopback exemptions or on its version.
            if (verify_host_ && !certificateMatchesHost(session_.serverCertificate(), host_)) {
                throw Poco::Net::CertificateValidationException(
                    "the server certificate does not name " + host_);
            }
        }
    }

    int unreadBytes() const noexcept override { return session_.unread(); }
    std::uint64_t bytesWritten() const noexcept override { return session_.written(); }
    void resetBytesWritten() noexcept override { session_.resetWritten(); }
    int nextByte() override { return session_.nextByte(); }
    int readRaw(char* buffer, std::streamsize length) override {
        return session_.readRaw(buffer, length);
    }

private:
    // Exposes what Poco keeps protected: connecting on demand, the read buffer, and a
    // count of the bytes written (to know whether a failed request left the client).
    class Session final : public PocoSession {
    public:
        using PocoSession::PocoSession;
        void open() { this->reconnect(); }
        int unread() const noexcept { return this->buffered(); }
        int nextByte() { return this->get(); }
        int readRaw(char* buffer, std::streamsize length) { return this->read(buffer, length); }
        std::uint64_t written() const noexcept { return written_; }
        void resetWritten() noexcept { written_ = 0; }

    protected:
        int write(const char* buffer, std::streamsize length) override {
            const int n = PocoSession::write(buffer, length);
            if (n > 0) written_ += static_cast<std::uint64_t>(n);
            return n;
        }

    private:
        std::uint64_t written_ = 0;
    };

    Session session_;
    std::string host_;
    bool verify_host_;
};

}  // namespace relais::host::http_detail
