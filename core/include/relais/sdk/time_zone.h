// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "relais/sdk/result.h"
#include "relais/sdk/time.h"
#include "relais/sdk/visibility.h"

/// @file
/// `TimeZone`: a zone of the system's tz database (`Europe/Paris`), read from its compiled
/// file (TZif, RFC 8536) so that local times convert to instants without the C library's
/// process-wide `TZ` (`setenv` + `tzset` + `mktime` race with every other thread that reads
/// the environment or calls `localtime`). GCC 12's libstdc++ has no `std::chrono::locate_zone`.
///
/// Threading: a loaded `TimeZone` is immutable; copies share the same read-only data, so one
/// value may be used from any number of threads at once without locking.

namespace relais::sdk {

/// One zone's rules: the table of transitions of its TZif file, and the POSIX TZ rule of the
/// file's footer (`CET-1CEST,M3.5.0,M10.5.0/3`) for instants after the last transition.
///
/// Ownership: a cheap handle; copies share the parsed data (reference-counted, freed with
/// the last copy; the data lives in the SDK library, never in a plugin). A default-constructed
/// `TimeZone` is UTC. Leap seconds are not counted (as in POSIX time).
class RELAIS_SDK_API TimeZone {
public:
    /// UTC (offset 0, no daylight saving time), named `UTC`.
    TimeZone();

    /// Loads zone `name` from `$TZDIR` (when set and not empty) or `/usr/share/zoneinfo`.
    /// `name` is one or more segments of `[A-Za-z0-9_+-]` separated by `/` (so never absolute
    /// and never `..`), at most 255 characters; `UTC` is built in and needs no file.
    /// Only version 2 and later files are read (the 64-bit block; the version 1 block is
    /// skipped); files with leap-second records (`right/…`) are refused.
    ///
    /// Errors: `InvalidArgument` for a name breaking the rule above or a malformed, truncated
    /// or oversized (over 1 MiB) file, the message naming the file; `NotFound` when no such
    /// zone file exists. Never throws for bad input.
    ///
    /// Threading: reads `TZDIR` with `getenv`, so call it where no thread changes the
    /// environment (at configuration time); the result may then be shared freely.
    static Result<TimeZone> load(std::string_view name);

    /// Parses the bytes of a TZif file already read (`tzif`) as zone `name`; `source` names
    /// the file in error messages. Same checks and errors as `load` (minus the name and file
    /// checks); every count in the file is checked against its size, so any input is safe.
    static Result<TimeZone> parse(std::string_view tzif, std::string_view name,
                                  std::string_view source);

    /// The zone's name as given to `load` (`Europe/Paris`; `UTC` for the default).
    const std::string& name() const noexcept;

    /// The offset from UTC in seconds (east positive: +3600 for CET) in force at the instant
    /// `utc_seconds` (Unix seconds). Before the first transition, the file's first local time
    /// type; after the last one, the footer's rule (or the last type when there is none).
    /// Never fails.
    int offsetSecondsAt(std::int64_t utc_seconds) const noexcept;

    /// The instant at which the zone's wall clocks showed `date` `hour`:`minute`:`second`
    /// (+ `micros`), carrying the offset in force at that instant (`offset_minutes`,
    /// rounded toward zero for offsets that are not whole minutes). Rules:
    /// - a time in a gap (spring forward) does not exist: it is moved forward by the gap,
    ///   i.e. read with the offset in force before the transition (02:30 on 2026-03-29 in
    ///   Europe/Paris is 01:30Z, shown 03:30+02:00), as `mktime` does;
    /// - a time that happens twice (the repeated autumn hour) is the earlier instant, the
    ///   first occurrence (02:30 on 2026-10-25 in Europe/Paris is 00:30Z, 02:30+02:00).
    ///
    /// Errors: `InvalidArgument` when the date is not a valid date of years 1–9999, or
    /// `hour` is not 0–23, `minute` 0–59, `second` 0–59 or `micros` 0–999999.
    Result<Timestamp> fromLocal(CivilDate date, int hour, int minute, int second,
                                int micros = 0) const;

    /// The parsed rules; defined in time_zone.cpp only.
    struct Data;

private:
    explicit TimeZone(std::shared_ptr<const Data> data) noexcept;

    std::shared_ptr<const Data> data_;
};

}  // namespace relais::sdk
