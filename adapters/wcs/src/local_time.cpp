// SPDX-License-Identifier: AGPL-3.0-or-later
#include "local_time.h"

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <optional>

namespace relais::adapters::wcs {
namespace {

// Guards the process environment's TZ while a conversion runs.
std::mutex& tzMutex() {
    static std::mutex mutex;
    return mutex;
}

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

bool isKnownZone(const std::string& zone) {
    if (zone.empty() || zone.front() == '/' || zone.find("..") != std::string::npos) return false;
    if (zone == "UTC") return true;
    const char* dir = std::getenv("TZDIR");  // NOLINT(concurrency-mt-unsafe): read at start-up
    const std::filesystem::path base =
        dir != nullptr && dir[0] != '\0' ? dir : "/usr/share/zoneinfo";
    std::error_code error;
    return std::filesystem::is_regular_file(base / zone, error);
}

sdk::Result<sdk::Timestamp> parseLocalTime(std::string_view text, const std::string& zone) {
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
    std::tm tm{};
    tm.tm_year = number(year) - 1900;
    tm.tm_mon = number(month) - 1;
    tm.tm_mday = number(day);
    tm.tm_hour = number(hour);
    tm.tm_min = number(minute);
    tm.tm_sec = number(second);
    tm.tm_isdst = -1;  // let the zone's rules say
    std::time_t instant = -1;
    long offset_seconds = 0;
    {
        std::lock_guard lock(tzMutex());
        // NOLINTBEGIN(concurrency-mt-unsafe): serialised by tzMutex
        const char* previous = std::getenv("TZ");
        const std::optional<std::string> saved =
            previous != nullptr ? std::optional<std::string>(previous) : std::nullopt;
        ::setenv("TZ", zone.c_str(), 1);
        ::tzset();
        instant = std::mktime(&tm);
        std::tm local{};
        if (instant != -1 && localtime_r(&instant, &local) != nullptr) {
            offset_seconds = local.tm_gmtoff;
        }
        if (saved) {
            ::setenv("TZ", saved->c_str(), 1);
        } else {
            ::unsetenv("TZ");
        }
        ::tzset();
        // NOLINTEND(concurrency-mt-unsafe)
    }
    if (instant == -1) return bad();
    sdk::Timestamp result;
    result.micros = static_cast<std::int64_t>(instant) * 1'000'000 + micros;
    result.offset_minutes = static_cast<std::int32_t>(offset_seconds / 60);
    return result;
}

}  // namespace relais::adapters::wcs
