// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "relais/sdk/http_client.h"
#include "relais/sdk/json.h"
#include "relais/sdk/result.h"

/// @file
/// The request and response values that handlers see. The server fills a `Request` from
/// the request as it arrived, after authentication and size checks; a handler returns a
/// `Response`.

namespace relais::http {

class Caller;

using Params = std::vector<std::pair<std::string, std::string>>;

struct Request {
    std::string method;
    std::string path;                ///< decoded path, no query
    std::string raw_query;           ///< as received, without `?` (signature checks need it)
    Params query;                    ///< decoded, in order
    sdk::HttpHeaders headers;        ///< as received
    std::string body;                ///< whole body (size already checked)
    std::string remote_address;      ///< `ip:port`
    Params path_params;              ///< `{name}` segments of the matched pattern
    const Caller* client = nullptr;  ///< authenticated caller; null only on public routes
    std::string request_id;          ///< `X-Request-Id` if given (sanitised), else generated

    /// First header `name` (case-insensitive), or empty.
    std::string header(std::string_view name) const;
    /// Path parameter `name`, or empty.
    std::string param(std::string_view name) const;
    /// First query parameter `name`, or empty; `has` tells absence from empty.
    std::string queryParam(std::string_view name) const;
    bool hasQueryParam(std::string_view name) const;
};

struct Response {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    sdk::HttpHeaders headers;
    /// A 403 the handler already wrote to the audit trail (with more context than the
    /// server has); the server's refusal observer is not told again.
    bool audited = false;
};

/// `status` with `body` serialised compactly, `application/json`.
Response jsonResponse(int status, const sdk::Json& body);

/// An RFC 9457 problem document (`application/problem+json`):
/// `{"type": "urn:relais:problem:<slug>", "title": …, "status": …, "detail": …,
///   "field": <field, when given>, "instance": <request id, when given>}`.
/// `slug` defaults to a name derived from the status (`not-found`, `payload-too-large`…).
Response problem(int status, std::string_view title, std::string_view detail,
                 std::string_view field = {}, std::string_view slug = {});

/// The problem document for an error result: status from the code (`InvalidArgument` →
/// 400, `NotFound` → 404, `Conflict` → 409, `Unauthorized` → 401, `Forbidden` → 403,
/// `TooLarge` → 413, `Unsupported` → 501, `Retryable`/`Permanent` → 502, `Unavailable` →
/// 503, `Timeout` → 504, `Internal` → 500), `field` and `Retry-After` carried over.
Response problemFromError(const sdk::Error& error);

/// HTTP status for an error code (the table above).
int statusFor(sdk::ErrorCode code) noexcept;

}  // namespace relais::http
