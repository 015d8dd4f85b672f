// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/sdk/time.h"

#include <cstdio>

namespace relais::sdk {
namespace {

constexpr std::int64_t kMicrosPerSecond = 1'000'000;

// Reads exactly `count` digits at `pos`.
bool digits(std::string_view s, std::size_t pos, std::size_t count, unsigned& out) noexcept {
    if (pos + count > s.size()) return false;
    out = 0;
    for (std::size_t i = 0; i < count; ++i) {
        const char c = s[pos + i];
        if (c < '0' || c > '9') return false;
        out = out * 10 + static_cast<unsigned>(c - '0');
    }
    return true;
}

Error invalid(std::string_view text) {
    return fail(ErrorCode::InvalidArgument,
                "invalid timestamp '" + std::string(text.substr(0, 64)) +
                    "': expected RFC 3339, e.g. 2026-11-14T10:30:00+01:00");
}

std::string format(std::int64_t micros, std::int32_t offset_minutes, bool utc_z) {
    const std::int64_t local =
        micros + static_cast<std::int64_t>(offset_minutes) * 60 * kMicrosPerSecond;
    std::int64_t seconds = local / kMicrosPerSecond;
    std::int64_t fraction = local % kMicrosPerSecond;
    if (fraction < 0) {
        fraction += kMicrosPerSecond;
        --seconds;
    }
    std::int64_t days = seconds / 86400;
    std::int64_t rest = seconds % 86400;
    if (rest < 0) {
        rest += 86400;
        --days;
    }
    const CivilDate c = civilFromDays(days);
    char buffer[64];
    int n = std::snprintf(
        buffer, sizeof buffer, "%04lld-%02u-%02uT%02lld:%02lld:%02lld",
        static_cast<long long>(c.year), c.month, c.day, static_cast<long long>(rest / 3600),
        static_cast<long long>((rest / 60) % 60), static_cast<long long>(rest % 60));
    std::string out(buffer, static_cast<std::size_t>(n));
    if (fraction != 0) {
        n = std::snprintf(buffer, sizeof buffer, ".%06lld", static_cast<long long>(fraction));
        std::string frac(buffer, static_cast<std::size_t>(n));
        while (frac.back() == '0') frac.pop_back();
        out += frac;
    }
    if (utc_z || offset_minutes == 0) {
        out += 'Z';
    } else {
        const int abs_offset = offset_minutes < 0 ? -offset_minutes : offset_minutes;
        n = std::snprintf(buffer, sizeof buffer, "%c%02d:%02d", offset_minutes < 0 ? '-' : '+',
                          abs_offset / 60, abs_offset % 60);
        out.append(buffer, static_cast<std::size_t>(n));
    }
    return out;
}

}  // namespace

bool isLeapYear(std::int64_t year) noexcept {
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

unsigned daysInMonth(std::int64_t year, unsigned month) noexcept {
    constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12) return 0;
    return month == 2 && isLeapYear(year) ? 29 : kDays[month - 1];
}

bool isValidDate(std::int64_t year, unsigned month, unsigned day) noexcept {
    return day >= 1 && day <= daysInMonth(year, month);
}

// H. Hinnant's algorithms (http://howardhinnant.github.io/date_algorithms.html): eras of
// 400 years, years starting on 1 March so that the leap day comes last.
std::int64_t daysFromCivil(std::int64_t year, unsigned month, unsigned day) noexcept {
    year -= month <= 2 ? 1 : 0;
    const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
    const auto year_of_era = static_cast<unsigned>(year - era * 400);
    const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    const unsigned day_of_era =
        year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + static_cast<std::int64_t>(day_of_era) - 719468;
}

CivilDate civilFromDays(std::int64_t days) noexcept {
    days += 719468;
    const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const auto day_of_era = static_cast<unsigned>(days - era * 146097);
    const unsigned year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    const std::int64_t year = static_cast<std::int64_t>(year_of_era) + era * 400;
    const unsigned day_of_year =
        day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    const unsigned mp = (5 * day_of_year + 2) / 153;
    const unsigned day = day_of_year - (153 * mp + 2) / 5 + 1;
    const unsigned month = mp < 10 ? mp + 3 : mp - 9;
    return {year + (month <= 2 ? 1 : 0), month, day};
}

unsigned weekdayFromDays(std::int64_t days) noexcept {
    return static_cast<unsigned>(days >= -4 ? (days + 4) % 7 : (days + 5) % 7 + 6);
}

Result<Timestamp> Timestamp::parse(std::string_view text) {
    unsigned year = 0;
    unsigned month = 0;
    unsigned day = 0;
    if (!digits(text, 0, 4, year) || text.size() < 10 || text[4] != '-' ||
        !digits(text, 5, 2, month) || text[7] != '-' || !digits(text, 8, 2, day)) {
        return invalid(text);
    }
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
        return invalid(text);
    }
    const std::int64_t days = daysFromCivil(year, month, day);
    if (text.size() == 10) return Timestamp{days * 86400 * kMicrosPerSecond, 0};

    unsigned hour = 0;
    unsigned minute = 0;
    unsigned second = 0;
    if ((text[10] != 'T' && text[10] != 't' && text[10] != ' ') || !digits(text, 11, 2, hour) ||
        text.size() < 19 || text[13] != ':' || !digits(text, 14, 2, minute) || text[16] != ':' ||
        !digits(text, 17, 2, second) || hour > 23 || minute > 59 || second > 60) {
        return invalid(text);
    }
    if (second == 60) second = 59;  // leap second: clamp, we do not count them
    std::size_t pos = 19;
    std::int64_t micros = 0;
    if (pos < text.size() && text[pos] == '.') {
        ++pos;
        std::size_t count = 0;
        std::int64_t scale = 100000;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
            if (count < 6) {
                micros += (text[pos] - '0') * scale;
                scale /= 10;
            }
            ++count;
            ++pos;
        }
        if (count == 0) return invalid(text);
    }
    std::int32_t offset = 0;
    if (pos >= text.size()) return invalid(text);
    if (text[pos] == 'Z' || text[pos] == 'z') {
        ++pos;
    } else if (text[pos] == '+' || text[pos] == '-') {
        unsigned oh = 0;
        unsigned om = 0;
        if (!digits(text, pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
            !digits(text, pos + 4, 2, om) || oh > 23 || om > 59) {
            return invalid(text);
        }
        offset = static_cast<std::int32_t>(oh * 60 + om) * (text[pos] == '-' ? -1 : 1);
        pos += 6;
    } else {
        return invalid(text);
    }
    if (pos != text.size()) return invalid(text);
    const std::int64_t local_seconds =
        days * 86400 + static_cast<std::int64_t>(hour) * 3600 + minute * 60 + second;
    const std::int64_t utc_seconds = local_seconds - static_cast<std::int64_t>(offset) * 60;
    return Timestamp{utc_seconds * kMicrosPerSecond + micros, offset};
}

Timestamp Timestamp::fromUnixSeconds(std::int64_t seconds) noexcept {
    return Timestamp{seconds * kMicrosPerSecond, 0};
}

std::string Timestamp::toString() const { return format(micros, offset_minutes, false); }

std::string Timestamp::toUtcString() const { return format(micros, 0, true); }

}  // namespace relais::sdk
