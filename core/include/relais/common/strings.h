// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>
#include <string_view>
#include <vector>

/// @file
/// String helpers used across the core (ASCII only: names, keys, headers).

namespace relais::common {

std::string_view trim(std::string_view text) noexcept;
/// Splits on `separator`, trimming each piece; empty pieces are dropped.
std::vector<std::string> splitTrimmed(std::string_view text, char separator);
std::string toLower(std::string_view text);
bool equalsIgnoreCase(std::string_view a, std::string_view b) noexcept;
std::string join(const std::vector<std::string>& parts, std::string_view separator);

}  // namespace relais::common
