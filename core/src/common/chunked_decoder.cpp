// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/common/chunked_decoder.h"

#include "relais/sdk/text.h"

namespace relais::common {
namespace {

// Longest chunk-size line (size, extensions, CRLF) and trailer line accepted, and most
// trailer fields: generous for real peers, small enough not to be a memory sink.
constexpr std::size_t kMaxLine = 4096;
constexpr int kMaxTrailerFields = 64;
// 15 hex digits stay below 2^60: no overflow when sizes are added up.
constexpr std::size_t kMaxSizeDigits = 15;

/// One line, CRLF included, read up to and including the next LF and never beyond, so the
/// bytes after the line stay in the source. Empty optional when the stream ends first or
/// the line is too long.
std::optional<std::string> readLine(ChunkedSource& source, bool& too_long) {
    std::string line;
    for (;;) {
        const auto c = source.readByte();
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

ChunkedResult decodeChunkedBody(ChunkedSource& source, std::size_t limit, std::string& body) {
    for (;;) {
        bool too_long = false;
        const auto line = readLine(source, too_long);
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
        while (digits < line->size() && sdk::text::hexDigitValue((*line)[digits]) >= 0) {
            size = size * 16 + static_cast<std::size_t>(sdk::text::hexDigitValue((*line)[digits]));
            ++digits;
        }
        const char after = (*line)[digits];
        if (digits == 0 || digits > kMaxSizeDigits ||
            (after != '\r' && after != ';' && after != ' ' && after != '\t')) {
            return {ChunkedOutcome::Malformed, "a chunk size is not a hexadecimal number"};
        }

        if (size == 0) {
            for (int fields = 0;; ++fields) {
                const auto trailer = readLine(source, too_long);
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

        if (limit < body.size() || size > limit - body.size()) {
            return {ChunkedOutcome::TooLarge, {}};
        }
        const std::size_t start = body.size();
        body.resize(start + size);
        std::size_t got = 0;
        while (got < size) {
            const std::size_t n = source.read(body.data() + start + got, size - got);
            if (n == 0) {
                body.resize(start + got);
                return {ChunkedOutcome::Truncated, "the body ended inside a chunk"};
            }
            got += n;
        }

        const auto end = readLine(source, too_long);
        if (!end && !too_long) {
            return {ChunkedOutcome::Truncated, "the body ended after a chunk's data"};
        }
        if (!end || *end != "\r\n") {
            return {ChunkedOutcome::Malformed, "a chunk's data is longer than its size says"};
        }
    }
}

}  // namespace relais::common
