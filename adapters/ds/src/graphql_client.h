// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "relais/sdk/http_client.h"
#include "relais/sdk/json.h"
#include "relais/sdk/result.h"
#include "relais/sdk/time.h"

#include "graphql_call.h"
#include "settings.h"

/// @file
/// One GraphQL call to DS's API v2: a POST of `{query, variables, operationName}` with the
/// instructeur's bearer token, through the host's HTTP client, and what its answer means.

namespace relais::adapters::ds {

/// Where and how to call: from `DsSettings`.
struct GraphqlEndpoint {
    std::string url;
    int timeout_ms = 30'000;
    sdk::TlsOptions tls;
};

/// The operation name of a document (`query Poll(…)` gives `Poll`); empty for an anonymous
/// one. Sent as `operationName`.
std::string operationNameOf(std::string_view document);

/// POSTs `document` and `variables` to `endpoint.url` with `Authorization: Bearer <token>`.
/// Returns the answer's `data` object. Errors (the token never appears in a message):
/// - the HTTP client's own (`Unavailable`, `Timeout`…), as they are (transient);
/// - HTTP 401/403: `Permanent`, field `token`, saying the token is wrong, expired or lacks
///   the right (DS tokens are read-only or read-write);
/// - HTTP 408/425/429/5xx: `Retryable` with `retry_after_seconds` from `Retry-After`
///   (`now` for its date form);
/// - another non-2xx, or a body that is not a JSON object: `Permanent` with an excerpt;
/// - a top-level `errors` array: `Permanent` (`Retryable` when its first error says
///   `extensions.code` `timeout`), with DS's messages joined by `; `, field `errors`.
/// Thread-safe (the HTTP client is).
sdk::Result<sdk::Json> executeGraphql(sdk::HttpClient& http, const GraphqlEndpoint& endpoint,
                                      std::string_view token, std::string_view document,
                                      const sdk::Json& variables, sdk::Timestamp now);

}  // namespace relais::adapters::ds
