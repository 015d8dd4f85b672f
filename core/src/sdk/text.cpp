// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/sdk/text.h"

#include <algorithm>
#include <array>

namespace relais::sdk::text {
namespace {

// Byte-wise, never the locale's `std::isspace`/`std::tolower`.
constexpr bool isAsciiSpace(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

constexpr bool isSpaceOrTab(char c) noexcept { return c == ' ' || c == '\t'; }

constexpr char lowerAscii(char c) noexcept {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

struct FoldRange {
    char32_t first;
    char32_t last;
    std::string_view ascii;  // upper-case ASCII spelling of every letter in the range
};

// Latin-1 Supplement and Latin Extended-A letters, folded to upper-case ASCII without
// diacritics. × (U+00D7) and ÷ (U+00F7) are not letters and are absent.
constexpr auto kFoldRanges = std::to_array<FoldRange>({
    {0x00C0, 0x00C5, "A"},  {0x00C6, 0x00C6, "AE"}, {0x00C7, 0x00C7, "C"},  {0x00C8, 0x00CB, "E"},
    {0x00CC, 0x00CF, "I"},  {0x00D0, 0x00D0, "D"},  {0x00D1, 0x00D1, "N"},  {0x00D2, 0x00D6, "O"},
    {0x00D8, 0x00D8, "O"},  {0x00D9, 0x00DC, "U"},  {0x00DD, 0x00DD, "Y"},  {0x00DE, 0x00DE, "TH"},
    {0x00DF, 0x00DF, "SS"}, {0x00E0, 0x00E5, "A"},  {0x00E6, 0x00E6, "AE"}, {0x00E7, 0x00E7, "C"},
    {0x00E8, 0x00EB, "E"},  {0x00EC, 0x00EF, "I"},  {0x00F0, 0x00F0, "D"},  {0x00F1, 0x00F1, "N"},
    {0x00F2, 0x00F6, "O"},  {0x00F8, 0x00F8, "O"},  {0x00F9, 0x00FC, "U"},  {0x00FD, 0x00FD, "Y"},
    {0x00FE, 0x00FE, "TH"}, {0x00FF, 0x00FF, "Y"},  {0x0100, 0x0105, "A"},  {0x0106, 0x010D, "C"},
    {0x010E, 0x0111, "D"},  {0x0112, 0x011B, "E"},  {0x011C, 0x0123, "G"},  {0x0124, 0x0127, "H"},
    {0x0128, 0x0131, "I"},  {0x0132, 0x0133, "IJ"}, {0x0134, 0x0135, "J"},  {0x0136, 0x0138, "K"},
    {0x0139, 0x0142, "L"},  {0x0143, 0x0148, "N"},  {0x0149, 0x0149, "'N"}, {0x014A, 0x014B, "N"},
    {0x014C, 0x0151, "O"},  {0x0152, 0x0153, "OE"}, {0x0154, 0x0159, "R"},  {0x015A, 0x0161, "S"},
    {0x0162, 0x0167, "T"},  {0x0168, 0x0173, "U"},  {0x0174, 0x0175, "W"},  {0x0176, 0x0178, "Y"},
    {0x0179, 0x017E, "Z"},  {0x017F, 0x017F, "S"},
});

// Whether the letter `code_point` (U+00C0–U+017F) is lower case. Latin-1 puts the capitals
// first; Latin Extended-A pairs each capital with the small letter after it, the pairs
// starting on an even code point except in U+0139–U+0148 and U+0179–U+017E, and ĸ, ŉ and
// ſ have no capital.
constexpr bool isLowerLatinLetter(char32_t code_point) noexcept {
    if (code_point < 0x0100) return code_point >= 0x00DF;
    if (code_point == 0x0138 || code_point == 0x0149 || code_point == 0x017F) return true;
    if (code_point == 0x0178) return false;
    const bool odd = (code_point & 1U) != 0;
    if ((code_point >= 0x0139 && code_point <= 0x0148) ||
        (code_point >= 0x0179 && code_point <= 0x017E)) {
        return !odd;
    }
    return odd;
}

template <typename Predicate>
std::string_view trimWhile(std::string_view text, Predicate blank) noexcept {
    while (!text.empty() && blank(text.front())) text.remove_prefix(1);
    while (!text.empty() && blank(text.back())) text.remove_suffix(1);
    return text;
}

}  // namespace

std::string_view trim(std::string_view text) noexcept { return trimWhile(text, isAsciiSpace); }

std::string_view trimSpacesAndTabs(std::string_view text) noexcept {
    return trimWhile(text, isSpaceOrTab);
}

std::string toLower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), lowerAscii);
    return out;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) noexcept {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](char x, char y) { return lowerAscii(x) == lowerAscii(y); });
}

bool startsWithIgnoreCase(std::string_view text, std::string_view prefix) noexcept {
    return text.size() >= prefix.size() && equalsIgnoreCase(text.substr(0, prefix.size()), prefix);
}

bool hasControlCharacter(std::string_view text) noexcept {
    return std::any_of(text.begin(), text.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7F;
    });
}

std::size_t decodeUtf8(std::string_view text, std::size_t i, char32_t& code_point) noexcept {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    char32_t minimum = 0;
    if (lead < 0x80) {
        code_point = lead;
        return 1;
    }
    if ((lead & 0xE0U) == 0xC0U) {
        length = 2;
        minimum = 0x80;
        code_point = lead & 0x1FU;
    } else if ((lead & 0xF0U) == 0xE0U) {
        length = 3;
        minimum = 0x800;
        code_point = lead & 0x0FU;
    } else if ((lead & 0xF8U) == 0xF0U) {
        length = 4;
        minimum = 0x10000;
        code_point = lead & 0x07U;
    } else {
        return 0;
    }
    if (i + length > text.size()) return 0;
    for (std::size_t k = 1; k < length; ++k) {
        const auto next = static_cast<unsigned char>(text[i + k]);
        if ((next & 0xC0U) != 0x80U) return 0;
        code_point = (code_point << 6U) | (next & 0x3FU);
    }
    if (code_point < minimum || code_point > 0x10FFFF ||
        (code_point >= 0xD800 && code_point <= 0xDFFF)) {
        return 0;
    }
    return length;
}

int hexDigitValue(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string_view foldLatinLetter(char32_t code_point) noexcept {
    if (code_point < 0x00C0 || code_point > 0x017F) return {};
    for (const FoldRange& range : kFoldRanges) {
        if (code_point >= range.first && code_point <= range.last) return range.ascii;
    }
    return {};
}

std::string foldAccents(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        char32_t code_point = 0;
        const std::size_t length = decodeUtf8(text, i, code_point);
        if (length == 0) {
            // Not UTF-8: the byte is kept, and the next one looked at afresh.
            out.push_back(text[i++]);
            continue;
        }
        const std::string_view folded = foldLatinLetter(code_point);
        if (folded.empty()) {
            out.append(text.substr(i, length));
        } else if (isLowerLatinLetter(code_point)) {
            for (const char c : folded) out.push_back(lowerAscii(c));
        } else {
            out.append(folded);
        }
        i += length;
    }
    return out;
}

}  // namespace relais::sdk::text
