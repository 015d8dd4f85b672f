// SPDX-License-Identifier: AGPL-3.0-or-later
// Fuzz target: the incremental request-head parser of the event-loop front end
// (core/src/http/head_parser.h, HeadParser), which reads every byte a client sends before
// its body. The input is what a connection delivers: a head, possibly followed by a body or
// the next pipelined request.
//
// The input is fed three ways: in one piece; in pieces of 1 to 64 bytes (the length chosen
// by the input's first byte: 1 is byte by byte); and in two pieces cut at a point chosen by
// its last bytes. After a complete head, the parser is reset and fed what follows it.
//
// Invariants asserted, besides "no crash, no sanitizer report, no exception":
//   - every way of cutting the input gives the same state, `started`, status, detail and,
//     when complete, the same head and the same count of consumed bytes;
//   - never more consumed than fed; nothing consumed once complete or failed;
//   - a complete head ends with LF at the consumed count, and holds at most 100 fields,
//     names of 1 to 256 token bytes and values of at most 8 KiB without NUL, CR, LF or
//     surrounding blanks, a method of 1 to 32 bytes, a target of 1 byte to 16 KiB, and
//     HTTP/1.0 to 1.9;
//   - a parser reset after a complete head reads what follows it as a fresh parser does;
//   - a refusal is 400 (detail "the request line or headers are malformed (…)"), 414 or 431.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "http/head_parser.h"

namespace relais::fuzz {
namespace {

using http::detail::HeadParser;

// Large enough for a target over 16 KiB and 100 fields of some size.
constexpr std::size_t kMaxInput = 256 * 1024;

struct Parsed {
    HeadParser parser;
    std::size_t consumed = 0;
};

// Feeds `input` in pieces of `piece` bytes (the whole when 0), the first cut at `first`.
void feedPieces(Parsed& out, std::string_view input, std::size_t first, std::size_t piece) {
    std::size_t from = 0;
    std::size_t to = first;
    while (from < input.size()) {
        if (to <= from || to > input.size()) to = input.size();
        const std::size_t before = out.consumed;
        out.consumed += out.parser.feed(input.substr(from, to - from));
        const bool stopped = out.parser.state() != HeadParser::State::Incomplete;
        RELAIS_FUZZ_CHECK(stopped || out.consumed - before == to - from,
                          "an incomplete head left bytes unconsumed");
        if (stopped) {
            RELAIS_FUZZ_CHECK(out.parser.feed(input.substr(to)) == 0,
                              "bytes consumed after the head completed or failed");
            break;
        }
        from = to;
        to = piece == 0 ? input.size() : from + piece;
    }
    RELAIS_FUZZ_CHECK(out.consumed <= input.size(), "more consumed than fed");
}

std::string describe(Parsed& parsed) {
    auto& parser = parsed.parser;
    std::string out = std::to_string(static_cast<int>(parser.state())) +
                      (parser.started() ? " started " : " idle ") +
                      std::to_string(parser.errorStatus()) + " " + parser.errorDetail();
    if (parser.state() != HeadParser::State::Complete) return out;
    const auto& head = parser.head();
    out += " consumed " + std::to_string(parsed.consumed) + " " + head.method + " " + head.target +
           " 1." + std::to_string(head.minor_version);
    for (const auto& [name, value] : head.fields) out += "\n" + name + ": " + value;
    return out;
}

bool isTokenChar(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

void checkComplete(Parsed& parsed, std::string_view input) {
    const auto& head = parsed.parser.head();
    RELAIS_FUZZ_CHECK(parsed.consumed > 0 && input[parsed.consumed - 1] == '\n',
                      "a complete head does not end with LF");
    RELAIS_FUZZ_CHECK(!head.method.empty() && head.method.size() <= 32, "method length");
    RELAIS_FUZZ_CHECK(!head.target.empty() && head.target.size() <= 16 * 1024, "target length");
    RELAIS_FUZZ_CHECK(head.minor_version >= 0 && head.minor_version <= 9, "version");
    RELAIS_FUZZ_CHECK(head.fields.size() <= 100, "more than 100 fields");
    for (const auto& [name, value] : head.fields) {
        RELAIS_FUZZ_CHECK(!name.empty() && name.size() <= 256, "field name length: " + name);
        for (const char c : name) RELAIS_FUZZ_CHECK(isTokenChar(c), "field name: " + name);
        RELAIS_FUZZ_CHECK(value.size() <= 8 * 1024, "field value over 8 KiB");
        RELAIS_FUZZ_CHECK(value.find_first_of(std::string_view("\0\r\n", 3)) == std::string::npos,
                          "NUL, CR or LF in a field value");
        RELAIS_FUZZ_CHECK(value.empty() || (value.front() != ' ' && value.front() != '\t' &&
                                            value.back() != ' ' && value.back() != '\t'),
                          "field value not trimmed: '" + value + "'");
        RELAIS_FUZZ_CHECK(head.find(name) != nullptr, "find misses a field: " + name);
    }
}

void checkFailed(HeadParser& parser) {
    const int status = parser.errorStatus();
    RELAIS_FUZZ_CHECK(status == 400 || status == 414 || status == 431,
                      "refused with " + std::to_string(status));
    if (status == 400) {
        RELAIS_FUZZ_CHECK(
            parser.errorDetail().starts_with("the request line or headers are malformed ("),
            "400 detail: " + parser.errorDetail());
    }
}

// All the checks on one input, `reused` (a parser reset after an earlier head of the same
// connection) included; returns how many bytes the head took (0 unless complete).
std::size_t checkHead(std::string_view input, Parsed& reused) {
    const std::size_t piece = input.empty() ? 1 : 1 + static_cast<unsigned char>(input[0]) % 64;
    const std::size_t cut = input.size() < 2
                                ? 0
                                : (static_cast<unsigned char>(input[input.size() - 1]) * 256u +
                                   static_cast<unsigned char>(input[input.size() - 2])) %
                                      (input.size() + 1);

    Parsed whole;
    feedPieces(whole, input, input.size(), 0);
    Parsed small;
    feedPieces(small, input, piece, piece);
    Parsed halves;
    feedPieces(halves, input, cut, 0);

    reused.consumed = 0;
    feedPieces(reused, input, input.size(), 0);

    const std::string expected = describe(whole);
    note(expected);
    RELAIS_FUZZ_CHECK(describe(reused) == expected,
                      "after a reset: " + describe(reused) + "\n  fresh parser: " + expected);
    RELAIS_FUZZ_CHECK(describe(small) == expected, "pieces of " + std::to_string(piece) +
                                                       " bytes: " + describe(small) +
                                                       "\n  one piece: " + expected);
    RELAIS_FUZZ_CHECK(
        describe(halves) == expected,
        "cut at " + std::to_string(cut) + ": " + describe(halves) + "\n  one piece: " + expected);

    switch (whole.parser.state()) {
        case HeadParser::State::Complete:
            checkComplete(whole, input);
            return whole.consumed;
        case HeadParser::State::Failed:
            checkFailed(whole.parser);
            return 0;
        case HeadParser::State::Incomplete:
            return 0;
    }
    return 0;
}

}  // namespace
}  // namespace relais::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace relais::fuzz;
    if (size > kMaxInput) return 0;
    std::string_view input = asText(data, size);
    // The head, then whatever follows it as the connection's next request (pipelining),
    // through a parser reset after each complete head.
    Parsed reused;
    for (int request = 0; request < 8; ++request) {
        const std::size_t consumed = checkHead(input, reused);
        if (consumed == 0) break;
        reused.parser.reset();
        input.remove_prefix(consumed);
    }
    return 0;
}
