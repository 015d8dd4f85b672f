// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

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

/// The same decoder, fed: the server's event loop gives it the bytes of a connection as they
/// arrive, in pieces of any size, and it keeps its place between them. `decodeChunkedBody`
/// is this parser driven by a pull source, so both read exactly the same framing.
class ChunkedParser {
public:
    enum class State { Incomplete, Complete, TooLarge, Malformed };

    /// Accepts at most `limit` bytes of content in the body it appends to.
    explicit ChunkedParser(std::size_t limit) noexcept : limit_(limit) {}

    /// Consumes bytes of `data`, appending chunk content to `body`, and returns how many:
    /// never a byte past the end of the body (a pipelined request after it stays where it
    /// is), nothing once complete or failed.
    std::size_t feed(std::string_view data, std::string& body);

    State state() const noexcept { return state_; }
    /// What is wrong (TooLarge, Malformed); names the fault, not the data.
    const std::string& detail() const noexcept { return detail_; }
    /// How many bytes the parser can take next without any risk of reading past the body:
    /// the rest of the chunk's data inside a chunk, else 1 (it is inside a line).
    std::size_t wanted() const noexcept;
    /// What is missing if the stream ends now, for a truncated body: names the step
    /// ("the body ended inside a chunk", ...).
    std::string_view endedDetail() const noexcept;

private:
    enum class Step { SizeLine, Data, DataEnd, Trailer };

    bool fail(State state, std::string detail);
    bool takeSizeLine();
    bool takeTrailerLine();

    std::size_t limit_;
    State state_ = State::Incomplete;
    Step step_ = Step::SizeLine;
    std::string line_;           // the line being received, terminator included
    std::size_t remaining_ = 0;  // bytes of the current chunk still to come (Data, DataEnd)
    std::size_t total_ = 0;      // content bytes accepted so far
    int trailer_fields_ = 0;
    std::string detail_;
};

/// Decodes a chunked body from `source` and appends its content to `body`, accepting at
/// most `limit` bytes of content in `body` in all (what it held before counts).
ChunkedResult decodeChunkedBody(ChunkedSource& source, std::size_t limit, std::string& body);

}  // namespace relais::common
