// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/common/chunked_decoder.h"

#include <algorithm>
#include <string>
#include <string_view>

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

}  // namespace
}  // namespace relais::common
