// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/sdk/url_encoding.h"

#include <string>

#include <gtest/gtest.h>

namespace relais::sdk::url {
namespace {

TEST(PercentEncode, KeepsOnlyUnreservedCharacters) {
    EXPECT_EQ(percentEncode("AZaz09-._~"), "AZaz09-._~");
    EXPECT_EQ(percentEncode("a/b?c#d&e=f%g h+i"), "a%2Fb%3Fc%23d%26e%3Df%25g%20h%2Bi");
    EXPECT_EQ(percentEncode("école"), "%C3%A9cole");
    EXPECT_EQ(percentEncode(std::string("\0\x7f", 2)), "%00%7F");
    EXPECT_EQ(percentEncode(""), "");
}

TEST(PercentEncode, FormEncodingWritesSpaceAsPlus) {
    // Python: urllib.parse.quote_plus("2026-01-02T03:04:05Z a+b/é")
    EXPECT_EQ(percentEncode("2026-01-02T03:04:05Z a+b/é", true),
              "2026-01-02T03%3A04%3A05Z+a%2Bb%2F%C3%A9");
}

TEST(PercentEncodeNonAscii, EncodesOnlyBytesAboveAscii) {
    EXPECT_EQ(percentEncodeNonAscii("/a b?q=%2F&n=é"), "/a b?q=%2F&n=%C3%A9");
    EXPECT_EQ(percentEncodeNonAscii("\xff\x7f"), "%FF\x7f");
}

TEST(PercentDecode, DecodesEscapesInEitherCase) {
    EXPECT_EQ(percentDecode("a%2fb%2F%C3%A9+c"), "a/b/é+c");
    EXPECT_EQ(percentDecode("a+b%2B", true), "a b+");
    EXPECT_EQ(percentDecode("%00"), std::string(1, '\0'));
    EXPECT_EQ(percentDecode(""), "");
}

TEST(PercentDecode, RefusesMalformedEscapes) {
    EXPECT_EQ(percentDecode("%"), std::nullopt);
    EXPECT_EQ(percentDecode("a%4"), std::nullopt);
    EXPECT_EQ(percentDecode("%G1"), std::nullopt);
    EXPECT_EQ(percentDecode("%1g"), std::nullopt);
    EXPECT_EQ(percentDecode("ok%41%"), std::nullopt);
}

TEST(PercentDecodeLenient, KeepsMalformedEscapesAsWritten) {
    EXPECT_EQ(percentDecodeLenient("100%"), "100%");
    EXPECT_EQ(percentDecodeLenient("a%4"), "a%4");
    EXPECT_EQ(percentDecodeLenient("%G1%41"), "%G1A");
    EXPECT_EQ(percentDecodeLenient("%%41"), "%A");
}

TEST(PercentDecodeLenient, DecodesPlusOnlyWhenAsked) {
    EXPECT_EQ(percentDecodeLenient("a+b%2B"), "a+b+");
    EXPECT_EQ(percentDecodeLenient("a+b%2B", true), "a b+");
}

TEST(PercentDecode, InvertsPercentEncode) {
    const std::string text("any bytes: /?#&=%+ \x01\xc3\xa9\xff", 21);
    EXPECT_EQ(percentDecode(percentEncode(text)), text);
    EXPECT_EQ(percentDecode(percentEncode(text, true), true), text);
    EXPECT_EQ(percentDecodeLenient(percentEncode(text)), text);
}

}  // namespace
}  // namespace relais::sdk::url
