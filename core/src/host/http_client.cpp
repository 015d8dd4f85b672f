// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/host/http_client.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <istream>
#include <mutex>
#include <new>
#include <optional>
#include <ostream>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/Socket.h>
#include <Poco/Net/X509Certificate.h>
#include <Poco/Timespan.h>
#include <pthread.h>
#include <signal.h>

#include "relais/common/errors.h"

#include "host/http_client_request.h"
#include "host/http_client_tls.h"

namespace relais::host {
namespace {

using Clock = std::chrono::steady_clock;
using sdk::ErrorCode;
using sdk::fail;

// Request bodies are written in slices so that the send timeout shrinks with the deadline.
constexpr std::size_t kWriteSlice = 64 * 1024;
constexpr std::size_t kReadChunk = 16 * 1024;
constexpr std::size_t kMaxChunkLine = 4096;
constexpr int kMaxTrailerFields = 100;
// Poco closes a keep-alive session on its own after this much idle time (8 s by default);
// the pool's idle timeout decides instead, so Poco's is pushed out of the way.
constexpr Poco::Timespan::TimeDiff kPocoKeepAliveSeconds = 24 * 3600;

Poco::Timespan millis(std::int64_t ms) { return Poco::Timespan(ms * Poco::Timespan::MILLISECONDS); }

/// A write to a socket the peer has closed raises SIGPIPE, which kills the process unless
/// it is ignored; Poco and OpenSSL send without MSG_NOSIGNAL. The signal is blocked on the
/// calling thread for the duration of a call and a SIGPIPE it caused is consumed before
/// unblocking, so the client is safe whatever the process's disposition.
class SigpipeBlock {
public:
    SigpipeBlock() noexcept {
        sigemptyset(&pipe_);
        sigaddset(&pipe_, SIGPIPE);
        sigset_t pending;
        sigemptyset(&pending);
        sigpending(&pending);
        already_pending_ = sigismember(&pending, SIGPIPE) == 1;
        blocked_ = pthread_sigmask(SIG_BLOCK, &pipe_, &previous_) == 0;
    }
    ~SigpipeBlock() {
        if (!blocked_) return;
        if (!already_pending_) {
            sigset_t pending;
            sigemptyset(&pending);
            sigpending(&pending);
            if (sigismember(&pending, SIGPIPE) == 1) {
                const timespec no_wait{0, 0};
                (void)sigtimedwait(&pipe_, nullptr, &no_wait);
            }
        }
        pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
    }
    SigpipeBlock(const SigpipeBlock&) = delete;
    SigpipeBlock& operator=(const SigpipeBlock&) = delete;

private:
    sigset_t pipe_{};
    sigset_t previous_{};
    bool already_pending_ = false;
    bool blocked_ = false;
};

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
            if (verify_host_ &&
                !http_detail::certificateMatchesHost(session_.serverCertificate(), host_)) {
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

/// Where one request goes, resolved once per `send`.
struct Endpoint {
    http_detail::Target target;
    Poco::Net::Context::Ptr tls_context;  // null for http
    bool verify_host = false;
    std::string pool_key;
};

/// The outcome of one attempt on one connection.
struct Attempt {
    std::optional<sdk::HttpResponse> response;
    sdk::Error error;
    bool keep_connection = false;  // the exchange completed and the connection may be reused
    bool stale_suspect = false;    // failed before any response, as a closed connection does
};

Poco::Timespan remaining(Clock::time_point deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) throw Poco::TimeoutException("deadline reached");
    return millis(left);
}

enum class BodyRead { Complete, TooLarge };

/// Reads a body framed by Content-Length (Poco stops at the length) or by the end of the
/// connection, through Poco's response stream. One device read per turn (sgetc fills the
/// stream's buffer once, then only what it holds is taken), so that each socket read waits
/// at most the time left.
BodyRead readBody(Connection& connection, std::istream& body_in, const sdk::HttpRequest& request,
                  Clock::time_point deadline, std::string& body) {
    std::streambuf& source = *body_in.rdbuf();
    char chunk[kReadChunk];
    for (;;) {
        connection.setTimeouts(millis(request.connect_timeout_ms), remaining(deadline));
        if (source.sgetc() == std::char_traits<char>::eof()) return BodyRead::Complete;
        const std::streamsize available = std::max<std::streamsize>(source.in_avail(), 1);
        const auto n = static_cast<std::size_t>(
            source.sgetn(chunk, std::min<std::streamsize>(available, sizeof chunk)));
        if (n > request.max_response_bytes - body.size()) return BodyRead::TooLarge;
        body.append(chunk, n);
    }
}

/// One line of the chunked framing, without its CRLF.
std::string readChunkLine(Connection& connection, Clock::time_point deadline) {
    std::string line;
    for (;;) {
        // The socket timeout was set for the line; the clock check bounds a line that
        // trickles in byte by byte.
        (void)remaining(deadline);
        const int ch = connection.nextByte();
        if (ch == std::char_traits<char>::eof()) {
            throw Poco::IOException("connection closed inside the chunked body");
        }
        if (ch == '\n') break;
        if (line.size() >= kMaxChunkLine) {
            throw Poco::Net::MessageException("chunk header line too long");
        }
        line.push_back(static_cast<char>(ch));
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

/// Decodes a chunked body (RFC 9112 §7.1) from the connection. Poco's decoder takes a
/// connection closed in the middle of the body for its end, which would hand a truncated
/// document to the caller as complete; this one requires the last chunk.
BodyRead readChunkedBody(Connection& connection, const sdk::HttpRequest& request,
                         Clock::time_point deadline, std::string& body) {
    const Poco::Timespan connect_timeout = millis(request.connect_timeout_ms);
    char buffer[kReadChunk];
    for (;;) {
        connection.setTimeouts(connect_timeout, remaining(deadline));
        const std::string line = readChunkLine(connection, deadline);
        std::uint64_t size = 0;
        std::size_t digits = 0;
        for (; digits < line.size(); ++digits) {
            const char c = line[digits];
            int value = 0;
            if (c >= '0' && c <= '9') {
                value = c - '0';
            } else if (c >= 'a' && c <= 'f') {
                value = c - 'a' + 10;
            } else if (c >= 'A' && c <= 'F') {
                value = c - 'A' + 10;
            } else {
                break;
            }
            if (digits == 15) throw Poco::Net::MessageException("chunk size too large");
            size = size * 16 + static_cast<std::uint64_t>(value);
        }
        const char after = digits < line.size() ? line[digits] : ';';
        if (digits == 0 || (after != ';' && after != ' ' && after != '\t')) {
            throw Poco::Net::MessageException("invalid chunk size line");
        }
        if (size == 0) {
            // Trailer fields, ignored, up to the empty line.
            for (int fields = 0; !readChunkLine(connection, deadline).empty(); ++fields) {
                if (fields == kMaxTrailerFields) {
                    throw Poco::Net::MessageException("too many trailer fields");
                }
            }
            return BodyRead::Complete;
        }
        if (size > request.max_response_bytes - body.size()) return BodyRead::TooLarge;
        auto left = static_cast<std::size_t>(size);
        while (left > 0) {
            connection.setTimeouts(connect_timeout, remaining(deadline));
            const int n = connection.readRaw(
                buffer, static_cast<std::streamsize>(std::min(left, sizeof buffer)));
            if (n <= 0) throw Poco::IOException("connection closed inside the chunked body");
            body.append(buffer, static_cast<std::size_t>(n));
            left -= static_cast<std::size_t>(n);
        }
        if (!readChunkLine(connection, deadline).empty()) {
            throw Poco::Net::MessageException("chunk not followed by CRLF");
        }
    }
}

class PooledHttpClient final : public sdk::HttpClient {
public:
    explicit PooledHttpClient(const HttpClientOptions& options) : options_(options) {}

    ~PooledHttpClient() override {
        // Closing TLS connections writes close_notify to peers that may be gone.
        const SigpipeBlock sigpipe_block;
        idle_.clear();
    }

    PooledHttpClient(const PooledHttpClient&) = delete;
    PooledHttpClient& operator=(const PooledHttpClient&) = delete;

    sdk::Result<sdk::HttpResponse> send(const sdk::HttpRequest& request) override {
        const SigpipeBlock sigpipe_block;
        try {
            return sendChecked(request);
        } catch (const std::bad_alloc&) {
            return fail(ErrorCode::Internal, "HTTP client: out of memory");
        } catch (const Poco::Exception& e) {
            return fail(ErrorCode::Internal, "HTTP client: unexpected " + std::string(e.name()));
        } catch (const std::exception& e) {
            return fail(ErrorCode::Internal,
                        std::string("HTTP client: unexpected error: ") + e.what());
        }
    }

private:
    struct Idle {
        std::unique_ptr<Connection> connection;
        Clock::time_point since;
    };

    sdk::Result<sdk::HttpResponse> sendChecked(const sdk::HttpRequest& request) {
        if (auto checked = http_detail::checkRequest(request); !checked) {
            return std::move(checked).error();
        }
        auto target = http_detail::parseTarget(request.url);
        if (!target) return std::move(target).error();

        Endpoint endpoint;
        endpoint.target = std::move(target.value());
        const auto& t = endpoint.target;
        endpoint.pool_key = (t.https ? "https://" : "http://") + t.authority;
        if (t.https) {
            auto tls = tls_contexts_.get(request.tls);
            if (!tls) return std::move(tls).error();
            endpoint.tls_context = std::move(tls.value().context);
            endpoint.verify_host = request.tls.verify_peer;
            endpoint.pool_key += "\n" + tls.value().key;
        }

        const bool may_resend_after_sending = http_detail::isIdempotent(request.method);
        for (int attempt_number = 0;; ++attempt_number) {
            // The retry after a stale connection always takes a new one.
            std::unique_ptr<Connection> connection =
                attempt_number == 0 ? takeIdle(endpoint.pool_key) : nullptr;
            const bool reused = connection != nullptr;
            if (!reused) {
                auto opened = openConnection(endpoint, request);
                if (!opened) return std::move(opened).error();
                connection = std::move(opened.value());
            }

            Attempt attempt = exchange(*connection, endpoint, request);
            if (attempt.response) {
                if (attempt.keep_connection) {
                    giveBack(endpoint.pool_key, std::move(connection));
                }
                return std::move(*attempt.response);
            }
            const bool nothing_sent = connection->bytesWritten() == 0;
            connection.reset();  // closed outside the pool lock
            if (reused && attempt_number == 0 && attempt.stale_suspect &&
                (may_resend_after_sending || nothing_sent)) {
                continue;
            }
            return std::move(attempt.error);
        }
    }

    sdk::Result<std::unique_ptr<Connection>> openConnection(const Endpoint& endpoint,
                                                            const sdk::HttpRequest& request) {
        const auto& t = endpoint.target;
        std::unique_ptr<Connection> connection;
        if (t.https) {
            connection = std::make_unique<ConnectionOf<Poco::Net::HTTPSClientSession>>(
                t.host, endpoint.verify_host, t.host, t.port, endpoint.tls_context);
        } else {
            connection = std::make_unique<ConnectionOf<Poco::Net::HTTPClientSession>>(
                t.host, false, t.host, t.port);
        }
        // The handshake runs under the connect timeout too (Poco applies it to the socket
        // while connecting).
        connection->setTimeouts(millis(request.connect_timeout_ms), millis(request.timeout_ms));
        http_detail::clearVerifyFailure();
        try {
            connection->open();
            // Poco writes the head and the body of a request separately: with Nagle's
            // algorithm the body then waits for the server's delayed ACK (40 ms on Linux)
            // on every request of a kept-alive connection.
            connection->session().socket().setNoDelay(true);
            return connection;
        } catch (const Poco::TimeoutException&) {
            return fail(ErrorCode::Unavailable,
                        "cannot connect to " + t.authority + ": no connection within " +
                            std::to_string(request.connect_timeout_ms) + " ms");
        } catch (const Poco::Net::CertificateValidationException&) {
            // Thrown for the host name check only (by Poco's or ours).
            return fail(ErrorCode::Unavailable, "TLS handshake with " + t.authority +
                                                    " failed: the server certificate is not "
                                                    "valid for the name " +
                                                    t.host);
        } catch (const Poco::Net::SSLException& e) {
            const std::string refused = http_detail::verifyFailure();
            return fail(
                ErrorCode::Unavailable,
                "TLS handshake with " + t.authority + " failed: " +
                    (refused.empty() ? e.displayText()
                                     : "the server certificate is not trusted: " + refused));
        } catch (const Poco::Exception& e) {
            return fail(ErrorCode::Unavailable,
                        "cannot connect to " + t.authority + ": " + e.displayText());
        }
    }

    /// Sends the request and reads the whole response, within `timeout_ms` from the start
    /// of the exchange and `max_response_bytes`.
    static Attempt exchange(Connection& connection, const Endpoint& endpoint,
                            const sdk::HttpRequest& request) {
        enum class Phase { Send, ReceiveHead, ReceiveBody };
        Phase phase = Phase::Send;
        const auto& t = endpoint.target;
        Attempt attempt;
        auto failed = [&](ErrorCode code, std::string message, bool stale_suspect) {
            attempt.error = fail(code, std::move(message));
            attempt.stale_suspect = stale_suspect;
            return std::move(attempt);
        };

        connection.resetBytesWritten();
        try {
            const auto deadline = Clock::now() + std::chrono::milliseconds(request.timeout_ms);
            auto& session = connection.session();
            connection.setTimeouts(millis(request.connect_timeout_ms), remaining(deadline));

            Poco::Net::HTTPRequest out(request.method, t.request_target,
                                       Poco::Net::HTTPMessage::HTTP_1_1);
            for (const auto& [name, value] : request.headers) out.add(name, value);
            out.set(Poco::Net::HTTPRequest::HOST, t.host_header);
            if (!out.has("User-Agent")) out.set("User-Agent", "relais/" RELAIS_VERSION);
            const bool has_body = !request.body.empty() || request.method == "POST" ||
                                  request.method == "PUT" || request.method == "PATCH";
            if (has_body) {
                out.setContentLength64(static_cast<Poco::Int64>(request.body.size()));
            }

            std::ostream& body_out = session.sendRequest(out);
            std::string_view body = request.body;
            while (!body.empty() && body_out.good()) {
                const std::size_t n = std::min(body.size(), kWriteSlice);
                connection.setTimeouts(millis(request.connect_timeout_ms), remaining(deadline));
                body_out.write(body.data(), static_cast<std::streamsize>(n));
                body.remove_prefix(n);
            }
            body_out.flush();
            if (!body_out.good()) {
                if (const Poco::Exception* e = session.networkException()) e->rethrow();
                throw Poco::IOException("the request could not be written");
            }

            phase = Phase::ReceiveHead;
            connection.setTimeouts(millis(request.connect_timeout_ms), remaining(deadline));
            Poco::Net::HTTPResponse in;
            std::istream& body_in = session.receiveResponse(in);

            phase = Phase::ReceiveBody;
            const int status = static_cast<int>(in.getStatus());
            const bool expect_body =
                request.method != "HEAD" && status >= 200 && status != 204 && status != 304;
            const bool chunked = in.getChunkedTransferEncoding();
            const bool has_length = !chunked && in.hasContentLength();
            const std::size_t limit = request.max_response_bytes;
            std::uint64_t announced = 0;
            if (expect_body && has_length) {
                const Poco::Int64 length = in.getContentLength64();
                if (length < 0) throw Poco::Net::MessageException("negative Content-Length");
                announced = static_cast<std::uint64_t>(length);
                if (announced > limit) {
                    return failed(ErrorCode::TooLarge,
                                  "the response from " + t.authority + " announces " +
                                      std::to_string(announced) + " bytes, over the limit of " +
                                      std::to_string(limit),
                                  false);
                }
            }

            sdk::HttpResponse response;
            response.status = status;
            response.reason = in.getReason();
            for (const auto& [name, value] : in) response.headers.emplace_back(name, value);
            if (has_length) response.body.reserve(static_cast<std::size_t>(announced));

            const BodyRead read =
                expect_body && chunked
                    ? readChunkedBody(connection, request, deadline, response.body)
                    : readBody(connection, body_in, request, deadline, response.body);
            if (read == BodyRead::TooLarge) {
                return failed(ErrorCode::TooLarge,
                              "the response from " + t.authority + " is over the limit of " +
                                  std::to_string(limit) + " bytes",
                              false);
            }
            if (expect_body && has_length && response.body.size() != announced) {
                return failed(ErrorCode::Unavailable,
                              t.authority + " closed the connection after " +
                                  std::to_string(response.body.size()) + " of " +
                                  std::to_string(announced) + " response body bytes",
                              false);
            }

            const bool framed = !expect_body || chunked || has_length;
            attempt.keep_connection = framed && in.getKeepAlive() &&
                                      !http_detail::asksToClose(request.headers) &&
                                      connection.unreadBytes() == 0;
            attempt.response = std::move(response);
            return attempt;
        } catch (const Poco::TimeoutException&) {
            const std::string within = " within " + std::to_string(request.timeout_ms) + " ms";
            switch (phase) {
                case Phase::Send:
                    return failed(ErrorCode::Timeout,
                                  "could not send the request to " + t.authority + within, false);
                case Phase::ReceiveHead:
                    return failed(ErrorCode::Timeout, "no response from " + t.authority + within,
                                  false);
                case Phase::ReceiveBody:
                    break;
            }
            return failed(ErrorCode::Timeout,
                          "the response from " + t.authority + " did not complete" + within, false);
        } catch (const Poco::Net::NoMessageException&) {
            return failed(ErrorCode::Unavailable,
                          t.authority + " closed the connection without answering", true);
        } catch (const Poco::Net::MessageException& e) {
            return failed(ErrorCode::Unavailable,
                          "invalid HTTP response from " + t.authority + ": " + e.message(), false);
        } catch (const Poco::SyntaxException&) {
            return failed(ErrorCode::Unavailable,
                          "invalid HTTP response from " + t.authority + ": malformed header value",
                          false);
        } catch (const Poco::Exception& e) {
            switch (phase) {
                case Phase::Send:
                    return failed(
                        ErrorCode::Unavailable,
                        "sending the request to " + t.authority + " failed: " + e.displayText(),
                        true);
                case Phase::ReceiveHead:
                    return failed(ErrorCode::Unavailable,
                                  "receiving the response from " + t.authority +
                                      " failed: " + e.displayText(),
                                  true);
                case Phase::ReceiveBody:
                    break;
            }
            return failed(
                ErrorCode::Unavailable,
                "the response body from " + t.authority + " was cut off: " + e.displayText(),
                false);
        }
    }

    /// The most recently used idle connection of the endpoint that still looks open, or
    /// null. Connections found closed or expired are dropped outside the lock.
    std::unique_ptr<Connection> takeIdle(const std::string& pool_key) {
        std::vector<std::unique_ptr<Connection>> dropped;
        std::unique_ptr<Connection> taken;
        for (;;) {
            {
                std::lock_guard lock(pool_mutex_);
                const auto now = Clock::now();
                sweepExpiredLocked(now, dropped);
                auto it = idle_.find(pool_key);
                if (it == idle_.end() || it->second.empty()) break;
                Idle& newest = it->second.back();
                const bool expired =
                    now - newest.since >= std::chrono::milliseconds(options_.idle_timeout_ms);
                taken = std::move(newest.connection);
                it->second.pop_back();
                if (it->second.empty()) idle_.erase(it);
                if (expired) {
                    // The sweep runs at most every half idle timeout; an expired connection
                    // may still be listed.
                    dropped.push_back(std::move(taken));
                    continue;
                }
            }
            // Polling the socket is a system call: done without the lock.
            if (!taken->looksClosed()) break;
            dropped.push_back(std::move(taken));
        }
        return taken;
    }

    void giveBack(const std::string& pool_key, std::unique_ptr<Connection> connection) {
        std::vector<std::unique_ptr<Connection>> dropped;
        {
            std::lock_guard lock(pool_mutex_);
            const auto now = Clock::now();
            sweepExpiredLocked(now, dropped);
            if (options_.max_idle_per_endpoint <= 0) {
                dropped.push_back(std::move(connection));
            } else {
                auto& list = idle_[pool_key];
                list.push_back(Idle{std::move(connection), now});
                if (list.size() > static_cast<std::size_t>(options_.max_idle_per_endpoint)) {
                    dropped.push_back(std::move(list.front().connection));
                    list.erase(list.begin());
                }
            }
        }
    }

    /// Moves every idle connection older than the idle timeout to `dropped`, at most once
    /// per half idle timeout (so that endpoints no longer called release their sockets).
    /// Requires `pool_mutex_`.
    void sweepExpiredLocked(Clock::time_point now,
                            std::vector<std::unique_ptr<Connection>>& dropped) {
        if (now < next_sweep_) return;
        const auto idle_timeout = std::chrono::milliseconds(options_.idle_timeout_ms);
        next_sweep_ = now + std::max<std::chrono::milliseconds>(idle_timeout / 2,
                                                                std::chrono::milliseconds(1));
        for (auto it = idle_.begin(); it != idle_.end();) {
            auto& list = it->second;
            // Oldest first: the expired ones form a prefix.
            auto fresh = std::find_if(list.begin(), list.end(), [&](const Idle& idle) {
                return now - idle.since < idle_timeout;
            });
            for (auto expired = list.begin(); expired != fresh; ++expired) {
                dropped.push_back(std::move(expired->connection));
            }
            list.erase(list.begin(), fresh);
            it = list.empty() ? idle_.erase(it) : std::next(it);
        }
    }

    const HttpClientOptions options_;
    http_detail::TlsContextCache tls_contexts_;

    std::mutex pool_mutex_;  // guards idle_ and next_sweep_; never held during network I/O
    std::unordered_map<std::string, std::vector<Idle>> idle_;  // per endpoint, oldest first
    Clock::time_point next_sweep_{};
};

}  // namespace

std::unique_ptr<sdk::HttpClient> makeHttpClient(const HttpClientOptions& options) {
    if (options.max_idle_per_endpoint < 0) {
        throw ConfigError("HTTP client: max_idle_per_endpoint must not be negative");
    }
    if (options.idle_timeout_ms <= 0) {
        throw ConfigError("HTTP client: idle_timeout_ms must be positive");
    }
    // Process-wide OpenSSL set-up; reference-counted by Poco and never undone, since
    // contexts may be used until exit.
    static std::once_flag ssl_initialized;
    std::call_once(ssl_initialized, [] { Poco::Net::initializeSSL(); });
    return std::make_unique<PooledHttpClient>(options);
}

}  // namespace relais::host
