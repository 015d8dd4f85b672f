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

}  // namespace
}  // namespace relais::sdk::text
