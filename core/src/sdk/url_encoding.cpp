// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/sdk/url_encoding.h"

#include "relais/sdk/text.h"

namespace relais::sdk::url {
namespace {

constexpr std::string_view kUpperHex = "0123456789ABCDEF";

constexpr bool isUnreserved(char c) noexcept {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

void appendEscaped(unsigned char byte, std::string& out) {
    out.push_back('%');
    out.push_back(kUpperHex[byte >> 4U]);
    out.push_back(kUpperHex[byte & 0x0FU]);
}

// The byte of the escape `%XX` at `text[at]`, or -1 when there is none there.
int escapedByteAt(std::string_view text, std::size_t at) noexcept {
    if (text[at] != '%' || at + 2 >= text.size()) return -1;
    const int high = text::hexDigitValue(text[at + 1]);
    const int low = text::hexDigitValue(text[at + 2]);
    return high < 0 || low < 0 ? -1 : high * 16 + low;
}

enum class Malformed { Refuse, Keep };

// The decoding of both `percentDecode` (`Refuse`: nullopt on a malformed escape) and
// `percentDecodeLenient` (`Keep`: the `%` written as is; never nullopt).
std::optional<std::string> decode(std::string_view text, bool plus_as_space, Malformed malformed) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const int byte = c == '%' ? escapedByteAt(text, i) : -1;
        if (byte >= 0) {
            out.push_back(static_cast<char>(byte));
            i += 2;
        } else if (c == '%' && malformed == Malformed::Refuse) {
            return std::nullopt;
        } else if (c == '+' && plus_as_space) {
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    return out;
}

}  // namespace

std::string percentEncode(std::string_view text, bool space_as_plus) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        if (isUnreserved(c)) {
            out.push_back(c);
        } else if (c == ' ' && space_as_plus) {
            out.push_back('+');
        } else {
            appendEscaped(static_cast<unsigned char>(c), out);
        }
    }
    return out;
}

std::string percentEncodeNonAscii(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u > 0x7F) {
            appendEscaped(u, out);
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::optional<std::string> percentDecode(std::string_view text, bool plus_as_space) {
    return decode(text, plus_as_space, Malformed::Refuse);
}

std::string percentDecodeLenient(std::string_view text, bool plus_as_space) {
    return *decode(text, plus_as_space, Malformed::Keep);
}

}  // namespace relais::sdk::url
