// SPDX-License-Identifier: AGPL-3.0-or-later
#include "http/head_parser.h"

#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace relais::http::detail {
namespace {

using State = HeadParser::State;
using namespace std::string_literals;

constexpr std::string_view kMalformed = "the request line or headers are malformed (";
constexpr std::string_view kTooLarge =
    "the request headers are too large: at most 100 fields, each name at most 256 bytes and "
    "each value at most 8 KiB";

// What a parser made of some bytes: comparable across ways of cutting them.
struct Outcome {
    State state = State::Incomplete;
    bool started = false;
    int status = 0;
    std::string detail;
    std::size_t consumed = 0;
    RequestHead head;

    std::string describe() const {
        std::string out = std::to_string(static_cast<int>(state)) + " " + std::to_string(status) +
                          " " + detail + " consumed " + std::to_string(consumed) + " " +
                          head.method + " " + head.target + " 1." +
                          std::to_string(head.minor_version);
        for (const auto& [name, value] : head.fields) out += " [" + name + ": " + value + "]";
        return out;
    }
};

// Feeds `bytes` cut at `cuts` (ascending offsets), stopping once the parser stops consuming.
Outcome parsePieces(std::string_view bytes, const std::vector<std::size_t>& cuts) {
    HeadParser parser;
    Outcome out;
    std::size_t from = 0;
    for (std::size_t i = 0; i <= cuts.size() && parser.state() == State::Incomplete; ++i) {
        const std::size_t to = i < cuts.size() ? cuts[i] : bytes.size();
        out.consumed += parser.feed(bytes.substr(from, to - from));
        from = to;
    }
    out.state = parser.state();
    out.started = parser.started();
    out.status = parser.errorStatus();
    out.detail = parser.errorDetail();
    if (out.state == State::Complete) out.head = parser.head();
    // Consumption is only specified up to completion.
    if (out.state == State::Failed) out.consumed = 0;
    return out;
}

Outcome parse(std::string_view bytes) { return parsePieces(bytes, {}); }

void expectEveryCutAgrees(std::string_view bytes) {
    const std::string whole = parse(bytes).describe();
    std::vector<std::size_t> every_byte;
    for (std::size_t i = 1; i < bytes.size(); ++i) every_byte.push_back(i);
    EXPECT_EQ(parsePieces(bytes, every_byte).describe(), whole) << "byte by byte: " << bytes;
    for (std::size_t cut = 0; cut <= bytes.size(); ++cut) {
        EXPECT_EQ(parsePieces(bytes, {cut}).describe(), whole) << "cut at " << cut << ": " << bytes;
    }
}

void expectRefused(std::string_view bytes, int status, std::string_view detail_start) {
    const auto outcome = parse(bytes);
    EXPECT_EQ(outcome.state, State::Failed) << bytes;
    EXPECT_EQ(outcome.status, status) << bytes;
    EXPECT_EQ(outcome.detail.substr(0, detail_start.size()), detail_start) << outcome.detail;
}

std::string headWithFields(int count) {
    std::string head = "GET / HTTP/1.1\r\n";
    for (int i = 0; i < count; ++i) head += "X-" + std::to_string(i) + ": v\r\n";
    return head + "\r\n";
}

TEST(HeadParser, ReadsTheRequestLineAndFieldsInOrderWithTrimmedValues) {
    const auto outcome = parse(
        "POST /v1/dossiers?x=1 HTTP/1.1\r\nHost: relais\r\nX-Empty:\r\n"
        "Content-Type: \t application/json \t\r\nx-a: 1\r\nX-A: 2\r\n\r\n");
    ASSERT_EQ(outcome.state, State::Complete) << outcome.detail;
    EXPECT_TRUE(outcome.started);
    const auto& head = outcome.head;
    EXPECT_EQ(head.method, "POST");
    EXPECT_EQ(head.target, "/v1/dossiers?x=1");
    EXPECT_EQ(head.minor_version, 1);
    ASSERT_EQ(head.fields.size(), 5u);
    EXPECT_EQ(head.fields[2].first, "Content-Type");
    EXPECT_EQ(head.fields[2].second, "application/json");
    EXPECT_EQ(head.get("content-type"), "application/json");
    EXPECT_EQ(head.get("X-a"), "1");
    ASSERT_NE(head.find("x-empty"), nullptr);
    EXPECT_EQ(*head.find("x-empty"), "");
    EXPECT_EQ(head.find("Missing"), nullptr);
    EXPECT_EQ(head.get("Missing", "fallback"), "fallback");
}

TEST(HeadParser, EveryCutOfTheBytesGivesTheSameResultAsOnePiece) {
    const std::string cases[] = {
        "GET /healthz HTTP/1.1\r\nHost: t\r\nX-A:  b c \r\n\r\n"s,
        "\r\n\nPOST /a HTTP/1.0\nConnection: keep-alive\n\nbody"s,
        "GET / HTTP/1.1\r\nHost: t\r\n\r\nGET /next HTTP/1.1\r\n\r\n"s,
        "GET / HTTP/1.1\r\n Folded: x\r\n\r\n"s,
        "GET / HTTP/1.1\r\nBad : x\r\n\r\n"s,
        "GET / HTTP/1.1\r\nX: a\rb\r\n\r\n"s,
        "GET / HTTP/1.1\r\nX: a\0b\r\n\r\n"s,
        "GET /healthz HTTP/1.1-and-much-more\r\n\r\n"s,
        "GET / HTTP/1.1\r\r\n\r\n"s,
    };
    for (const auto& bytes : cases) expectEveryCutAgrees(bytes);
}

TEST(HeadParser, EveryCutOfALineAtItsLimitGivesTheSameResult) {
    // A request line and a field line of exactly the longest length held, and one byte more:
    // a CR waiting for its LF must not tip a line at the limit over it.
    const std::size_t request_line = 32 + 1 + 16384 + 1 + 8;
    const std::size_t field_line = 256 + 1 + 8192 + 64;
    for (const std::size_t extra : {std::size_t{0}, std::size_t{1}}) {
        const std::string version(request_line + extra - 6, '1');
        const std::string value(field_line + extra - 2, 'v');
        for (const std::string& bytes :
             {"GET / " + version + "\r\n\r\n", "GET / HTTP/1.1\r\nX:" + value + "\r\n\r\n"}) {
            const auto whole = parse(bytes);
            EXPECT_EQ(whole.state, State::Failed);
            for (std::size_t cut = bytes.size() - 8; cut <= bytes.size(); ++cut) {
                EXPECT_EQ(parsePieces(bytes, {cut}).describe(), whole.describe())
                    << "cut at " << cut;
            }
        }
    }
    EXPECT_NE(parse("GET / " + std::string(request_line - 6, '1') + "\r\n\r\n").detail,
              parse("GET / " + std::string(request_line - 5, '1') + "\r\n\r\n").detail);
}

TEST(HeadParser, LeavesTheBytesAfterTheHeadUnconsumed) {
    const std::string head = "GET / HTTP/1.1\r\nHost: t\r\n\r\n";
    HeadParser parser;
    EXPECT_EQ(parser.feed(head + "GET /next HTTP/1.1\r\n\r\n"), head.size());
    EXPECT_EQ(parser.state(), State::Complete);
    EXPECT_EQ(parser.feed("more"), 0u);
    EXPECT_EQ(parser.head().target, "/");
}

TEST(HeadParser, ResetReadsTheNextRequestOfTheConnection) {
    HeadParser parser;
    const std::string first = "GET /a HTTP/1.1\r\nX-One: 1\r\n\r\n";
    ASSERT_EQ(parser.feed(first), first.size());
    parser.reset();
    EXPECT_FALSE(parser.started());
    EXPECT_EQ(parser.state(), State::Incomplete);
    parser.feed("PUT /b HTTP/1.0\r\n\r\n");
    ASSERT_EQ(parser.state(), State::Complete);
    EXPECT_EQ(parser.head().method, "PUT");
    EXPECT_EQ(parser.head().minor_version, 0);
    EXPECT_TRUE(parser.head().fields.empty());
}

TEST(HeadParser, AcceptsBareLfLineEndings) {
    const auto outcome = parse("GET /x HTTP/1.1\nHost: t\nX-A: 1\r\n\n");
    ASSERT_EQ(outcome.state, State::Complete) << outcome.detail;
    EXPECT_EQ(outcome.head.get("Host"), "t");
    EXPECT_EQ(outcome.head.get("X-A"), "1");
}

TEST(HeadParser, SkipsEmptyLinesBeforeTheRequestWithoutCountingThemAsStarted) {
    HeadParser parser;
    EXPECT_EQ(parser.feed("\r\n\n\r\n\r"), 6u);
    EXPECT_EQ(parser.state(), State::Incomplete);
    EXPECT_FALSE(parser.started());
    parser.feed("\n");
    EXPECT_FALSE(parser.started());
    parser.feed("G");
    EXPECT_TRUE(parser.started());
    parser.feed("ET / HTTP/1.1\r\n\r\n");
    EXPECT_EQ(parser.state(), State::Complete);
}

TEST(HeadParser, RefusesFoldingSpaceBeforeColonNulAndBareCr) {
    expectRefused("GET / HTTP/1.1\r\nX-A: 1\r\n  continued\r\n\r\n", 400, kMalformed);
    expectRefused("GET / HTTP/1.1\r\nX-A: 1\r\n\tcontinued\r\n\r\n", 400, kMalformed);
    expectRefused("GET / HTTP/1.1\r\nX-A : 1\r\n\r\n", 400, kMalformed);
    expectRefused("GET / HTTP/1.1\r\nX-A: 1\0 2\r\n\r\n"s, 400, kMalformed);
    expectRefused("GET /\0 HTTP/1.1\r\n\r\n"s, 400, kMalformed);
    expectRefused("GET / HTTP/1.1\r\nX-A: 1\r2\r\n\r\n", 400, kMalformed);
    expectRefused("\rGET / HTTP/1.1\r\n\r\n", 400, kMalformed);
    expectRefused("GET / HTTP/1.1\r\nNo colon here\r\n\r\n", 400, kMalformed);
    expectRefused("GET / HTTP/1.1\r\n: no name\r\n\r\n", 400, kMalformed);
    expectRefused("GET / HTTP/1.1\r\nX(A): 1\r\n\r\n", 400, kMalformed);
}

TEST(HeadParser, RefusesMalformedRequestLines) {
    expectRefused("GET /healthz HTTP/1.1-and-much-more\r\n\r\n", 400, kMalformed);
    expectRefused("GET /healthz HTTP/2.0\r\n\r\n", 400, kMalformed);
    expectRefused("GET /healthz\r\n\r\n", 400, kMalformed);
    expectRefused("GET  /healthz HTTP/1.1\r\n\r\n", 400, kMalformed);
    expectRefused("GET /a b HTTP/1.1\r\n\r\n", 400, kMalformed);
    expectRefused("G(T / HTTP/1.1\r\n\r\n", 400, kMalformed);
    expectRefused("GET /\x7f HTTP/1.1\r\n\r\n", 400, kMalformed);
    expectRefused(std::string(33, 'M') + " / HTTP/1.1\r\n\r\n", 400, kMalformed);
    EXPECT_EQ(parse(std::string(32, 'M') + " / HTTP/1.1\r\n\r\n").state, State::Complete);
}

TEST(HeadParser, AcceptsATargetOf16KibAndRefusesOneByteMoreWith414) {
    const auto at_limit = parse("GET /" + std::string(16383, 'a') + " HTTP/1.1\r\n\r\n");
    ASSERT_EQ(at_limit.state, State::Complete) << at_limit.detail;
    EXPECT_EQ(at_limit.head.target.size(), 16384u);
    expectRefused("GET /" + std::string(16384, 'a') + " HTTP/1.1\r\n\r\n", 414,
                  "the request target is longer than 16 KiB");
}

TEST(HeadParser, AcceptsAHundredFieldsAndRefusesTheHundredAndFirstWith431) {
    const auto at_limit = parse(headWithFields(100));
    ASSERT_EQ(at_limit.state, State::Complete) << at_limit.detail;
    EXPECT_EQ(at_limit.head.fields.size(), 100u);
    expectRefused(headWithFields(101), 431, kTooLarge);
}

TEST(HeadParser, AcceptsNamesOf256BytesAndValuesOf8KibAndRefusesOneByteMoreWith431) {
    const auto field = [](const std::string& name, const std::string& value) {
        return "GET / HTTP/1.1\r\n" + name + ": " + value + " \r\n\r\n";
    };
    const auto at_limit = parse(field(std::string(256, 'n'), std::string(8192, 'v')));
    ASSERT_EQ(at_limit.state, State::Complete) << at_limit.detail;
    EXPECT_EQ(at_limit.head.fields[0].second.size(), 8192u);
    expectRefused(field(std::string(257, 'n'), "v"), 431, kTooLarge);
    expectRefused(field("N", std::string(8193, 'v')), 431, kTooLarge);
}

// A parser given `start`, then `filler` bytes a kilobyte at a time (never a LF) until it
// stops or has had 20 KiB of them.
HeadParser fedWithoutEnd(std::string_view start, char filler) {
    HeadParser parser;
    parser.feed(start);
    for (int i = 0; i < 20 && parser.state() == State::Incomplete; ++i) {
        parser.feed(std::string(1000, filler));
    }
    return parser;
}

TEST(HeadParser, RefusesAnOverlongLineBeforeItsEndArrives) {
    const auto target = fedWithoutEnd("GET /", 'a');
    EXPECT_EQ(target.state(), State::Failed);
    EXPECT_EQ(target.errorStatus(), 414);
    const auto field = fedWithoutEnd("GET / HTTP/1.1\r\nX-Big: ", 'a');
    EXPECT_EQ(field.state(), State::Failed);
    EXPECT_EQ(field.errorStatus(), 431);
    EXPECT_EQ(field.errorDetail(), kTooLarge);
    const auto version = fedWithoutEnd("GET / HTTP/1.1", '1');
    EXPECT_EQ(version.state(), State::Failed);
    EXPECT_EQ(version.errorStatus(), 400);
}

TEST(HeadParser, KeepsHttp11AliveUnlessCloseAndHttp10OnlyWithKeepAlive) {
    const auto keep_alive = [](const std::string& version, const std::string& fields) {
        const auto outcome = parse("GET / " + version + "\r\n" + fields + "\r\n");
        EXPECT_EQ(outcome.state, State::Complete) << outcome.detail;
        return outcome.head.keepAlive();
    };
    EXPECT_TRUE(keep_alive("HTTP/1.1", ""));
    EXPECT_FALSE(keep_alive("HTTP/1.1", "Connection: close\r\n"));
    EXPECT_FALSE(keep_alive("HTTP/1.1", "Connection: Upgrade, CLOSE\r\n"));
    EXPECT_FALSE(keep_alive("HTTP/1.0", ""));
    EXPECT_TRUE(keep_alive("HTTP/1.0", "Connection: Keep-Alive\r\n"));
    EXPECT_TRUE(keep_alive("HTTP/1.0", "connection: foo, keep-alive\r\n"));
    EXPECT_FALSE(keep_alive("HTTP/1.0", "Connection: keep-alive\r\nConnection: close\r\n"));
}

TEST(HeadParser, SaysWhenTheClientExpects100Continue) {
    EXPECT_TRUE(parse("PUT / HTTP/1.1\r\nExpect: 100-Continue\r\n\r\n").head.expectsContinue());
    EXPECT_FALSE(parse("PUT / HTTP/1.1\r\n\r\n").head.expectsContinue());
}

}  // namespace
}  // namespace relais::http::detail
