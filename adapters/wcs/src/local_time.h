// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>
#include <string_view>

#include "relais/sdk/result.h"
#include "relais/sdk/time.h"

/// @file
/// w.c.s. writes its times without a zone (`2026-11-30T10:12:44`, the site's local time).
/// GCC 12's libstdc++ has no `std::chrono::locate_zone` (the tz database arrived in GCC 13),
/// so the conversion goes through the C library's `mktime` with `TZ` set to the zone, under
/// one process-wide mutex. That is safe against other calls of this file only: another
/// thread reading `TZ` at that moment (localtime in a library) races with it; the SDK has no
/// zone service yet.

namespace relais::adapters::wcs {

/// Whether `zone` names a zone of the system's tz database (`Europe/Paris`, `UTC`): a file
/// under `$TZDIR` or `/usr/share/zoneinfo`, no `..`, not absolute.
bool isKnownZone(const std::string& zone);

/// A naive local time `YYYY-MM-DDTHH:MM:SS[.ffffff]` (or with a space instead of `T`) read in
/// `zone`: the instant, with the zone's UTC offset at that instant. A time that already has a
/// zone (`Z`, `+01:00`) is read as RFC 3339. A time in the spring-forward gap is moved forward
/// by the gap (02:30 → 03:30 CEST), as `mktime` does; in the repeated autumn hour the C
/// library picks one of the two. `InvalidArgument` for anything else (an impossible date
/// included).
sdk::Result<sdk::Timestamp> parseLocalTime(std::string_view text, const std::string& zone);

}  // namespace relais::adapters::wcs
