// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "relais/sdk/result.h"
#include "relais/sdk/visibility.h"

namespace relais::sdk {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

/// TLS settings of an outbound call. Paths are absolute (the host resolved them).
struct TlsOptions {
    bool verify_peer = true;       ///< check the server certificate and host name
    std::string ca_file;           ///< PEM bundle; empty: the system's trust store
    std::string client_cert_file;  ///< PEM certificate for mutual TLS; empty: none
    std::string client_key_file;   ///< PEM private key matching `client_cert_file`
};

struct HttpRequest {
    std::string method = "GET";
    std::string url;  ///< absolute `http://` or `https://` URL, query included
    HttpHeaders headers;
    std::string body;
    int connect_timeout_ms = 5000;
    int timeout_ms = 30000;  ///< send + receive, per request
    std::size_t max_response_bytes = std::size_t{16} * 1024 * 1024;
    TlsOptions tls;
};

struct HttpResponse {
    int status = 0;
    std::string reason;
    HttpHeaders headers;
    std::string body;

    /// First header named `name` (case-insensitive), or empty.
    RELAIS_SDK_API std::string header(std::string_view name) const;
};

/// Outbound HTTP(S) with pooled keep-alive connections, per-request timeouts, TLS with
/// custom CA and client certificates.
///
/// Errors: `Unavailable` (connection refused, DNS, connect timeout, TLS handshake or
/// verification, connection lost, invalid response: nothing was processed when it failed
/// before sending), `Timeout` (sent, no complete response within `timeout_ms`), `TooLarge`
/// (response over `max_response_bytes`), `InvalidArgument` (bad URL, header, timeout or TLS
/// file, field named). Any HTTP status,
/// 4xx/5xx included, is a successful result: the caller decides what it means.
///
/// Lifetime: owned by the host. Thread-safe; calls may run concurrently.
class RELAIS_SDK_API HttpClient {
public:
    virtual ~HttpClient();
    virtual Result<HttpResponse> send(const HttpRequest& request) = 0;
};

}  // namespace relais::sdk
