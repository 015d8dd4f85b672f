// SPDX-License-Identifier: AGPL-3.0-or-later
// Numbers in and out of text (see value_functions.h).
#include <charconv>
#include <cmath>
#include <cstdint>

#include "relais/sdk/text.h"

#include "mapping/value_functions.h"

namespace relais::mapping::detail {
namespace {}  // namespace

std::string formatNumber(const sdk::Json& number, const std::optional<int>& decimals,
                         char separator) {
    std::string out;
    char buffer[400];
    if (number.isInt() && !decimals) {
        const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, number.asInt());
        out.assign(buffer, end);
        return out;
    }
    const double d = number.asDouble();
    if (!std::isfinite(d)) return "";
    std::to_chars_result result{};
    if (decimals) {
        result =
            std::to_chars(buffer, buffer + sizeof buffer, d, std::chars_format::fixed, *decimals);
    } else {
        result = std::to_chars(buffer, buffer + sizeof buffer, d);
    }
    if (result.ec != std::errc{}) return "";
    out.assign(buffer, result.ptr);
    if (separator != '.') {
        for (char& c : out) {
            if (c == '.') c = separator;
        }
    }
    return out;
}

sdk::Json roundNumber(const sdk::Json& number, int decimals) {
    if (number.isInt()) return number;
    const double d = number.asDouble();
    if (!std::isfinite(d)) return number;
    char buffer[400];
    const auto result =
        std::to_chars(buffer, buffer + sizeof buffer, d, std::chars_format::fixed, decimals);
    if (result.ec != std::errc{}) return number;
    if (decimals == 0) {
        std::int64_t integer = 0;
        const auto [end, ec] = std::from_chars(buffer, result.ptr, integer);
        if (ec == std::errc{} && end == result.ptr) return sdk::Json(integer);
    }
    double rounded = 0;
    std::from_chars(buffer, result.ptr, rounded);
    return sdk::Json(rounded);
}

std::optional<sdk::Json> parseNumber(std::string_view text, char separator) {
    text = sdk::text::trimSpacesAndTabs(text);
    std::size_t pos = 0;
    std::string normal;
    normal.reserve(text.size());
    if (pos < text.size() && (text[pos] == '-' || text[pos] == '+')) {
        if (text[pos] == '-') normal += '-';
        ++pos;
    }
    const std::size_t integer_start = pos;
    while (pos < text.size() && isDigit(text[pos])) normal += text[pos++];
    if (pos == integer_start) return std::nullopt;
    bool fraction = false;
    if (pos < text.size() && text[pos] == separator) {
        ++pos;
        const std::size_t fraction_start = pos;
        normal += '.';
        while (pos < text.size() && isDigit(text[pos])) normal += text[pos++];
        if (pos == fraction_start) return std::nullopt;
        fraction = true;
    }
    if (pos != text.size()) return std::nullopt;
    const char* first = normal.data();
    const char* last = normal.data() + normal.size();
    if (!fraction) {
        std::int64_t integer = 0;
        const auto [end, ec] = std::from_chars(first, last, integer);
        if (ec == std::errc{} && end == last) return sdk::Json(integer);
    }
    double d = 0;
    const auto [end, ec] = std::from_chars(first, last, d);
    if (ec != std::errc{} || end != last || !std::isfinite(d)) return std::nullopt;
    return sdk::Json(d);
}

}  // namespace relais::mapping::detail
