// SPDX-License-Identifier: AGPL-3.0-or-later
#include "response.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>

namespace relais::plugins::rest {
namespace {

// Longest identifier kept: ids become links, URL segments and log fields.
constexpr std::size_t kMaxIdBytes = 255;

bool equalsIgnoreCase(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

std::string_view trim(std::string_view text) noexcept {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

bool parseDigits(std::string_view text, std::int64_t& out) noexcept {
    if (text.empty() || text.size() > 18) return false;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && end == text.data() + text.size() &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t daysFromCivil(std::int64_t year, unsigned month, unsigned day) noexcept {
    year -= month <= 2 ? 1 : 0;
    const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
    const auto year_of_era = static_cast<unsigned>(year - era * 400);
    const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    const unsigned day_of_era =
        year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + static_cast<std::int64_t>(day_of_era) - 719468;
}

// IMF-fixdate (RFC 9110 §5.6.7): `Sun, 06 Nov 1994 08:49:37 GMT`, as Unix seconds.
std::optional<std::int64_t> parseImfFixdate(std::string_view text) noexcept {
    constexpr std::array<std::string_view, 7> kDays = {"Mon", "Tue", "Wed", "Thu",
                                                       "Fri", "Sat", "Sun"};
    constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    // "Sun, 06 Nov 1994 08:49:37 GMT"
    //  0123456789012345678901234567 8
    if (text.size() != 29 || text.substr(3, 2) != ", " || text[7] != ' ' || text[11] != ' ' ||
        text[16] != ' ' || text[19] != ':' || text[22] != ':' || text.substr(25) != " GMT") {
        return std::nullopt;
    }
    if (std::find(kDays.begin(), kDays.end(), text.substr(0, 3)) == kDays.end()) {
        return std::nullopt;
    }
    const auto month_it = std::find(kMonths.begin(), kMonths.end(), text.substr(8, 3));
    if (month_it == kMonths.end()) return std::nullopt;
    std::int64_t day = 0;
    std::int64_t year = 0;
    std::int64_t hour = 0;
    std::int64_t minute = 0;
    std::int64_t second = 0;
    if (!parseDigits(text.substr(5, 2), day) || !parseDigits(text.substr(12, 4), year) ||
        !parseDigits(text.substr(17, 2), hour) || !parseDigits(text.substr(20, 2), minute) ||
        !parseDigits(text.substr(23, 2), second)) {
        return std::nullopt;
    }
    if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
    const auto month = static_cast<unsigned>(month_it - kMonths.begin() + 1);
    return daysFromCivil(year, month, static_cast<unsigned>(day)) * 86'400 + hour * 3'600 +
           minute * 60 + second;
}

void replaceAll(std::string& text, std::string_view what, std::string_view with) {
    if (what.empty()) return;
    for (auto at = text.find(what); at != std::string::npos;
         at = text.find(what, at + with.size())) {
        text.replace(at, what.size(), with);
    }
}

// Length of the UTF-8 sequence at `text[i]` and its code point, or 0 when invalid.
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

bool isControlOrSpace(char32_t c) noexcept {
    return c <= 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F);
}

int hexValue(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string percentDecode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size() && hexValue(text[i + 1]) >= 0 &&
            hexValue(text[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hexValue(text[i + 1]) * 16 + hexValue(text[i + 2])));
            i += 2;
        } else {
            out.push_back(text[i]);
        }
    }
    return out;
}

// The last non-empty path segment of a URI reference (query and fragment ignored).
std::string lastPathSegment(std::string_view uri) {
    uri = uri.substr(0, uri.find_first_of("?#"));
    if (const auto scheme = uri.find("://"); scheme != std::string_view::npos) {
        const auto path = uri.find('/', scheme + 3);
        uri = path == std::string_view::npos ? std::string_view() : uri.substr(path);
    }
    while (!uri.empty() && uri.back() == '/') uri.remove_suffix(1);
    const auto slash = uri.rfind('/');
    return percentDecode(slash == std::string_view::npos ? uri : uri.substr(slash + 1));
}

bool usableId(const std::string& id, std::string& problem) {
    if (id.empty()) {
        problem = "it is empty";
        return false;
    }
    if (id.size() > kMaxIdBytes) {
        problem = "it is longer than " + std::to_string(kMaxIdBytes) + " bytes";
        return false;
    }
    for (std::size_t i = 0; i < id.size();) {
        char32_t c = 0;
        const std::size_t length = decodeUtf8(id, i, c);
        if (length == 0) {
            problem = "it is not valid UTF-8";
            return false;
        }
        if (c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F)) {
            problem = "it contains control characters";
            return false;
        }
        i += length;
    }
    return true;
}

}  // namespace

int retryAfterSeconds(std::string_view value, sdk::Timestamp now) {
    value = trim(value);
    if (value.empty()) return 0;
    std::int64_t seconds = 0;
    if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        // Any run of digits is a delay; one too long for int64 is simply "long".
        if (!parseDigits(value, seconds)) seconds = kMaxRetryAfterSeconds;
    } else {
        const auto at = parseImfFixdate(value);
        if (!at) return 0;
        seconds = *at - now.micros / 1'000'000;
    }
    return static_cast<int>(std::clamp<std::int64_t>(seconds, 0, kMaxRetryAfterSeconds));
}

std::string bodyExcerpt(std::string_view body, const std::vector<std::string>& masked,
                        std::size_t max_bytes) {
    std::string text(body);
    for (const auto& value : masked) replaceAll(text, value, "***");

    std::string out;
    bool pending_space = false;
    bool cut = false;
    for (std::size_t i = 0; i < text.size();) {
        char32_t c = 0;
        const std::size_t length = decodeUtf8(text, i, c);
        if (length != 0 && isControlOrSpace(c)) {
            pending_space = !out.empty();
            i += length;
            continue;
        }
        const std::size_t needed = (pending_space ? 1 : 0) + (length == 0 ? 1 : length);
        if (out.size() + needed > max_bytes) {
            cut = true;
            break;
        }
        if (pending_space) out.push_back(' ');
        pending_space = false;
        if (length == 0) {
            out.push_back('?');
            ++i;
        } else {
            out.append(text, i, length);
            i += length;
        }
    }
    if (cut) {
        constexpr std::string_view kEllipsis = "...";
        while (!out.empty() && out.size() + kEllipsis.size() > max_bytes) {
            // Drop whole characters: continuation bytes, then their lead byte.
            while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0U) == 0x80U) {
                out.pop_back();
            }
            if (!out.empty()) out.pop_back();
        }
        out += kEllipsis;
    }
    return out;
}

std::optional<std::string> findId(const IdLocator& locator, const sdk::HttpResponse& response,
                                  const sdk::Json* json, std::string& problem) {
    std::string id;
    switch (locator.source) {
        case IdLocator::Source::None:
            problem = "no location configured";
            return std::nullopt;
        case IdLocator::Source::Json: {
            if (json == nullptr) {
                problem = "the response body is not JSON";
                return std::nullopt;
            }
            const sdk::Json* value = json->path(locator.where);
            if (value == nullptr || value->isNull()) {
                problem = "the response has no " + locator.where;
                return std::nullopt;
            }
            if (value->isString()) {
                id = value->asString();
            } else if (value->isInt()) {
                id = std::to_string(value->asInt());
            } else {
                problem = locator.where + " is neither a string nor an integer";
                return std::nullopt;
            }
            break;
        }
        case IdLocator::Source::Header: {
            bool present = false;
            for (const auto& [name, value] : response.headers) {
                if (equalsIgnoreCase(name, locator.where)) {
                    present = true;
                    id = std::string(trim(value));
                }
            }
            if (!present) {
                problem = "the response has no " + locator.where + " header";
                return std::nullopt;
            }
            if (equalsIgnoreCase(locator.where, "Location") ||
                equalsIgnoreCase(locator.where, "Content-Location")) {
                id = lastPathSegment(id);
            }
            break;
        }
    }
    std::string why;
    if (!usableId(id, why)) {
        problem = "the value at " + locator.text + " is not usable: " + why;
        return std::nullopt;
    }
    return id;
}

}  // namespace relais::plugins::rest
