// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/host/http_client.h"

#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <utility>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SSLException.h>

#include "relais/common/errors.h"

#include "host/connection_pool.h"
#include "host/http_client_connection.h"
#include "host/http_client_exchange.h"
#include "host/http_client_request.h"
#include "host/http_client_tls.h"
#include "host/sigpipe_block.h"

namespace relais::host {
namespace {

using http_detail::Attempt;
using http_detail::Connection;
using http_detail::ConnectionOf;
using http_detail::ConnectionPool;
using http_detail::Endpoint;
using http_detail::millis;
using http_detail::SigpipeBlock;
using sdk::ErrorCode;
using sdk::fail;

class PooledHttpClient final : public sdk::HttpClient {
public:
    explicit PooledHttpClient(const HttpClientOptions& options) : pool_(options) {}

    ~PooledHttpClient() override {
        // Closing TLS connections writes close_notify to peers that may be gone.
        const SigpipeBlock sigpipe_block;
        pool_.clear();
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
                attempt_number == 0 ? pool_.takeIdle(endpoint.pool_key) : nullptr;
            const bool reused = connection != nullptr;
            if (!reused) {
                auto opened = openConnection(endpoint, request);
                if (!opened) return std::move(opened).error();
                connection = std::move(opened.value());
            }

            Attempt attempt = exchange(*connection, endpoint, request);
            if (attempt.response) {
                if (attempt.keep_connection) {
                    pool_.giveBack(endpoint.pool_key, std::move(connection));
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

    http_detail::TlsContextCache tls_contexts_;
    ConnectionPool pool_;
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
