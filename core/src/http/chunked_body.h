// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstddef>
#include <string>

#include <Poco/Net/HTTPSession.h>

/// @file
/// A strict reader of `Transfer-Encoding: chunked` request bodies (internal to relais_http).
///
/// Poco's own decoder takes a malformed chunk size or a connection closed mid-chunk for the
/// end of the body, so a truncated upload would reach a handler as if complete. This reader
/// refuses both, never reads a byte past the body (a pipelined request after it stays
/// intact), and stops as soon as the declared sizes exceed the limit.

namespace relais::http::detail {

enum class ChunkedOutcome {
    Complete,   ///< the body is in `body`, the last chunk and trailers were read
    TooLarge,   ///< the chunk sizes add up to more than the limit; reading stopped there
    Malformed,  ///< a chunk-size line or a chunk's CRLF is not what RFC 9112 §7.1 says
    Truncated,  ///< the connection ended before the last chunk
};

struct ChunkedResult {
    ChunkedOutcome outcome = ChunkedOutcome::Complete;
    std::string detail;  ///< for the problem document; names what was wrong, not the data
};

/// Reads a chunked body from `session` into `body` (cleared first), accepting at most
/// `limit` bytes of content. Chunk extensions and trailer fields are read and ignored.
/// Socket errors and timeouts propagate as the `Poco::Exception`s the session throws.
ChunkedResult readChunkedBody(Poco::Net::HTTPSession& session, std::size_t limit,
                              std::string& body);

}  // namespace relais::http::detail
