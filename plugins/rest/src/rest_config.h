// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "relais/sdk/http_client.h"
#include "relais/sdk/result.h"
#include "relais/sdk/secrets.h"
#include "relais/sdk/settings.h"

#include "url_template.h"

/// @file
/// The REST connector's validated configuration: built once by `configure` from the
/// settings (secrets resolved), then shared read-only by every delivery.

namespace relais::plugins::rest {

enum class AuthMode { None, Bearer, Basic, Hmac, ApiKey, Publik };

/// Where an identifier is in a successful answer: `json:<path>` (a dotted path into the
/// JSON body, `[n]` for array elements) or `header:<Name>`.
struct IdLocator {
    enum class Source { None, Json, Header };
    Source source = Source::None;
    std::string where;  ///< the JSON path or the header name
    std::string text;   ///< as configured, for messages

    bool configured() const noexcept { return source != Source::None; }
};

/// Parses `json:<path>` or `header:<Name>`; empty text gives an unconfigured locator.
/// `InvalidArgument` naming `key` for any other form, an empty or malformed path
/// (`a..b`, `a[x]`, spaces) or a header name that is not an RFC 9110 token.
sdk::Result<IdLocator> parseIdLocator(std::string_view text, const std::string& key);

/// Parses the `headers` value: `Name: value` items separated by commas, `\,` standing for a
/// comma inside a value and `\\` for a backslash. Names are RFC 9110 tokens; values have no
/// control characters; headers the connector or the HTTP client sets itself (Host,
/// Content-Length, Transfer-Encoding, Connection, Content-Type, Authorization,
/// Proxy-Authorization, X-Relais-Signature) are refused. `InvalidArgument` naming the item.
sdk::Result<sdk::HttpHeaders> parseHeaders(std::string_view text);

/// Parses a list of HTTP statuses (each 100–599). `InvalidArgument` naming `key` and the
/// item; an empty list is refused too.
sdk::Result<std::vector<int>> parseStatusCodes(const std::vector<std::string>& items,
                                               const std::string& key);

/// Everything a delivery needs. Immutable once built.
struct RestConfig {
    UrlTemplate url;
    std::string method = "POST";
    std::string content_type;  ///< empty: the delivery's content type
    sdk::HttpHeaders extra_headers;
    std::string idempotency_header = "Idempotency-Key";
    int timeout_ms = 30'000;
    int connect_timeout_ms = 5'000;

    AuthMode auth = AuthMode::None;
    /// Header carrying the credentials for bearer, basic and api-key (`Authorization`, or
    /// `api-key-header`), with its full value (`Bearer …`, `Basic …`, the key).
    std::string credential_header;
    std::string credential_value;
    std::string hmac_secret;
    /// auth=publik: the caller's name (`orig`), the shared key and the HMAC algorithm.
    std::string publik_orig;
    std::string publik_secret;
    std::string publik_algo = "sha256";
    /// Every secret value and derived credential, removed from response excerpts (an
    /// application that echoes the request must not leak them into a dead-letter reason).
    std::vector<std::string> masked;

    sdk::TlsOptions tls;
    std::vector<int> success_codes;
    std::vector<int> retry_codes;
    IdLocator business_id;
    IdLocator display_id;
    std::string health_url;  ///< empty: no health check

    /// Things worth a warning at start-up (credentials over plain http…), never secrets.
    std::vector<std::string> warnings;
};

/// Builds the configuration from validated settings, resolving secret references through
/// `secrets`. `InvalidArgument` naming the key (and, for secrets, the reference, never the
/// value) for anything inconsistent: an auth mode without its credentials or credentials
/// for another mode, a secret that cannot be resolved or cannot travel in a header, a TLS
/// file that cannot be read, a status both in success-codes and retry-codes…
sdk::Result<RestConfig> buildConfig(const sdk::Settings& settings, const sdk::Secrets& secrets);

}  // namespace relais::plugins::rest
