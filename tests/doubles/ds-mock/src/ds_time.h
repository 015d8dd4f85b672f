// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "relais/sdk/time_zone.h"

/// @file
/// Times as DS writes them (ISO 8601 in Europe/Paris, `2026-11-30T10:12:44+01:00`) and its
/// pagination cursors (base64 of `<updated_at in UTC, nanoseconds>;<id>`, from
/// `app/graphql/connections/cursor_connection.rb`).

namespace relais::ds_mock {

class DsClock {
public:
    using Source = std::function<std::chrono::system_clock::time_point()>;
    /// An empty `source` reads the system clock. Loads Europe/Paris (UTC if unavailable).
    explicit DsClock(Source source);

    std::int64_t nowMicros() const;
    /// `2026-11-30T10:12:44+01:00` (whole seconds, Paris offset of that instant).
    std::string format(std::int64_t micros) const;

private:
    Source source_;
    sdk::TimeZone paris_;
};

/// Microseconds since the epoch of an ISO 8601 date-time; nullopt when it is not one.
std::optional<std::int64_t> parseMicros(std::string_view text);

std::string encodeCursor(std::int64_t micros, std::int64_t id);
/// The (time, id) of a cursor; nullopt for a cursor the double did not make.
std::optional<std::pair<std::int64_t, std::int64_t>> decodeCursor(std::string_view cursor);

}  // namespace relais::ds_mock
