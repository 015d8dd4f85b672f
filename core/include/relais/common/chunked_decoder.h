// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstddef>
#include <optional>
#include <string>

/// @file
/// The one decoder of `Transfer-Encoding: chunked` bodies (RFC 9112 §7.1), used by the HTTP
/// server for request bodies and by the host's HTTP client for response bodies.
///
/// Strict: every chunk-size line, chunk end and trailer line must end with CRLF (a bare LF
/// is malformed framing, which a front end may read differently: request smuggling); a
/// malformed size or a stream that ends before the last chunk is an error, never the end
/// of the body. It reads nothing past the body (a pipelined request after it stays
/// intact), and stops as soon as the declared sizes exceed the limit.
///
/// Limits: lines of at most 4096 bytes (CRLF included), at most 64 trailer fields (read and
/// ignored, like chunk extensions), chunk sizes of at most 15 hex digits.

namespace relais::common {

/// Where the decoder reads the framed bytes from: a connection, through its buffer.
/// Errors of the connection (timeouts, resets) are exceptions the decoder lets through.
class ChunkedSource {
public:
    virtual ~ChunkedSource() = default;
    /// The next byte, or nothing at the end of the stream. Never reads ahead.
    virtual std::optional<char> readByte() = 0;
    /// Up to `length` bytes (at least one unless the stream has ended) into `buffer`;
    /// 0 at the end of the stream. Never reads more than `length`.
    virtual std::size_t read(char* buffer, std::size_t length) = 0;
};

enum class ChunkedOutcome {
    Complete,   ///< the body is in `body`, the last chunk and trailers were read
    TooLarge,   ///< the chunk sizes add up to more than the limit; reading stopped there
    Malformed,  ///< a chunk-size line or a chunk's CRLF is not what RFC 9112 §7.1 says
    Truncated,  ///< the stream ended before the last chunk
};

struct ChunkedResult {
    ChunkedOutcome outcome = ChunkedOutcome::Complete;
    std::string detail;  ///< names what was wrong, not the data
};

/// Decodes a chunked body from `source` and appends its content to `body`, accepting at
/// most `limit` bytes of content in `body` in all (what it held before counts).
ChunkedResult decodeChunkedBody(ChunkedSource& source, std::size_t limit, std::string& body);

}  // namespace relais::common
