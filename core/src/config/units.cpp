// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/config/units.h"

#include <limits>
#include <string>

namespace relais::config {
namespace {

struct Unit {
    std::string_view suffix;
    std::uint64_t factor;
};

// Splits `text` into leading digits and the rest. False when there is no digit or the
// number does not fit `limit`.
bool splitNumber(std::string_view text, std::uint64_t limit, std::uint64_t& number,
                 std::string_view& suffix) {
    std::size_t i = 0;
    number = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
        const auto digit = static_cast<std::uint64_t>(text[i] - '0');
        if (number > (limit - digit) / 10) return false;
        number = number * 10 + digit;
        ++i;
    }
    suffix = text.substr(i);
    return i > 0;
}

sdk::Error malformed(std::string_view text, std::string_view what) {
    return sdk::fail(sdk::ErrorCode::InvalidArgument,
                     "'" + std::string(text) + "' is not " + std::string(what));
}

}  // namespace

sdk::Result<std::uint64_t> parseSize(std::string_view text) {
    static constexpr std::string_view kWhat =
        "a size (digits, optionally followed by B, KiB, MiB or GiB, e.g. 10MiB)";
    static constexpr Unit kUnits[] = {{"", 1},
                                      {"B", 1},
                                      {"KiB", 1024},
                                      {"MiB", std::uint64_t{1024} * 1024},
                                      {"GiB", std::uint64_t{1024} * 1024 * 1024}};
    constexpr auto kLimit = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    std::uint64_t number = 0;
    std::string_view suffix;
    if (!splitNumber(text, kLimit, number, suffix)) return malformed(text, kWhat);
    for (const Unit& unit : kUnits) {
        if (suffix != unit.suffix) continue;
        if (number > kLimit / unit.factor) {
            return sdk::fail(sdk::ErrorCode::InvalidArgument,
                             "size '" + std::string(text) + "' is too large");
        }
        return number * unit.factor;
    }
    return malformed(text, kWhat);
}

sdk::Result<std::chrono::milliseconds> parseDuration(std::string_view text) {
    static constexpr std::string_view kWhat =
        "a duration (digits followed by ms, s, m, h or d; digits alone are seconds, e.g. 30s)";
    static constexpr Unit kUnits[] = {{"", 1000},    {"ms", 1},        {"s", 1000},
                                      {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}};
    constexpr std::uint64_t kLimitMs = 1'000'000'000'000;
    std::uint64_t number = 0;
    std::string_view suffix;
    if (!splitNumber(text, std::numeric_limits<std::uint64_t>::max(), number, suffix)) {
        return malformed(text, kWhat);
    }
    for (const Unit& unit : kUnits) {
        if (suffix != unit.suffix) continue;
        if (number > kLimitMs / unit.factor) {
            return sdk::fail(sdk::ErrorCode::InvalidArgument,
                             "duration '" + std::string(text) + "' is too long");
        }
        return std::chrono::milliseconds(static_cast<std::int64_t>(number * unit.factor));
    }
    return malformed(text, kWhat);
}

}  // namespace relais::config
