// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/common/chunked_decoder.h"

#include <algorithm>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace relais::common {
namespace {

// The framed bytes from memory; `rest` is what the decoder left unread.
class StringSource final : public ChunkedSource {
public:
    explicit StringSource(std::string_view bytes) : bytes_(bytes) {}

    std::optional<char> readByte() override {
        if (bytes_.empty()) return std::nullopt;
        const char c = bytes_.front();
        bytes_.remove_prefix(1);
        return c;
    }

    std::size_t read(char* buffer, std::size_t length) override {
        // At most 3 bytes a call, as a socket may deliver a chunk piece by piece.
        const std::size_t n = std::min({length, bytes_.size(), std::size_t{3}});
        std::copy_n(bytes_.data(), n, buffer);
        bytes_.remove_prefix(n);
        return n;
    }

    std::string_view rest() const noexcept { return bytes_; }

private:
    std::string_view bytes_;
};

ChunkedResult decode(std::string_view bytes, std::string& body, std::size_t limit = 1024) {
    StringSource source(bytes);
    return decodeChunkedBody(source, limit, body);
}

TEST(ChunkedDecoder, DecodesChunksWithExtensionsAndTrailers) {
    std::string body;
    const auto result =
        decode("5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n", body);
    EXPECT_EQ(result.outcome, ChunkedOutcome::Complete) << result.detail;
    EXPECT_EQ(body, "hello world");
}

TEST(ChunkedDecoder, LeavesTheBytesAfterTheBodyUnread) {
    StringSource source("3\r\nabc\r\n0\r\n\r\nGET / HTTP/1.1\r\n");
    std::string body;
    EXPECT_EQ(decodeChunkedBody(source, 1024, body).outcome, ChunkedOutcome::Complete);
    EXPECT_EQ(source.rest(), "GET / HTTP/1.1\r\n");
}

TEST(ChunkedDecoder, RefusesABareLfAfterAChunkSize) {
    std::string body;
    EXPECT_EQ(decode("3\nabc\r\n0\r\n\r\n", body).outcome, ChunkedOutcome::Malformed);
}

TEST(ChunkedDecoder, RefusesABareLfAfterAChunksData) {
    std::string body;
    EXPECT_EQ(decode("3\r\nabc\n0\r\n\r\n", body).outcome, ChunkedOutcome::Malformed);
}

TEST(ChunkedDecoder, RefusesABareLfEndingTheTrailer) {
    std::string body;
    EXPECT_EQ(decode("3\r\nabc\r\n0\r\n\n", body).outcome, ChunkedOutcome::Truncated);
}

TEST(ChunkedDecoder, RefusesASizeThatIsNotHexadecimal) {
    std::string body;
    EXPECT_EQ(decode("zz\r\nhello\r\n0\r\n\r\n", body).outcome, ChunkedOutcome::Malformed);
    EXPECT_EQ(decode("1000000000000000\r\n", body).outcome, ChunkedOutcome::Malformed);
}

TEST(ChunkedDecoder, StreamEndingInsideAChunkIsTruncated) {
    std::string body;
    EXPECT_EQ(decode("64\r\n0123456789", body).outcome, ChunkedOutcome::Truncated);
    EXPECT_EQ(body, "0123456789");
}

TEST(ChunkedDecoder, StreamEndingBeforeTheLastChunkIsTruncated) {
    std::string body;
    EXPECT_EQ(decode("3\r\nabc\r\n", body).outcome, ChunkedOutcome::Truncated);
}

TEST(ChunkedDecoder, SizesOverTheLimitCountWhatTheBodyAlreadyHeld) {
    std::string body = "12345";
    EXPECT_EQ(decode("6\r\nabcdef\r\n0\r\n\r\n", body, 10).outcome, ChunkedOutcome::TooLarge);
    body = "1234";
    EXPECT_EQ(decode("6\r\nabcdef\r\n0\r\n\r\n", body, 10).outcome, ChunkedOutcome::Complete);
    EXPECT_EQ(body, "1234abcdef");
}

TEST(ChunkedDecoder, RefusesTooManyTrailerFields) {
    std::string framed = "0\r\n";
    for (int i = 0; i < 65; ++i) framed += "X: 1\r\n";
    framed += "\r\n";
    std::string body;
    EXPECT_EQ(decode(framed, body).outcome, ChunkedOutcome::Malformed);
}

// What a ChunkedParser made of some bytes cut at `cuts`: comparable across ways of cutting.
struct Fed {
    ChunkedParser::State state = ChunkedParser::State::Incomplete;
    std::string detail;
    std::string body;
    std::size_t consumed = 0;

    bool operator==(const Fed&) const = default;
};

Fed feedPieces(std::string_view bytes, const std::vector<std::size_t>& cuts,
               std::size_t limit = 1024) {
    ChunkedParser parser(limit);
    Fed out;
    std::size_t from = 0;
    for (std::size_t i = 0; i <= cuts.size(); ++i) {
        const std::size_t to = i < cuts.size() ? cuts[i] : bytes.size();
        out.consumed += parser.feed(bytes.substr(from, to - from), out.body);
        from = to;
    }
    out.state = parser.state();
    out.detail = parser.detail();
    return out;
}

std::ostream& operator<<(std::ostream& out, const Fed& fed) {
    return out << static_cast<int>(fed.state) << " '" << fed.detail << "' body '" << fed.body
               << "' consumed " << fed.consumed;
}

TEST(ChunkedParser, EveryCutOfTheBytesGivesTheSameResultAsOnePiece) {
    const std::string cases[] = {
        "5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\nGET / HTTP/1.1\r\n",
        "3\r\nabc\r\n0\r\n\r\n3\r\nxyz\r\n",
        "3\nabc\r\n0\r\n\r\n",
        "3\r\nabcd\r\n0\r\n\r\n",
        "zz\r\n",
        "800\r\nabc",
        "a\r\n0123456789\r\n0\r\n\n",
    };
    for (const auto& bytes : cases) {
        const Fed whole = feedPieces(bytes, {});
        std::vector<std::size_t> every_byte;
        for (std::size_t i = 1; i < bytes.size(); ++i) every_byte.push_back(i);
        EXPECT_EQ(feedPieces(bytes, every_byte), whole) << "byte by byte: " << bytes;
        for (std::size_t cut = 0; cut <= bytes.size(); ++cut) {
            EXPECT_EQ(feedPieces(bytes, {cut}), whole) << "cut at " << cut << ": " << bytes;
        }
    }
}

TEST(ChunkedParser, ConsumesNothingPastTheBodyNorAfterItEnds) {
    const std::string body_bytes = "3\r\nabc\r\n0\r\nX: 1\r\n\r\n";
    ChunkedParser parser(1024);
    std::string body;
    EXPECT_EQ(parser.feed(body_bytes + "GET / HTTP/1.1\r\n", body), body_bytes.size());
    EXPECT_EQ(parser.state(), ChunkedParser::State::Complete);
    EXPECT_EQ(body, "abc");
    EXPECT_EQ(parser.feed("0\r\n\r\n", body), 0u);
    EXPECT_EQ(parser.wanted(), 0u);
}

TEST(ChunkedParser, WantsTheRestOfAChunkInsideItsDataAndOneByteInsideALine) {
    ChunkedParser parser(1024);
    std::string body;
    EXPECT_EQ(parser.wanted(), 1u);
    parser.feed("a\r", body);
    EXPECT_EQ(parser.wanted(), 1u);
    parser.feed("\n0123", body);
    EXPECT_EQ(parser.wanted(), 6u);
    parser.feed("456789", body);
    EXPECT_EQ(parser.wanted(), 1u);
    EXPECT_EQ(body, "0123456789");
}

TEST(ChunkedParser, AcceptsContentUpToTheLimitAndStopsAfterTheSizeLineOneByteOver) {
    const std::string bytes = "4\r\nabcd\r\n6\r\nefghij\r\n0\r\n\r\n";
    EXPECT_EQ(feedPieces(bytes, {}, 10).state, ChunkedParser::State::Complete);
    const auto over = feedPieces(bytes, {}, 9);
    EXPECT_EQ(over.state, ChunkedParser::State::TooLarge);
    EXPECT_EQ(over.consumed, std::string_view("4\r\nabcd\r\n6\r\n").size());
    EXPECT_EQ(over.body, "abcd");
}

TEST(ChunkedParser, AcceptsLinesOf4096BytesAndRefusesALongerOneBeforeItsEnd) {
    // Chunk-size line: size, extension, CRLF: 4096 bytes in all.
    const std::string size_line = "1;" + std::string(4096 - 4, 'e') + "\r\n";
    EXPECT_EQ(feedPieces(size_line + "x\r\n0\r\n\r\n", {}).state, ChunkedParser::State::Complete);
    ChunkedParser parser(1024);
    std::string body;
    EXPECT_EQ(parser.feed("1;" + std::string(4094, 'e'), body), 4096u);
    EXPECT_EQ(parser.state(), ChunkedParser::State::Malformed);
    EXPECT_EQ(parser.detail(), "a chunk-size line is too long");

    const std::string trailer = "0\r\nX: " + std::string(4096 - 5, 't') + "\r\n\r\n";
    EXPECT_EQ(feedPieces(trailer, {}).state, ChunkedParser::State::Complete);
    const auto too_long = feedPieces("0\r\nX: " + std::string(4096 - 4, 't') + "\r\n\r\n", {});
    EXPECT_EQ(too_long.detail, "a trailer line is too long");
}

TEST(ChunkedParser, AcceptsSixtyFourTrailerFieldsAndRefusesTheNext) {
    std::string framed = "0\r\n";
    for (int i = 0; i < 64; ++i) framed += "X: 1\r\n";
    EXPECT_EQ(feedPieces(framed + "\r\n", {}).state, ChunkedParser::State::Complete);
    const auto refused = feedPieces(framed + "X: 1\r\n\r\n", {});
    EXPECT_EQ(refused.state, ChunkedParser::State::Malformed);
    EXPECT_EQ(refused.detail, "the body has too many trailer fields");
}

TEST(ChunkedParser, AcceptsFifteenSizeDigitsAndRefusesSixteen) {
    EXPECT_EQ(feedPieces("000000000000003\r\nabc\r\n0\r\n\r\n", {}).state,
              ChunkedParser::State::Complete);
    const auto refused = feedPieces("0000000000000003\r\nabc\r\n0\r\n\r\n", {});
    EXPECT_EQ(refused.state, ChunkedParser::State::Malformed);
    EXPECT_EQ(refused.detail, "a chunk size is not a hexadecimal number");
}

TEST(ChunkedDecoder, NamesWhereTheStreamEndedWhenTruncated) {
    const std::pair<std::string_view, std::string_view> cases[] = {
        {"3\r\nabc\r\n", "the body ended before its last chunk"},
        {"3\r", "the body ended before its last chunk"},
        {"3\r\nab", "the body ended inside a chunk"},
        {"3\r\nabc", "the body ended after a chunk's data"},
        {"3\r\nabc\r", "the body ended after a chunk's data"},
        {"0\r\nX: 1\r\n", "the body ended inside its trailer"},
    };
    for (const auto& [bytes, detail] : cases) {
        std::string body;
        const auto result = decode(bytes, body);
        EXPECT_EQ(result.outcome, ChunkedOutcome::Truncated) << bytes;
        EXPECT_EQ(result.detail, detail) << bytes;
    }
}

TEST(ChunkedDecoder, ReadsChunkDataLargerThanItsBufferWhole) {
    const std::string content(100000, 'c');
    std::string body;
    const auto result = decode("186a0\r\n" + content + "\r\n0\r\n\r\n", body, 200000);
    EXPECT_EQ(result.outcome, ChunkedOutcome::Complete) << result.detail;
    EXPECT_EQ(body, content);
}

}  // namespace
}  // namespace relais::common
