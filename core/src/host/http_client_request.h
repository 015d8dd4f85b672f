// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "relais/sdk/http_client.h"
#include "relais/sdk/result.h"

/// @file
/// Private to the HTTP client: checks what a plugin asks to send before any socket is
/// touched. Every error is `InvalidArgument` naming the request field (`url`, `method`,
/// `headers[i]`, `timeout_ms`…); messages never quote the URL's path or query, nor a header
/// value, since either may carry a secret (API key, signature, bearer token).

namespace relais::host::http_detail {

/// Where a request goes and what its request line carries.
struct Target {
    bool https = false;
    std::string host;            ///< lower case; an IPv6 literal without its brackets
    std::uint16_t port = 0;      ///< explicit, or 80/443 from the scheme
    std::string authority;       ///< `host:port` (`[v6]:port`): error messages, pool keys
    std::string host_header;     ///< value of the Host header (port only when not default)
    std::string request_target;  ///< origin form: path and query exactly as given, no fragment
};

/// Parses an absolute `http://` or `https://` URL. The authority is `host[:port]` (DNS name,
/// IPv4 or bracketed IPv6 literal); user info is refused (credentials belong in a header);
/// spaces and control characters are refused; bytes above 0x7F in the path or query are
/// percent-encoded, everything else is sent exactly as given (no decode/re-encode round
/// trip, so `%2F` stays `%2F`).
sdk::Result<Target> parseTarget(std::string_view url);

/// Checks the method (an RFC 9110 token), the timeouts, and the headers: names must be
/// tokens; values must not hold CR, LF, NUL or other control characters (header
/// injection); `Host`, `Content-Length` and `Transfer-Encoding` are refused because the
/// client computes them from the URL and the body.
sdk::Result<void> checkRequest(const sdk::HttpRequest& request);

/// GET, HEAD, PUT, DELETE, OPTIONS: safe to send twice (RFC 9110 §9.2.2).
bool isIdempotent(std::string_view method) noexcept;

/// True when one of `headers` is `Connection` with the `close` option.
bool asksToClose(const sdk::HttpHeaders& headers) noexcept;

}  // namespace relais::host::http_detail
