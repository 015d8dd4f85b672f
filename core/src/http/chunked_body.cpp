// SPDX-License-Identifier: AGPL-3.0-or-later
#include "http/chunked_body.h"

#include <istream>
#include <optional>

#include <Poco/Net/HTTPFixedLengthStream.h>
#include <Poco/Net/HTTPSession.h>

namespace relais::http::detail {
namespace {

// Longest chunk-size line (size, extensions, CRLF) and trailer line accepted, and most
// trailer fields: generous for real clients, small enough not to be a memory sink.
constexpr std::size_t kMaxLine = 4096;
constexpr int kMaxTrailerFields = 64;
// 15 hex digits stay below 2^60: no overflow when sizes are added up.
constexpr std::size_t kMaxSizeDigits = 15;

int hexValue(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/// One byte from the session, or nothing at its end. Not through `HTTPSession::get` (nor
/// Poco's header stream, which uses it): Poco 1.11 returns a plain `char` there, so a 0xFF
/// byte reads as end-of-file and vanishes, and `1\xFF0` would be taken for the size `10`
/// (framing a body differently from a strict front end). A length-bounded stream copies
/// bytes as they are and never reads past its one byte.
std::optional<char> readByte(Poco::Net::HTTPSession& session) {
    Poco::Net::HTTPFixedLengthInputStream in(session, 1);
    in.exceptions(std::ios::badbit);
    char c = 0;
    in.read(&c, 1);
    if (in.gcount() != 1) return std::nullopt;
    return c;
}

/// One line, CRLF included, read up to and including the next LF and never beyond, so the
/// bytes after the line stay in the session. Empty optional when the connection ends first
/// or the line is too long.
std::optional<std::string> readLine(Poco::Net::HTTPSession& session, bool& too_long) {
    std::string line;
    for (;;) {
        const auto c = readByte(session);
        if (!c) return std::nullopt;
        line += *c;
        if (*c == '\n') return line;
        if (line.size() >= kMaxLine) {
            too_long = true;
            return std::nullopt;
        }
    }
}

}  // namespace

ChunkedResult readChunkedBody(Poco::Net::HTTPSession& session, std::size_t limit,
                              std::string& body) {
    body.clear();
    for (;;) {
        bool too_long = false;
        const auto line = readLine(session, too_long);
        if (!line) {
            if (too_long) return {ChunkedOutcome::Malformed, "a chunk-size line is too long"};
            return {ChunkedOutcome::Truncated, "the body ended before its last chunk"};
        }
        // chunk-size [ ";" chunk-ext ] CRLF
        if (line->size() < 3 || line->compare(line->size() - 2, 2, "\r\n") != 0) {
            return {ChunkedOutcome::Malformed, "a chunk-size line does not end with CRLF"};
        }
        std::size_t size = 0;
        std::size_t digits = 0;
        while (digits < line->size() && hexValue((*line)[digits]) >= 0) {
            size = size * 16 + static_cast<std::size_t>(hexValue((*line)[digits]));
            ++digits;
        }
        const char after = (*line)[digits];
        if (digits == 0 || digits > kMaxSizeDigits ||
            (after != '\r' && after != ';' && after != ' ' && after != '\t')) {
            return {ChunkedOutcome::Malformed, "a chunk size is not a hexadecimal number"};
        }

        if (size == 0) {
            for (int fields = 0;; ++fields) {
                const auto trailer = readLine(session, too_long);
                if (!trailer) {
                    if (too_long) return {ChunkedOutcome::Malformed, "a trailer line is too long"};
                    return {ChunkedOutcome::Truncated, "the body ended inside its trailer"};
                }
                if (*trailer == "\r\n") return {};
                if (fields == kMaxTrailerFields) {
                    return {ChunkedOutcome::Malformed, "the body has too many trailer fields"};
                }
            }
        }

        if (size > limit - body.size()) {
            return {ChunkedOutcome::TooLarge, {}};
        }
        // A length-bounded stream reads exactly this chunk and nothing after it.
        Poco::Net::HTTPFixedLengthInputStream data(
            session, static_cast<Poco::Net::HTTPFixedLengthStreamBuf::ContentLength>(size));
        data.exceptions(std::ios::badbit);
        const std::size_t start = body.size();
        body.resize(start + size);
        data.read(body.data() + start, static_cast<std::streamsize>(size));
        if (static_cast<std::size_t>(data.gcount()) < size) {
            body.resize(start + static_cast<std::size_t>(data.gcount()));
            return {ChunkedOutcome::Truncated, "the body ended inside a chunk"};
        }

        const auto end = readLine(session, too_long);
        if (!end && !too_long) {
            return {ChunkedOutcome::Truncated, "the body ended after a chunk's data"};
        }
        if (!end || *end != "\r\n") {
            return {ChunkedOutcome::Malformed, "a chunk's data is longer than its size says"};
        }
    }
}

}  // namespace relais::http::detail
