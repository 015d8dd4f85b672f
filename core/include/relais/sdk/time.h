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
/// portal dated `2026-11-14T10:30:00+01:00` is shown back the same way.

namespace relais::sdk {

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
