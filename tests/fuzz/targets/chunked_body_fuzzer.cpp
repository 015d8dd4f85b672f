// SPDX-License-Identifier: AGPL-3.0-or-later
// Fuzz target: the strict `Transfer-Encoding: chunked` decoder (relais/common/
// chunked_decoder.h) in both of its uses: `ChunkedParser`, fed by the server's event loop
// as bytes arrive, and `decodeChunkedBody`, which the host's HTTP client drives from its
// connection. Both read from memory here: no network, no server, no thread.
//
// The input is the request's bytes after its head: the chunked body, possibly followed by
// the next pipelined request. The content limit is 1024 bytes.
//
// Invariants asserted, besides "no crash, no sanitizer report, no exception":
//   - the outcome is the one a byte-exact reading of RFC 9112 §7.1, with the decoder's own
//     limits (4096-byte lines, 64 trailer fields, 15 size digits), gives — computed here
//     from the buffer by `referenceDecode` — so a malformed size line, a missing CRLF, or a
//     body cut short is refused, never taken for a complete body;
//   - a complete body has the reference's bytes, within the limit;
//   - nothing past the body is consumed: the decoder stops exactly after the last CRLF of
//     the trailer section;
//   - the push parser, fed the input in pieces of 1 to 32 bytes (the length chosen by the
//     input's first byte), agrees with `decodeChunkedBody` reading it in one piece: the same
//     outcome (a parser still incomplete at the end is a truncated body, with the same
//     detail), the same body and, when complete, the same bytes consumed.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "relais/common/chunked_decoder.h"

#include "fuzz_check.h"

namespace relais::fuzz {
namespace {

using common::ChunkedOutcome;

constexpr std::size_t kLimit = 1024;
// The decoder's limits (core/src/common/chunked_decoder.cpp), restated: a change there
// should fail here first.
constexpr std::size_t kMaxLine = 4096;
constexpr int kMaxTrailerFields = 64;
constexpr std::size_t kMaxSizeDigits = 15;
// Larger inputs only repeat what smaller ones explore.
constexpr std::size_t kMaxInput = 64 * 1024;

const char* nameOf(ChunkedOutcome outcome) {
    switch (outcome) {
        case ChunkedOutcome::Complete:
            return "Complete";
        case ChunkedOutcome::TooLarge:
            return "TooLarge";
        case ChunkedOutcome::Malformed:
            return "Malformed";
        case ChunkedOutcome::Truncated:
            return "Truncated";
    }
    return "?";
}

struct Reference {
    ChunkedOutcome outcome = ChunkedOutcome::Complete;
    std::string body;
    std::size_t consumed = 0;  ///< bytes of the input that belong to the body (Complete)
};

enum class LineStatus { Line, End, TooLong };

// The next LF-terminated line at `pos`, LF included, if it ends within kMaxLine bytes.
LineStatus nextLine(std::string_view in, std::size_t& pos, std::string_view& line) {
    const std::size_t available = in.size() - pos;
    const auto lf = in.substr(pos, std::min(available, kMaxLine)).find('\n');
    if (lf == std::string_view::npos) {
        return available >= kMaxLine ? LineStatus::TooLong : LineStatus::End;
    }
    line = in.substr(pos, lf + 1);
    pos += lf + 1;
    return LineStatus::Line;
}

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

Reference referenceDecode(std::string_view in, std::size_t limit) {
    Reference out;
    std::size_t pos = 0;
    std::string_view line;
    const auto fail = [&](ChunkedOutcome outcome) {
        out.outcome = outcome;
        return out;
    };
    for (;;) {
        // chunk-size [ chunk-ext ] CRLF
        switch (nextLine(in, pos, line)) {
            case LineStatus::TooLong:
                return fail(ChunkedOutcome::Malformed);
            case LineStatus::End:
                return fail(ChunkedOutcome::Truncated);
            case LineStatus::Line:
                break;
        }
        if (line.size() < 3 || !line.ends_with("\r\n")) return fail(ChunkedOutcome::Malformed);
        std::size_t digits = 0;
        std::size_t size = 0;
        while (hexValue(line[digits]) >= 0) {
            if (digits < kMaxSizeDigits)
                size = size * 16 + static_cast<std::size_t>(hexValue(line[digits]));
            ++digits;
        }
        const char after = line[digits];
        if (digits == 0 || digits > kMaxSizeDigits ||
            (after != '\r' && after != ';' && after != ' ' && after != '\t')) {
            return fail(ChunkedOutcome::Malformed);
        }
        if (size == 0) {
            for (int fields = 0;; ++fields) {
                switch (nextLine(in, pos, line)) {
                    case LineStatus::TooLong:
                        return fail(ChunkedOutcome::Malformed);
                    case LineStatus::End:
                        return fail(ChunkedOutcome::Truncated);
                    case LineStatus::Line:
                        break;
                }
                if (line == "\r\n") {
                    out.consumed = pos;
                    return out;
                }
                if (fields == kMaxTrailerFields) return fail(ChunkedOutcome::Malformed);
            }
        }
        if (size > limit - out.body.size()) return fail(ChunkedOutcome::TooLarge);
        if (in.size() - pos < size) return fail(ChunkedOutcome::Truncated);
        out.body.append(in.substr(pos, size));
        pos += size;
        switch (nextLine(in, pos, line)) {
            case LineStatus::End:
                return fail(ChunkedOutcome::Truncated);
            case LineStatus::TooLong:
                return fail(ChunkedOutcome::Malformed);
            case LineStatus::Line:
                break;
        }
        if (line != "\r\n") return fail(ChunkedOutcome::Malformed);
    }
}

// The input from memory, for decodeChunkedBody without a socket; `consumed` is how far it read.
class MemorySource final : public common::ChunkedSource {
public:
    explicit MemorySource(std::string_view bytes) : bytes_(bytes) {}

    std::optional<char> readByte() override {
        if (consumed_ == bytes_.size()) return std::nullopt;
        return bytes_[consumed_++];
    }

    std::size_t read(char* buffer, std::size_t length) override {
        const std::size_t n = std::min(length, bytes_.size() - consumed_);
        bytes_.copy(buffer, n, consumed_);
        consumed_ += n;
        return n;
    }

    std::size_t consumed() const noexcept { return consumed_; }

private:
    std::string_view bytes_;
    std::size_t consumed_ = 0;
};

// ChunkedParser fed `input` in pieces of `piece` bytes, against decodeChunkedBody.
void checkPushParser(std::string_view input, std::size_t piece) {
    MemorySource source(input);
    std::string pulled;
    const auto expected = common::decodeChunkedBody(source, kLimit, pulled);

    common::ChunkedParser parser(kLimit);
    std::string pushed;
    std::size_t consumed = 0;
    for (std::size_t from = 0; from < input.size(); from += piece) {
        const std::size_t took = parser.feed(input.substr(from, piece), pushed);
        consumed += took;
        if (parser.state() != common::ChunkedParser::State::Incomplete) break;
        RELAIS_FUZZ_CHECK(took == std::min(piece, input.size() - from),
                          "an incomplete parser left bytes unconsumed");
    }
    ChunkedOutcome outcome = ChunkedOutcome::Truncated;
    std::string detail(parser.endedDetail());
    switch (parser.state()) {
        case common::ChunkedParser::State::Incomplete:
            break;
        case common::ChunkedParser::State::Complete:
            outcome = ChunkedOutcome::Complete;
            detail.clear();
            break;
        case common::ChunkedParser::State::TooLarge:
            outcome = ChunkedOutcome::TooLarge;
            detail = parser.detail();
            break;
        case common::ChunkedParser::State::Malformed:
            outcome = ChunkedOutcome::Malformed;
            detail = parser.detail();
            break;
    }
    const std::string where = "in pieces of " + std::to_string(piece) + ": ";
    RELAIS_FUZZ_CHECK(outcome == expected.outcome && detail == expected.detail,
                      where + "ChunkedParser says " + nameOf(outcome) + " (" + detail +
                          "), decodeChunkedBody " + nameOf(expected.outcome) + " (" +
                          expected.detail + ")");
    RELAIS_FUZZ_CHECK(pushed == pulled, where + "the bodies differ");
    if (outcome == ChunkedOutcome::Complete) {
        RELAIS_FUZZ_CHECK(consumed == source.consumed(), where + "the consumed bytes differ");
    }
}

}  // namespace
}  // namespace relais::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace relais::fuzz;
    if (size > kMaxInput) return 0;
    const std::string_view input = asText(data, size);
    const Reference expected = referenceDecode(input, kLimit);
    checkPushParser(input, input.empty() ? 1 : 1 + static_cast<unsigned char>(input[0]) % 32);

    MemorySource source(input);
    std::string body;
    const auto result = relais::common::decodeChunkedBody(source, kLimit, body);

    if (verbose()) {
        note(std::string(nameOf(result.outcome)) + " " + result.detail + ", " +
             std::to_string(body.size()) + " bytes");
    }
    RELAIS_FUZZ_CHECK(result.outcome == expected.outcome,
                      std::string("decodeChunkedBody says ") + nameOf(result.outcome) + " (" +
                          result.detail + "), RFC 9112 says " + nameOf(expected.outcome));
    if (result.outcome != ChunkedOutcome::Complete) return 0;
    RELAIS_FUZZ_CHECK(body.size() <= kLimit, "a complete body beyond the limit");
    RELAIS_FUZZ_CHECK(body == expected.body, "the body differs from the chunks' data");
    RELAIS_FUZZ_CHECK(source.consumed() == expected.consumed,
                      "bytes after the body were consumed (or the body's were left)");
    return 0;
}
