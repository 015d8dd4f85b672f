// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <optional>
#include <string>

#include <Poco/Net/Context.h>

#include "relais/sdk/http_client.h"
#include "relais/sdk/result.h"

#include "host/http_client_connection.h"
#include "host/http_client_request.h"

/// @file
/// Private to the HTTP client: one request sent and its response read on one connection.

namespace relais::host::http_detail {

/// Where one request goes, resolved once per `send`.
struct Endpoint {
    http_detail::Target target;
    Poco::Net::Context::Ptr tls_context;  // null for http
    bool verify_host = false;
    std::string pool_key;
};

/// The outcome of one attempt on one connection.
struct Attempt {
    std::optional<sdk::HttpResponse> response;
    sdk::Error error;
    bool keep_connection = false;  // the exchange completed and the connection may be reused
    bool stale_suspect = false;    // failed before any response, as a closed connection does
};

/// Sends the request and reads the whole response, within `timeout_ms` from the start
/// of the exchange and `max_response_bytes`.
Attempt exchange(Connection& connection, const Endpoint& endpoint, const sdk::HttpRequest& request);

}  // namespace relais::host::http_detail
