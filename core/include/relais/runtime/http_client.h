// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <memory>

#include "relais/sdk/http_client.h"

/// @file
/// The host's outbound HTTP(S) client (Poco::Net), handed to plugins as `sdk::HttpClient`.

namespace relais::runtime {

struct HttpClientOptions {
    int max_idle_per_endpoint = 16;      ///< pooled keep-alive sessions per endpoint
    int idle_timeout_ms = 30'000;        ///< pooled sessions older than this are dropped
};

/// Keeps pools of keep-alive sessions per (scheme, host, port, TLS options). A request
/// takes an idle session from its pool (or opens one), sends, reads the whole response
/// within `timeout_ms` and `max_response_bytes`, and gives the session back if the server
/// kept the connection open. A stale pooled connection (closed by the server while idle)
/// is retried once on a new connection for idempotent methods only (GET, HEAD, PUT,
/// DELETE, OPTIONS) or when no byte of the request was sent.
///
/// TLS: TLS 1.2 minimum, peer verified against the system store or `tls.ca_file`, host name
/// checked, optional client certificate (mutual TLS).
///
/// Thread-safety: `send` may be called from any number of threads.
std::unique_ptr<sdk::HttpClient> makeHttpClient(const HttpClientOptions& options = {});

}  // namespace relais::runtime
