// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/sdk/text.h"

#include <string>

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

TEST(Text, HexDigitValueReadsBothCases) {
    EXPECT_EQ(hexDigitValue('0'), 0);
    EXPECT_EQ(hexDigitValue('9'), 9);
    EXPECT_EQ(hexDigitValue('a'), 10);
    EXPECT_EQ(hexDigitValue('F'), 15);
    EXPECT_EQ(hexDigitValue('f'), 15);
}

TEST(Text, HexDigitValueRefusesEveryOtherByte) {
    for (const char c : std::string("gG/:@` -x\0\xff", 12)) EXPECT_EQ(hexDigitValue(c), -1) << c;
}

TEST(Text, FoldLatinLetterGivesUpperCaseAsciiSpelling) {
    EXPECT_EQ(foldLatinLetter(U'\u00E9'), "E");   // é
    EXPECT_EQ(foldLatinLetter(U'\u00C9'), "E");   // É
    EXPECT_EQ(foldLatinLetter(U'\u00E7'), "C");   // ç
    EXPECT_EQ(foldLatinLetter(U'\u0153'), "OE");  // œ
    EXPECT_EQ(foldLatinLetter(U'\u00C6'), "AE");  // Æ
    EXPECT_EQ(foldLatinLetter(U'\u00DF'), "SS");  // ß
    EXPECT_EQ(foldLatinLetter(U'\u0149'), "'N");  // ŉ
    EXPECT_EQ(foldLatinLetter(U'\u017F'), "S");   // ſ
}

TEST(Text, FoldLatinLetterKnowsNoOtherCodePoint) {
    EXPECT_EQ(foldLatinLetter(U'e'), "");
    EXPECT_EQ(foldLatinLetter(U'\u00D7'), "");  // ×
    EXPECT_EQ(foldLatinLetter(U'\u00F7'), "");  // ÷
    EXPECT_EQ(foldLatinLetter(U'\u00BF'), "");  // ¿
    EXPECT_EQ(foldLatinLetter(U'\u0180'), "");  // ƀ, Latin Extended-B
    EXPECT_EQ(foldLatinLetter(U'\u0301'), "");  // combining acute accent
}

TEST(Text, FoldAccentsFoldsFrenchLowerCaseLetters) {
    EXPECT_EQ(foldAccents("é è ê ë à â ä î ï ô ö ù û ü ç œ æ ÿ"),
              "e e e e a a a i i o o u u u c oe ae y");
}

TEST(Text, FoldAccentsFoldsFrenchUpperCaseLetters) {
    EXPECT_EQ(foldAccents("É È Ê Ë À Â Ä Î Ï Ô Ö Ù Û Ü Ç Œ Æ Ÿ"),
              "E E E E A A A I I O O U U U C OE AE Y");
}

TEST(Text, FoldAccentsKeepsCaseOfExtendedLatinPairs) {
    EXPECT_EQ(foldAccents("Łódź Ŀ ŀ ĸ ŉ ſ Ž ž ß Þ þ"), "Lodz L l k 'n s Z z ss TH th");
}

TEST(Text, FoldAccentsKeepsEverythingElse) {
    EXPECT_EQ(foldAccents("Jean-Pierre d'Arc 42 ×÷ € ’"), "Jean-Pierre d'Arc 42 ×÷ € ’");
    EXPECT_EQ(foldAccents("e\xCC\x81"), "e\xCC\x81");  // decomposed é: the mark stays
    EXPECT_EQ(foldAccents(""), "");
}

TEST(Text, FoldAccentsKeepsInvalidUtf8AsWritten) {
    EXPECT_EQ(foldAccents("\xC3"), "\xC3");                  // truncated é
    EXPECT_EQ(foldAccents("a\xC3(\xC3\xA9"), "a\xC3(e");     // bad continuation, then é
    EXPECT_EQ(foldAccents("\xC0\xA9\xFF"), "\xC0\xA9\xFF");  // overlong, never a lead byte
    EXPECT_EQ(foldAccents("\xED\xA0\x80"), "\xED\xA0\x80");  // UTF-16 surrogate
}

}  // namespace
}  // namespace relais::sdk::text
