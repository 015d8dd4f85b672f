// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstddef>
#include <string>

#include <Poco/Net/HTTPSession.h>

#include "relais/common/chunked_decoder.h"

/// @file
/// The request-body side of the chunked decoder (internal to relais_http): reads a
/// `Transfer-Encoding: chunked` body from the server's session with
/// `common::decodeChunkedBody` (strict: see relais/common/chunked_decoder.h).

namespace relais::http::detail {

using ChunkedOutcome = common::ChunkedOutcome;
using ChunkedResult = common::ChunkedResult;

/// Reads a chunked body from `session` into `body` (cleared first), accepting at most
/// `limit` bytes of content. Chunk extensions and trailer fields are read and ignored.
/// Socket errors and timeouts propagate as the `Poco::Exception`s the session throws.
ChunkedResult readChunkedBody(Poco::Net::HTTPSession& session, std::size_t limit,
                              std::string& body);

}  // namespace relais::http::detail
