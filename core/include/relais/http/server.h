// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "relais/config/config.h"
#include "relais/sdk/result.h"

namespace relais::log {
class Sink;
}
namespace relais::metrics {
class Registry;
}

/// @file
/// The HTTP(S) server: event loops that hold every connection without a thread each
/// (Boost.Asio over epoll, non-blocking TLS over OpenSSL), a bounded pool of workers that
/// run the handlers, and around every handler limits, authentication, routing, problem
/// documents, metrics and access log.

namespace relais::http {

class Router;
class Authenticator;

/// A request refused because the client may not do what it asked (403): the server's own
/// rights check, or a handler's 403 that the handler did not audit itself
/// (`Response::audited`). Views valid during the call only.
struct Refusal {
    std::string_view client;  ///< the authenticated client
    std::string_view route;   ///< the route's name
    std::string_view method;
    std::string_view path;    ///< decoded path (no query)
    std::string_view detail;  ///< the problem's detail
    std::string_view request_id;
};

/// Records refusals (the daemon writes them to the audit trail). Called on a worker before
/// the response is sent; must be thread-safe and must not throw.
using RefusalObserver = std::function<void(const Refusal&)>;

/// The certificate that new TLS connections get.
struct CertificateInfo {
    std::string subject;       ///< one line, RFC 2253
    std::string sha256;        ///< of the DER form, lowercase hex
    std::int64_t not_after{};  ///< Unix time
};

/// Per request, in this order: read the head as it arrives (at most 100 fields, names of at
/// most 256 bytes, values of at most 8 KiB, else 431; a target of at most 16 KiB, else 414;
/// a malformed request line or field: 400; these are problem documents too; see
/// head_parser.h), answer 503 when the connection is beyond its address's limit, refuse more than
/// `max_header_fields` fields (431) and ambiguous framing (both `Content-Length` and
/// `Transfer-Encoding`, several lengths, a coding other than `chunked`: 400/501), refuse an unsafe
/// path (`.`/`..` segment, NUL, malformed escape: 400), match the route (404, 405 with `Allow`),
/// authenticate unless the route is public (bearer key, Publik query signature, client certificate,
/// or `X-Relais-Signature`, see `Authenticator`; 401 with `WWW-Authenticate: Bearer
/// realm="relais"`), apply the client's rate (429 with `Retry-After`), check the route's
/// right (403 naming it, told to the refusal observer), refuse a declared `Content-Length`
/// above the route's limit (or the server's) with 413 without reading the body (and
/// without `100 Continue`), read the body (chunked bodies strictly, stopping at the limit:
/// 413; a body shorter than announced or a malformed chunk: 400; a stalled one: 408), check
/// a body signature (401), call the handler (an escaping exception
/// becomes a 500 problem without internals, logged by the `http` logger with the request
/// id), send the response with `X-Request-Id`, then count
/// `relais_http_requests_total{route,method,code}` and the latency histogram
/// `relais_http_request_duration_seconds{route}` (`route="unmatched"` when no route
/// matched; `relais_http_in_flight` counts requests being handled) and write one access-log
/// line (`http.access` logger: method, path, route, status, bytes_in, bytes_out,
/// duration_ms, client, request_id, remote — never the query string nor a header value,
/// which may carry personal data, signatures or keys).
///
/// Every problem document gets `instance` = the request id. A request whose body was not
/// read closes its connection (after a bounded lingering read, so a client still sending
/// sees the answer rather than a reset).
///
/// Connections: at most `max_connections` open (past it, new ones wait in the kernel's
/// backlog) and `max_connections_per_address` from one IP address (past it, the request is
/// answered 503 with `Retry-After` and the connection closed); `io_threads` event loops
/// accept, read and write them. Deadlines, each by the connection's timer: the head within
/// `header_timeout_ms` of the connection's first byte (TLS handshake included) or of the
/// first byte after a keep-alive wait; an idle keep-alive connection closes after
/// `keep_alive_timeout_ms`; the body within `body_timeout_ms` of the head; the response
/// written within `request_timeout_ms`. Complete requests go to `max_threads` workers, with
/// at most `max_queued` waiting; past that the request is answered 503 with `Retry-After`,
/// never reset. Routes marked `Endpoint::immediate` (`/healthz`, `/readyz`) and refusals with
/// nothing to audit are answered on the event loop, so they answer even then.
///
/// Metrics: `relais_http_connections_open`; `relais_http_refused_total{reason}` with
/// `reason` `connections_per_address` or `busy`.
///
/// Metric `relais_tls_certificate_expiry_timestamp_seconds` (with TLS): when the
/// certificate in use expires, for alerts before it does.
///
/// Thread-safety: `start`, `stop` and the destructor on one (control) thread.
class Server {
public:
    /// `router`, `authenticator`, `metrics` and `sink` must outlive the server.
    Server(const config::ServerConfig& config, const Router& router,
           const Authenticator& authenticator, metrics::Registry& metrics, log::Sink& sink,
           bool access_log);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Binds (never sharing the port: no `SO_REUSEPORT`) and starts accepting. With TLS:
    /// TLS 1.2 or later, modern AEAD suites, and client certificates verified against
    /// `ca_file` (required when `require_client_certificate`, else verified when presented).
    /// Throws `Poco::Exception` (e.g. address in use, already started) and `ConfigError`
    /// naming `file:line` for unusable TLS files.
    void start();
    /// Stops accepting, lets in-flight requests finish (at most 10 s; responses sent
    /// meanwhile close their connection), then closes every remaining connection and waits
    /// for the event loops and the workers, so that nothing uses the router, authenticator,
    /// metrics or sink once it returns. No-op when not started; `start` may be called again.
    void stop();
    /// With TLS: reads the certificate, key and client CA files again (after a renewal)
    /// and gives them to every new connection; connections already open keep theirs and
    /// are not interrupted. On failure (unreadable file, key not matching, expired
    /// certificate: InvalidArgument naming the file; no TLS or not started: Conflict) the
    /// certificate in use stays. Any thread but the one calling `start` or `stop`.
    sdk::Result<CertificateInfo> reloadCertificate();
    /// Sets what is told of every 403 (see `Refusal`); call before `start`.
    void setRefusalObserver(RefusalObserver observer);
    /// The bound port (the real one with port 0); 0 before `start`.
    int port() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace relais::http
