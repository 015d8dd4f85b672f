// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>
#include <string_view>

#include "relais/sdk/result.h"
#include "relais/sdk/time.h"
#include "relais/sdk/time_zone.h"

/// @file
/// w.c.s. writes its times without a zone (`2026-11-30T10:12:44`, the site's local time).
/// They are read with the SDK's `TimeZone` (the tz database's zone file, loaded once when
/// the adapter is configured), which touches neither `TZ` nor any other process-wide state:
/// safe on every thread.

namespace relais::adapters::wcs {

/// Whether `zone` names a zone of the system's tz database (`Europe/Paris`, `UTC`): a
/// readable zone file under `$TZDIR` or `/usr/share/zoneinfo`, no `..`, not absolute.
/// Reads the file; call it at configuration time.
bool isKnownZone(const std::string& zone);

/// A naive local time `YYYY-MM-DDTHH:MM:SS[.ffffff]` (or with a space instead of `T`) read in
/// `zone`: the instant, with the zone's UTC offset at that instant. A time that already has a
/// zone (`Z`, `+01:00`) is read as RFC 3339. A time in the spring-forward gap is moved forward
/// by the gap (02:30 → 03:30 CEST), as `mktime` did; in the repeated autumn hour the first
/// occurrence (summer time) is taken. `InvalidArgument` for anything else (an impossible date
/// included). Thread-safe.
sdk::Result<sdk::Timestamp> parseLocalTime(std::string_view text, const sdk::TimeZone& zone);

/// The same with the zone loaded by name on each call (`InvalidArgument` for an unknown zone):
/// for tests and one-off conversions; the adapter keeps the zone loaded at configure time.
sdk::Result<sdk::Timestamp> parseLocalTime(std::string_view text, const std::string& zone);

}  // namespace relais::adapters::wcs
