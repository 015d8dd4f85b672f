// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "relais/sdk/result.h"
#include "relais/sdk/visibility.h"

/// @file
/// `Timestamp`: an instant with the UTC offset it was expressed in, so an event that a
/// portal dated `2026-11-14T10:30:00+01:00` is shown back the same way; and the one
/// civil-date (proleptic Gregorian calendar) arithmetic that the core and the plugins share.
///
/// Threading: every free function is thread-safe, keeps no state and does not allocate.

namespace relais::sdk {

/// A calendar date of the proleptic Gregorian calendar. `month` is 1–12, `day` 1–31; a
/// value built by hand is not checked (see `isValidDate`).
struct CivilDate {
    std::int64_t year = 1970;
    unsigned month = 1;
    unsigned day = 1;

    friend bool operator==(const CivilDate&, const CivilDate&) noexcept = default;
};

/// Whether `year` is a leap year of the Gregorian calendar (every fourth year, but not
/// centuries, except every fourth century: 2000 is, 1900 and 2100 are not).
RELAIS_SDK_API bool isLeapYear(std::int64_t year) noexcept;

/// Days in `month` (1–12) of `year`: 28–31. 0 for a month outside 1–12.
RELAIS_SDK_API unsigned daysInMonth(std::int64_t year, unsigned month) noexcept;

/// Whether `month` is 1–12 and `day` exists in that month of `year` (30 April does,
/// 31 April does not; 29 February only in leap years).
RELAIS_SDK_API bool isValidDate(std::int64_t year, unsigned month, unsigned day) noexcept;

/// Days since 1970-01-01 of a valid date (negative before it), by H. Hinnant's
/// `days_from_civil`. An invalid date gives the count of the date it overflows to
/// (`2026-02-30` is `2026-03-02`); check it with `isValidDate` first.
RELAIS_SDK_API std::int64_t daysFromCivil(std::int64_t year, unsigned month, unsigned day) noexcept;

/// The date `days` days after 1970-01-01 (before it when negative): the inverse of
/// `daysFromCivil`.
RELAIS_SDK_API CivilDate civilFromDays(std::int64_t days) noexcept;

/// Day of the week of the date `days` after 1970-01-01: 0 is Sunday … 6 Saturday
/// (1970-01-01 was a Thursday, 4).
RELAIS_SDK_API unsigned weekdayFromDays(std::int64_t days) noexcept;

/// An instant (microseconds since the Unix epoch, UTC) plus the offset from UTC in minutes
/// that the source used. Ordering and equality look at the instant only.
struct RELAIS_SDK_API Timestamp {
    std::int64_t micros = 0;
    std::int32_t offset_minutes = 0;

    /// Parses RFC 3339 (`2026-11-14T10:30:00Z`, `…T10:30:00.123+01:00`). A date alone
    /// (`2026-11-14`) is midnight UTC. Anything else is `InvalidArgument`.
    static Result<Timestamp> parse(std::string_view text);

    /// Whole seconds since the epoch, UTC.
    static Timestamp fromUnixSeconds(std::int64_t seconds) noexcept;

    /// RFC 3339 in the stored offset; fractional seconds only when non-zero.
    std::string toString() const;

    /// RFC 3339 in UTC with a `Z` suffix.
    std::string toUtcString() const;

    friend bool operator==(const Timestamp& a, const Timestamp& b) noexcept {
        return a.micros == b.micros;
    }
    friend std::strong_ordering operator<=>(const Timestamp& a, const Timestamp& b) noexcept {
        return a.micros <=> b.micros;
    }
};

}  // namespace relais::sdk
