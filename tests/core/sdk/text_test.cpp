// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/sdk/text.h"

#include <gtest/gtest.h>

namespace relais::sdk::text {
namespace {

TEST(Text, TrimRemovesEveryAsciiWhiteSpace) {
    EXPECT_EQ(trim(" \t\r\n\v\fvalue x \n"), "value x");
    EXPECT_EQ(trim("   "), "");
    EXPECT_EQ(trim(""), "");
    EXPECT_EQ(trim("\xc2\xa0"
                   "a"),
              "\xc2\xa0"
              "a");  // UTF-8 untouched
}

TEST(Text, TrimSpacesAndTabsKeepsLineBreaks) {
    EXPECT_EQ(trimSpacesAndTabs(" \t value \t"), "value");
    EXPECT_EQ(trimSpacesAndTabs("value\r\n"), "value\r\n");
    EXPECT_EQ(trimSpacesAndTabs("\t"), "");
}

TEST(Text, LowersAsciiOnly) {
    EXPECT_EQ(toLower("Content-TYPE"), "content-type");
    EXPECT_EQ(toLower("\xc3\x89t\xc3\xa9"), "\xc3\x89t\xc3\xa9");
}

TEST(Text, ComparesAsciiWithoutCase) {
    EXPECT_TRUE(equalsIgnoreCase("Retry-After", "retry-after"));
    EXPECT_FALSE(equalsIgnoreCase("Retry-After", "retry-afte"));
    EXPECT_FALSE(equalsIgnoreCase("\xc3\x89", "\xc3\xa9"));
    EXPECT_TRUE(equalsIgnoreCase("", ""));
    EXPECT_TRUE(startsWithIgnoreCase("HTTPS://x", "https://"));
    EXPECT_FALSE(startsWithIgnoreCase("http", "https://"));
}

TEST(Text, FindsControlCharacters) {
    EXPECT_FALSE(hasControlCharacter("plain text é"));
    EXPECT_TRUE(hasControlCharacter("line\nbreak"));
    EXPECT_TRUE(hasControlCharacter("del\x7f"));
}

TEST(Text, DecodesUtf8AndRefusesInvalidSequences) {
    char32_t c = 0;
    EXPECT_EQ(decodeUtf8("a", 0, c), 1U);
    EXPECT_EQ(c, U'a');
    EXPECT_EQ(decodeUtf8("\xc3\xa9", 0, c), 2U);
    EXPECT_EQ(c, U'\u00e9');
    EXPECT_EQ(decodeUtf8("\xe2\x82\xac", 0, c), 3U);
    EXPECT_EQ(c, U'\u20ac');
    EXPECT_EQ(decodeUtf8("\xf0\x9f\x98\x80", 0, c), 4U);
    EXPECT_EQ(decodeUtf8("\xc0\xaf", 0, c), 0U);          // overlong '/'
    EXPECT_EQ(decodeUtf8("\xed\xa0\x80", 0, c), 0U);      // surrogate
    EXPECT_EQ(decodeUtf8("\xf4\x90\x80\x80", 0, c), 0U);  // above U+10FFFF
    EXPECT_EQ(decodeUtf8("\xc3", 0, c), 0U);              // truncated
    EXPECT_EQ(decodeUtf8("\xff", 0, c), 0U);
}

}  // namespace
}  // namespace relais::sdk::text
