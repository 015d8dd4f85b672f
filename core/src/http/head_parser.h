// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

/// @file
/// The incremental parser of HTTP/1.x request heads (internal to relais_http): the event
/// loop feeds it whatever bytes arrived, in pieces of any size, and it says when the head is
/// complete, or what is wrong with it as soon as it can tell, without ever holding more than
/// the limits allow.
///
/// What it accepts (RFC 9112 §2-§5): optional empty lines before the request line; a
/// request line `method SP target SP HTTP/1.0|HTTP/1.1`; header fields `name: value` with a
/// token name, no space before the colon, and the value trimmed of surrounding spaces and
/// tabs; lines ending with CRLF or a bare LF (as Poco and nginx accept); an empty line ending
/// the head. Refused: obsolete line folding, a NUL or bare CR anywhere, anything else
/// malformed (400); a method over 32 bytes or a version that is not `HTTP/1.x` (400).
///
/// Limits (those of Poco 1.11's parser, which relais used before; the problem details below
/// are what clients and tests see): a target of at most 16 KiB (else 414, "the request
/// target is longer than 16 KiB"); at most 100 fields, names of at most 256 bytes, values of
/// at most 8 KiB (else 431, "the request headers are too large: at most 100 fields, each
/// name at most 256 bytes and each value at most 8 KiB"); 400 details start with "the
/// request line or headers are malformed (" and name the fault.

namespace relais::http::detail {

/// A complete request head.
struct RequestHead {
    std::string method;
    std::string target;                                       ///< as received
    int minor_version = 1;                                    ///< HTTP/1.<minor>
    std::vector<std::pair<std::string, std::string>> fields;  ///< in order, names as received

    /// The first value of `name` (case-insensitive), or null.
    const std::string* find(std::string_view name) const noexcept;
    /// The first value of `name`, or `fallback`.
    std::string get(std::string_view name, std::string_view fallback = {}) const;
    /// Whether the connection may stay open after this request: HTTP/1.1 unless
    /// `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`.
    bool keepAlive() const noexcept;
    /// `Expect: 100-continue`.
    bool expectsContinue() const noexcept;
};

class HeadParser {
public:
    enum class State { Incomplete, Complete, Failed };

    /// Consumes bytes of `data` and returns how many: all of them while the head is
    /// incomplete; on completion, up to and including the empty line (the rest belongs to
    /// the body or the next request); on failure, any number (the connection is answered
    /// and closed). Feeding after completion or failure consumes nothing.
    std::size_t feed(std::string_view data);

    State state() const noexcept { return state_; }
    /// Whether any byte of a request (empty lines before it excluded) has arrived.
    bool started() const noexcept { return started_; }
    /// The head; meaningful once complete.
    RequestHead& head() noexcept { return head_; }
    /// On failure: 400, 414 or 431 and a detail for the problem document.
    int errorStatus() const noexcept { return error_status_; }
    const std::string& errorDetail() const noexcept { return error_detail_; }

    /// Ready for the next request of the connection.
    void reset();

private:
    bool fail(int status, std::string detail);
    bool failOverlong();
    bool takeLine(std::string_view line);
    bool takeRequestLine(std::string_view line);
    bool takeField(std::string_view line);

    State state_ = State::Incomplete;
    bool started_ = false;
    bool have_request_line_ = false;
    std::string line_;  // the line being received, without its terminator
    RequestHead head_;
    int error_status_ = 0;
    std::string error_detail_;
};

}  // namespace relais::http::detail
