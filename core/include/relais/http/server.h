// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <memory>

#include "relais/config/config.h"

namespace relais::log {
class Sink;
}
namespace relais::metrics {
class Registry;
}

/// @file
/// The HTTP(S) server (Poco::Net::HTTPServer): limits, authentication, routing, problem
/// documents, metrics and access log around every handler.

namespace relais::http {

class Router;
class Authenticator;

/// Per request, in this order: read headers (Poco's field limits), match the route (404,
/// 405 with `Allow`), authenticate unless the route is public (401 with
/// `WWW-Authenticate: Bearer`), check the route's right (403), read the body within the
/// limit (413 without reading the rest), call the handler (an escaping exception becomes a
/// 500 problem without internals), count `relais_http_requests_total{route,code}` and the
/// latency histogram `relais_http_request_duration_seconds{route}`, write one access-log line
/// (`http.access` logger: method, path, route, status, bytes, duration, client, request id —
/// never the query string, which may carry personal data or signatures).
class Server {
public:
    /// `router`, `authenticator`, `metrics` and `sink` must outlive the server.
    Server(const config::ServerConfig& config, const Router& router,
           const Authenticator& authenticator, metrics::Registry& metrics, log::Sink& sink,
           bool access_log);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Binds and starts accepting. Throws `Poco::Exception` (e.g. address in use) and
    /// `ConfigError` for unusable TLS files.
    void start();
    /// Stops accepting, lets in-flight requests finish (bounded wait), closes.
    void stop();
    /// The bound port (useful with port 0).
    int port() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace relais::http
