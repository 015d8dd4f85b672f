// SPDX-License-Identifier: AGPL-3.0-or-later
#include "local_time.h"

namespace relais::adapters::wcs {
namespace {

bool digits(std::string_view text) {
    if (text.empty()) return false;
    for (const char c : text) {
        if (c < '0' || c > '9') return false;
    }
    return true;
}

int number(std::string_view text) {
    int value = 0;
    for (const char c : text) value = value * 10 + (c - '0');
    return value;
}

}  // namespace

bool isKnownZone(const std::string& zone) { return sdk::TimeZone::load(zone).ok(); }

sdk::Result<sdk::Timestamp> parseLocalTime(std::string_view text, const sdk::TimeZone& zone) {
    const auto bad = [&] {
        return sdk::fail(
            sdk::ErrorCode::InvalidArgument,
            "'" + std::string(text.substr(0, 40)) + "' is not a w.c.s. time (YYYY-MM-DDTHH:MM:SS)");
    };
    if (text.size() < 19 || text[4] != '-' || text[7] != '-' ||
        (text[10] != 'T' && text[10] != ' ') || text[13] != ':' || text[16] != ':') {
        return bad();
    }
    std::string_view rest = text.substr(19);
    int micros = 0;
    if (!rest.empty() && rest.front() == '.') {
        std::size_t n = 1;
        while (n < rest.size() && rest[n] >= '0' && rest[n] <= '9') ++n;
        std::string fraction(rest.substr(1, n - 1));
        if (fraction.empty() || fraction.size() > 6) return bad();
        fraction.resize(6, '0');
        micros = number(fraction);
        rest = rest.substr(n);
    }
    if (!rest.empty()) {
        // Already zoned: RFC 3339 says everything.
        std::string normalized(text);
        normalized[10] = 'T';
        auto zoned = sdk::Timestamp::parse(normalized);
        if (!zoned) return bad();
        return zoned;
    }
    const std::string_view year = text.substr(0, 4);
    const std::string_view month = text.substr(5, 2);
    const std::string_view day = text.substr(8, 2);
    const std::string_view hour = text.substr(11, 2);
    const std::string_view minute = text.substr(14, 2);
    const std::string_view second = text.substr(17, 2);
    if (!digits(year) || !digits(month) || !digits(day) || !digits(hour) || !digits(minute) ||
        !digits(second)) {
        return bad();
    }
    if (!sdk::isValidDate(number(year), static_cast<unsigned>(number(month)),
                          static_cast<unsigned>(number(day))) ||
        number(hour) > 23 || number(minute) > 59 || number(second) > 59) {
        return bad();
    }
    auto instant = zone.fromLocal(
        {number(year), static_cast<unsigned>(number(month)), static_cast<unsigned>(number(day))},
        number(hour), number(minute), number(second), micros);
    if (!instant) return bad();
    return instant;
}

sdk::Result<sdk::Timestamp> parseLocalTime(std::string_view text, const std::string& zone) {
    auto loaded = sdk::TimeZone::load(zone);
    if (!loaded) {
        return sdk::fail(sdk::ErrorCode::InvalidArgument,
                         "'" + zone + "' is not a zone of the tz database");
    }
    return parseLocalTime(text, *loaded);
}

}  // namespace relais::adapters::wcs
