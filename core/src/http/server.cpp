// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/http/server.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <mutex>
#include <utility>

#include <Poco/Exception.h>
#include <boost/asio/ssl/context.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "relais/common/errors.h"
#include "relais/http/authenticator.h"
#include "relais/http/router.h"
#include "relais/log/log.h"
#include "relais/metrics/registry.h"

#include "http/connection.h"
#include "http/connection_limits.h"
#include "http/listener.h"
#include "http/server_certificate.h"
#include "http/server_state.h"
#include "http/worker_pool.h"

namespace relais::http {
namespace {

// How long `stop` lets in-flight requests finish before cutting their connections.
constexpr auto kDrainTimeout = std::chrono::seconds(10);
// Modern AEAD suites with forward secrecy for TLS 1.2 (TLS 1.3 suites are all fine and are
// configured separately by OpenSSL).
constexpr const char* kCipherList =
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256";

std::string where(const config::TlsConfig& tls, const config::ServerConfig& server) {
    auto text = tls.where.toString();
    if (text.empty()) text = server.where.toString();
    return text.empty() ? std::string() : text + ": ";
}

void requireReadable(const std::string& path, std::string_view what, const std::string& at) {
    if (path.empty())
        throw ConfigError(at + "TLS is enabled but no " + std::string(what) + " is set");
    std::ifstream file(path);
    if (!file) {
        throw ConfigError(at + "TLS " + std::string(what) + " '" + path + "' cannot be read");
    }
}

/// Reads the certificate, key and client CA (throws `ConfigError` naming `file:line`).
std::unique_ptr<detail::ServerCertificate> loadCertificate(const config::ServerConfig& server) {
    const auto& tls = server.tls;
    const auto at = where(tls, server);
    requireReadable(tls.certificate_file, "certificate file", at);
    requireReadable(tls.key_file, "key file", at);
    if (tls.require_client_certificate || !tls.ca_file.empty()) {
        requireReadable(tls.ca_file, "CA file (needed to verify client certificates)", at);
    }
    auto certificate = detail::ServerCertificate::load(tls);
    if (!certificate) throw ConfigError(at + certificate.error().message);
    return std::move(*certificate);
}

/// The TLS context of the listening socket. It holds no certificate of its own: every
/// handshake gets `certificate`'s current one (see server_certificate.h).
std::unique_ptr<boost::asio::ssl::context> makeTlsContext(const config::ServerConfig& server,
                                                          detail::ServerCertificate& certificate) {
    const auto& tls = server.tls;
    SSL_CTX* context = SSL_CTX_new(TLS_server_method());
    const auto fail = [&](const char* what) {
        const unsigned long code = ERR_get_error();
        std::string reason = code != 0 ? ERR_reason_error_string(code) : "unknown error";
        if (context != nullptr) SSL_CTX_free(context);
        throw ConfigError(where(tls, server) + "TLS context unusable: " + what + ": " + reason);
    };
    if (context == nullptr) fail("cannot create");
    if (SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION) != 1) fail("TLS 1.2 minimum");
    if (SSL_CTX_set_cipher_list(context, kCipherList) != 1) fail("cipher list");
    SSL_CTX_set_options(
        context, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    // Required: a connection without a valid certificate fails the handshake. Requested:
    // a certificate is asked for and, when one is presented, must chain to the CA; the
    // requests of a connection without one use another credential.
    int mode = SSL_VERIFY_NONE;
    if (tls.require_client_certificate) {
        mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    } else if (!tls.ca_file.empty()) {
        mode = SSL_VERIFY_PEER;
    }
    SSL_CTX_set_verify(context, mode, nullptr);
    SSL_CTX_set_verify_depth(context, 9);
    // A session id context is required by OpenSSL to resume sessions when client
    // certificates are verified.
    static constexpr unsigned char kSessionContext[] = "relais";
    SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_SERVER);
    if (SSL_CTX_set_session_id_context(context, kSessionContext, sizeof kSessionContext - 1) != 1) {
        fail("session id context");
    }
    certificate.install(context);
    return std::make_unique<boost::asio::ssl::context>(context);
}

}  // namespace

struct Server::Impl {
    Impl(config::ServerConfig server_config, const Router& router_ref,
         const Authenticator& authenticator_ref, metrics::Registry& metrics_ref,
         log::Sink& sink_ref, bool access_log_flag)
        : config(std::move(server_config)),
          router(router_ref),
          authenticator(authenticator_ref),
          metrics(metrics_ref),
          sink(sink_ref),
          access_log(access_log_flag) {}

    config::ServerConfig config;
    const Router& router;
    const Authenticator& authenticator;
    metrics::Registry& metrics;
    log::Sink& sink;
    bool access_log;
    RefusalObserver refusal_observer;
    // Outlives the listening socket and every connection, which call into it on handshakes.
    std::unique_ptr<detail::ServerCertificate> certificate;
    metrics::Gauge* certificate_expiry = nullptr;

    // Made by `start`, released by `stop` in the order that lets each go while nothing
    // uses it any more.
    std::unique_ptr<boost::asio::ssl::context> tls_context;
    std::unique_ptr<detail::ServerState> state;
    std::unique_ptr<detail::ConnectionLimits> limits;
    std::unique_ptr<detail::WorkerPool> workers;
    std::unique_ptr<detail::ConnectionShared> shared;
    std::unique_ptr<detail::Listener> listener;

    /// Destroys what `start` made, users before what they use.
    void release() {
        listener.reset();
        workers.reset();
        shared.reset();
        limits.reset();
        state.reset();
        tls_context.reset();
    }
    int port = 0;
};

Server::Server(const config::ServerConfig& config, const Router& router,
               const Authenticator& authenticator, metrics::Registry& metrics, log::Sink& sink,
               bool access_log)
    : impl_(std::make_unique<Impl>(config, router, authenticator, metrics, sink, access_log)) {}

Server::~Server() {
    try {
        stop();
    } catch (...) {
        // Nothing sensible to do while destroying; `stop` only throws on broken sockets.
    }
}

void Server::start() {
    auto& impl = *impl_;
    if (impl.listener) throw Poco::IllegalStateException("HTTP server already started");
    const auto& limits = impl.config.limits;
    if (impl.config.tls.enabled) {
        if (!impl.certificate) impl.certificate = loadCertificate(impl.config);
        impl.tls_context = makeTlsContext(impl.config, *impl.certificate);
    }
    impl.state =
        std::make_unique<detail::ServerState>(limits, impl.router, impl.authenticator, impl.metrics,
                                              impl.sink, impl.access_log, impl.refusal_observer);
    impl.limits = std::make_unique<detail::ConnectionLimits>(
        limits.max_connections, limits.max_connections_per_address,
        impl.metrics.gauge("relais_http_connections_open", "HTTP connections open"));
    impl.workers =
        std::make_unique<detail::WorkerPool>(limits.max_threads, limits.max_queued, "relais-http");
    static constexpr std::string_view kRefusedHelp =
        "HTTP requests refused for want of capacity (503), by reason";
    impl.shared = std::make_unique<detail::ConnectionShared>(detail::ConnectionShared{
        *impl.state, *impl.workers, *impl.limits,
        impl.metrics.counter("relais_http_refused_total", kRefusedHelp,
                             {{"reason", "connections_per_address"}}),
        impl.metrics.counter("relais_http_refused_total", kRefusedHelp, {{"reason", "busy"}}),
        [&impl] {
            if (impl.listener) impl.listener->connectionClosed();
        }});
    impl.listener =
        std::make_unique<detail::Listener>(*impl.shared, impl.tls_context.get(), limits.io_threads);
    try {
        impl.listener->start(impl.config.address, impl.config.port);
    } catch (...) {
        impl.release();
        throw;
    }
    impl.port = impl.listener->port();
    if (impl.certificate) {
        impl.certificate_expiry =
            &impl.metrics.gauge("relais_tls_certificate_expiry_timestamp_seconds",
                                "When the certificate in use expires (Unix time)");
        impl.certificate_expiry->set(static_cast<double>(impl.certificate->summary().not_after));
    }
}

void Server::stop() {
    auto& impl = *impl_;
    if (!impl.listener) return;
    // Stop accepting; responses sent from now on close their connection.
    impl.listener->stopAccepting();
    impl.state->setStopping(true);
    impl.state->waitIdle(kDrainTimeout);
    // Close every connection still open (idle keep-alive ones, and requests that outlived
    // the drain), then wait for the workers: nothing may use the router, authenticator,
    // metrics or sink once this returns.
    impl.listener->stop();
    impl.workers->stop();
    impl.release();
}

sdk::Result<CertificateInfo> Server::reloadCertificate() {
    auto& impl = *impl_;
    if (!impl.certificate) {
        return sdk::fail(sdk::ErrorCode::Conflict, "the server does not serve TLS");
    }
    auto info = impl.certificate->reload();
    if (info && impl.certificate_expiry != nullptr) {
        impl.certificate_expiry->set(static_cast<double>(info->not_after));
    }
    return info;
}

void Server::setRefusalObserver(RefusalObserver observer) {
    impl_->refusal_observer = std::move(observer);
}

int Server::port() const { return impl_->port; }

}  // namespace relais::http
