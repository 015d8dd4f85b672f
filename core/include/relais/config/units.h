// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "relais/sdk/result.h"

/// @file
/// Sizes and durations as written in the configuration (and in plugin parameters).

namespace relais::config {

/// Parses a size: digits, optionally followed by `B`, `KiB`, `MiB` or `GiB` (powers of
/// 1024), no spaces: `65536`, `512KiB`, `10MiB`. `InvalidArgument` (the message quotes the
/// text and says the expected form) when malformed or beyond 2^63 bytes.
sdk::Result<std::uint64_t> parseSize(std::string_view text);

/// Parses a duration: digits followed by `ms`, `s`, `m`, `h` or `d`; digits alone are
/// seconds: `500ms`, `30s`, `5m`, `2h`, `1d`, `45`. `InvalidArgument` when malformed or
/// beyond 10^12 milliseconds (about 31 years).
sdk::Result<std::chrono::milliseconds> parseDuration(std::string_view text);

}  // namespace relais::config
