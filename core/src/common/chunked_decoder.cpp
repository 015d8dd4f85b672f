// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/common/chunked_decoder.h"

#include <algorithm>
#include <array>

#include "relais/sdk/text.h"

namespace relais::common {
namespace {

// Longest chunk-size line (size, extensions, CRLF) and trailer line accepted, and most
// trailer fields: generous for real peers, small enough not to be a memory sink.
constexpr std::size_t kMaxLine = 4096;
constexpr int kMaxTrailerFields = 64;
// 15 hex digits stay below 2^60: no overflow when sizes are added up.
constexpr std::size_t kMaxSizeDigits = 15;
// What the pull driver reads a chunk's data through.
constexpr std::size_t kReadBuffer = 16 * 1024;

}  // namespace

std::size_t ChunkedParser::feed(std::string_view data, std::string& body) {
    std::size_t pos = 0;
    while (state_ == State::Incomplete && pos < data.size()) {
        if (step_ == Step::Data) {
            const std::size_t n = std::min(remaining_, data.size() - pos);
            body.append(data.data() + pos, n);
            pos += n;
            remaining_ -= n;
            total_ += n;
            if (remaining_ == 0) step_ = Step::DataEnd;
            continue;
        }
        // Inside a line: up to and including the next LF, and never more than kMaxLine bytes
        // (a line that reaches the limit without its LF fails there, as the pull reader did).
        const std::string_view piece = data.substr(pos, kMaxLine - line_.size());
        const auto lf = piece.find('\n');
        if (lf == std::string_view::npos) {
            line_.append(piece);
            pos += piece.size();
            if (line_.size() >= kMaxLine) {
                switch (step_) {
                    case Step::SizeLine:
                        fail(State::Malformed, "a chunk-size line is too long");
                        break;
                    case Step::Trailer:
                        fail(State::Malformed, "a trailer line is too long");
                        break;
                    default:
                        fail(State::Malformed, "a chunk's data is longer than its size says");
                        break;
                }
            }
            continue;
        }
        line_.append(piece.substr(0, lf + 1));
        pos += lf + 1;
        switch (step_) {
            case Step::SizeLine:
                if (takeSizeLine() && step_ == Step::Data &&
                    (limit_ < body.size() || remaining_ > limit_ - body.size())) {
                    fail(State::TooLarge, "the chunk sizes add up to more than the limit");
                }
                break;
            case Step::DataEnd:
                if (line_ != "\r\n") {
                    fail(State::Malformed, "a chunk's data is longer than its size says");
                } else {
                    step_ = Step::SizeLine;
                }
                break;
            default:
                takeTrailerLine();
                break;
        }
        line_.clear();
    }
    return pos;
}

std::size_t ChunkedParser::wanted() const noexcept {
    if (state_ != State::Incomplete) return 0;
    return step_ == Step::Data ? remaining_ : 1;
}

std::string_view ChunkedParser::endedDetail() const noexcept {
    switch (step_) {
        case Step::SizeLine:
            return "the body ended before its last chunk";
        case Step::Data:
            return "the body ended inside a chunk";
        case Step::DataEnd:
            return "the body ended after a chunk's data";
        case Step::Trailer:
            return "the body ended inside its trailer";
    }
    return {};
}

bool ChunkedParser::fail(State state, std::string detail) {
    state_ = state;
    detail_ = std::move(detail);
    return false;
}

// chunk-size [ ";" chunk-ext ] CRLF, in `line_`; extensions are ignored.
bool ChunkedParser::takeSizeLine() {
    if (line_.size() < 3 || line_.compare(line_.size() - 2, 2, "\r\n") != 0) {
        return fail(State::Malformed, "a chunk-size line does not end with CRLF");
    }
    std::size_t size = 0;
    std::size_t digits = 0;
    for (int value = 0; (value = sdk::text::hexDigitValue(line_[digits])) >= 0; ++digits) {
        if (digits < kMaxSizeDigits) size = size * 16 + static_cast<std::size_t>(value);
    }
    const char after = line_[digits];
    if (digits == 0 || digits > kMaxSizeDigits ||
        (after != '\r' && after != ';' && after != ' ' && after != '\t')) {
        return fail(State::Malformed, "a chunk size is not a hexadecimal number");
    }
    if (size == 0) {
        step_ = Step::Trailer;
        trailer_fields_ = 0;
    } else {
        step_ = Step::Data;
        remaining_ = size;
    }
    return true;
}

// A trailer line in `line_`: the empty one ends the body; fields are counted and ignored.
bool ChunkedParser::takeTrailerLine() {
    if (line_ == "\r\n") {
        state_ = State::Complete;
        return true;
    }
    if (trailer_fields_ == kMaxTrailerFields) {
        return fail(State::Malformed, "the body has too many trailer fields");
    }
    ++trailer_fields_;
    return true;
}

ChunkedResult decodeChunkedBody(ChunkedSource& source, std::size_t limit, std::string& body) {
    ChunkedParser parser(limit);
    std::array<char, kReadBuffer> buffer{};
    while (parser.state() == ChunkedParser::State::Incomplete) {
        // Byte by byte inside lines, so that nothing past the body is taken from the source.
        const std::size_t wanted = parser.wanted();
        std::size_t got = 0;
        if (wanted == 1) {
            const auto c = source.readByte();
            if (c) buffer[0] = *c;
            got = c ? 1 : 0;
        } else {
            got = source.read(buffer.data(), std::min(wanted, buffer.size()));
        }
        if (got == 0) return {ChunkedOutcome::Truncated, std::string(parser.endedDetail())};
        parser.feed({buffer.data(), got}, body);
    }
    switch (parser.state()) {
        case ChunkedParser::State::TooLarge:
            return {ChunkedOutcome::TooLarge, parser.detail()};
        case ChunkedParser::State::Malformed:
            return {ChunkedOutcome::Malformed, parser.detail()};
        default:
            return {};
    }
}

}  // namespace relais::common
