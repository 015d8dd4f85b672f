// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/http/server.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <mutex>
#include <utility>

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/ThreadPool.h>

#include "relais/common/errors.h"
#include "relais/http/authenticator.h"
#include "relais/http/router.h"
#include "relais/log/log.h"
#include "relais/metrics/registry.h"

#include "http/request_handler.h"
#include "http/server_certificate.h"
#include "http/server_connection.h"
#include "http/server_state.h"

namespace relais::http {
namespace {

// How long `stop` lets in-flight requests finish before cutting their connections.
constexpr auto kDrainTimeout = std::chrono::seconds(10);
// Requests one keep-alive connection may carry before the server closes it, so that
// connections are spread again over time.
constexpr int kMaxKeepAliveRequests = 1000;
// Modern AEAD suites with forward secrecy for TLS 1.2 (TLS 1.3 suites are all fine and are
// configured separately by OpenSSL).
constexpr const char* kCipherList =
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256";

void initializeSslOnce() {
    static std::once_flag once;
    std::call_once(once, [] { Poco::Net::initializeSSL(); });
}

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
    initializeSslOnce();
    auto certificate = detail::ServerCertificate::load(tls);
    if (!certificate) throw ConfigError(at + certificate.error().message);
    return std::move(*certificate);
}

/// The context of the listening socket. It holds no certificate of its own: every
/// handshake gets `certificate`'s current one (see server_certificate.h).
Poco::Net::Context::Ptr makeTlsContext(const config::ServerConfig& server,
                                       detail::ServerCertificate& certificate) {
    const auto& tls = server.tls;
    Poco::Net::Context::Params params;
    // STRICT: a connection without a valid certificate fails the handshake. RELAXED: a
    // certificate is asked for and, when one is presented, must chain to the CA; the
    // requests of a connection without one use another credential.
    params.verificationMode = tls.require_client_certificate ? Poco::Net::Context::VERIFY_STRICT
                              : tls.ca_file.empty()          ? Poco::Net::Context::VERIFY_NONE
                                                             : Poco::Net::Context::VERIFY_RELAXED;
    params.verificationDepth = 9;
    params.loadDefaultCAs = false;
    params.cipherList = kCipherList;
    try {
        Poco::Net::Context::Ptr context =
            new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, params);
        context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
        context->disableProtocols(
            Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
            Poco::Net::Context::PROTO_TLSV1 | Poco::Net::Context::PROTO_TLSV1_1);
        context->preferServerCiphers();
        // Host-name checks are for clients looking at a server certificate; a client
        // certificate is checked against the CA only.
        context->enableExtendedCertificateVerification(false);
        // A session id context is required by OpenSSL to resume sessions when client
        // certificates are verified.
        context->enableSessionCache(true, "relais");
        certificate.install(context->sslContext());
        return context;
    } catch (const Poco::Exception& e) {
        throw ConfigError(where(tls, server) + "TLS context unusable: " + e.displayText());
    }
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

    Poco::Net::HTTPServerParams::Ptr makeParams() const {
        const auto& limits = config.limits;
        Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
        params->setMaxThreads(std::max(1, limits.max_threads));
        params->setMaxQueued(std::max(1, limits.max_queued));
        // Receive and send timeout of every socket operation: a client that stops sending
        // mid-request (slowloris) loses its connection after this long.
        params->setTimeout(Poco::Timespan(std::max(1, limits.request_timeout_ms) * 1000LL));
        params->setKeepAlive(limits.keep_alive_timeout_ms > 0);
        params->setKeepAliveTimeout(
            Poco::Timespan(std::max(1, limits.keep_alive_timeout_ms) * 1000LL));
        params->setMaxKeepAliveRequests(kMaxKeepAliveRequests);
        params->setSoftwareVersion("");  // no `Server` header: nothing to fingerprint
        return params;
    }

    Poco::Net::ServerSocket makeSocket() {
        const Poco::Net::SocketAddress address(config.address,
                                               static_cast<Poco::UInt16>(config.port));
        const int backlog = std::max(64, config.limits.max_queued);
        if (config.tls.enabled) {
            if (!certificate) certificate = loadCertificate(config);
            Poco::Net::SecureServerSocket socket(makeTlsContext(config, *certificate));
            // SO_REUSEADDR for quick restarts, never SO_REUSEPORT: a second process on the
            // same port must fail, not silently share the traffic.
            socket.bind(address, true, false);
            socket.listen(backlog);
            return socket;
        }
        Poco::Net::ServerSocket socket;
        socket.bind(address, true, false);
        socket.listen(backlog);
        return socket;
    }

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

    // Destroyed in reverse order: the server before its threads, the threads before the
    // server state they use.
    std::unique_ptr<detail::ServerState> state;
    std::unique_ptr<Poco::ThreadPool> threads;
    Poco::SharedPtr<detail::HandlerFactory> handlers;
    std::unique_ptr<Poco::Net::TCPServer> server;
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
    if (impl.server) throw Poco::IllegalStateException("HTTP server already started");
    auto socket = impl.makeSocket();
    auto params = impl.makeParams();
    auto state = std::make_unique<detail::ServerState>(impl.config.limits, impl.router,
                                                       impl.authenticator, impl.metrics, impl.sink,
                                                       impl.access_log, impl.refusal_observer);
    // A pool of our own: sized for this server, and joinable on stop without waiting for
    // unrelated work in Poco's default pool.
    const int max_threads = params->getMaxThreads();
    auto threads =
        std::make_unique<Poco::ThreadPool>("relais-http", std::min(2, max_threads), max_threads);
    // Poco's HTTPServer, with connections of our own (see server_connection.h).
    Poco::SharedPtr<detail::HandlerFactory> handlers = new detail::HandlerFactory(*state);
    auto server = std::make_unique<Poco::Net::TCPServer>(
        new detail::ServerConnectionFactory(
            params, handlers, *state,
            std::chrono::milliseconds(std::max(1, impl.config.limits.header_timeout_ms))),
        *threads, socket, params);
    server->start();
    impl.port = socket.address().port();
    if (impl.certificate) {
        impl.certificate_expiry =
            &impl.metrics.gauge("relais_tls_certificate_expiry_timestamp_seconds",
                                "When the server certificate in use expires (Unix time)");
        impl.certificate_expiry->set(static_cast<double>(impl.certificate->summary().not_after));
    }
    impl.state = std::move(state);
    impl.threads = std::move(threads);
    impl.handlers = std::move(handlers);
    impl.server = std::move(server);
}

void Server::stop() {
    auto& impl = *impl_;
    if (!impl.server) return;
    // Stop accepting; responses sent from now on close their connection.
    impl.state->setStopping(true);
    impl.server->stop();
    impl.state->waitIdle(kDrainTimeout);
    // Shut down every connection still open: idle keep-alive ones, and requests that
    // outlived the drain (their handlers then fail to write and return).
    // (What Poco's HTTPServer::stopAll does: the connections listen to this event.)
    impl.handlers->stopConnections(impl.server.get(), true);
    // Connection threads use the server state, the router and the authenticator: wait for the
    // last of them before anything can be destroyed.
    impl.threads->joinAll();
    impl.server.reset();
    impl.handlers = nullptr;
    impl.threads.reset();
    impl.state.reset();
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
