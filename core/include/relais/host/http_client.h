// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <memory>

#include "relais/sdk/http_client.h"

/// @file
/// The host's outbound HTTP(S) client (Poco::Net), handed to plugins as `sdk::HttpClient`.

namespace relais::host {

struct HttpClientOptions {
    int max_idle_per_endpoint = 16;  ///< pooled keep-alive sessions per endpoint (0: none)
    int idle_timeout_ms = 30'000;    ///< pooled sessions older than this are dropped
};

/// Keeps pools of keep-alive sessions per (scheme, host, port, TLS options). A request
/// takes an idle session from its pool (or opens one), sends, reads the whole response
/// within `timeout_ms` and `max_response_bytes`, and gives the session back if the server
/// kept the connection open. A stale pooled connection (closed by the server while idle)
/// is retried once on a new connection for idempotent methods only (GET, HEAD, PUT,
/// DELETE, OPTIONS) or when no byte of the request was sent.
///
/// Requests: `Host`, `Content-Length` (always sent for POST, PUT and PATCH) and the
/// framing come from the URL and the body; a caller-set `Host`, `Content-Length` or
/// `Transfer-Encoding` header, a header value holding CR/LF or another control character,
/// a method that is not a token, or a non-positive timeout is an `InvalidArgument` naming
/// the field. `User-Agent: relais/<version>` is added unless the caller sets one. The path
/// and query are sent exactly as given (bytes above 0x7F percent-encoded; the fragment is
/// not sent); user info in the URL is refused.
///
/// Responses: headers in the order received, except that repeated fields are grouped at
/// the place of the first one (Poco keeps them so). A response body cut short of its
/// Content-Length is `Unavailable`.
///
/// Errors, whose messages name `host:port` and the cause but never the path, query,
/// headers or bodies (they may carry secrets): `InvalidArgument` (request or TLS files
/// unusable, field named), `Unavailable` (DNS, connection refused or not established within
/// `connect_timeout_ms`, TLS handshake or verification, connection lost, invalid HTTP
/// response; the request was not processed when the failure came before it was sent),
/// `Timeout` (the request was sent, or partly sent, and the response did not complete
/// within `timeout_ms`: the server may have processed it), `TooLarge`.
///
/// TLS: TLS 1.2 minimum, peer verified against the system store or `tls.ca_file`, host name
/// checked, optional client certificate (mutual TLS; unencrypted PEM key). Certificate
/// files are re-read when they change on disk.
///
/// Thread-safety: `send` may be called from any number of threads. SIGPIPE raised by a
/// write to a closed connection is blocked and consumed on the calling thread.
///
/// Throws `ConfigError` for a negative `max_idle_per_endpoint` or a non-positive
/// `idle_timeout_ms`.
std::unique_ptr<sdk::HttpClient> makeHttpClient(const HttpClientOptions& options = {});

}  // namespace relais::host
