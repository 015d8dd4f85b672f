// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <istream>
#include <string>

#include "relais/sdk/http_client.h"

#include "host/http_client_connection.h"

/// @file
/// Private to the HTTP client: reading a response body within the request's deadline and
/// size limit.

namespace relais::host::http_detail {

enum class BodyRead { Complete, TooLarge };

/// Reads a body framed by Content-Length (Poco stops at the length) or by the end of the
/// connection, through Poco's response stream, appending to `body`.
BodyRead readBody(Connection& connection, std::istream& body_in, const sdk::HttpRequest& request,
                  Clock::time_point deadline, std::string& body);

/// Decodes a chunked body from the connection with `common::decodeChunkedBody` (strict:
/// CRLF line ends, the last chunk required), appending to `body`. Poco's own decoder takes
/// a connection closed in the middle of the body for its end, which would hand a truncated
/// document to the caller as complete. Throws `Poco::Net::MessageException` for bad
/// framing and `Poco::IOException` when the connection ends before the last chunk.
BodyRead readChunkedBody(Connection& connection, const sdk::HttpRequest& request,
                         Clock::time_point deadline, std::string& body);

}  // namespace relais::host::http_detail
