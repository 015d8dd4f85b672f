// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>
#include <string_view>

#include "relais/sdk/result.h"

/// @file
/// File helpers with the durability guarantees relais promises.

namespace relais::common {

/// Whole file as bytes. `NotFound` when missing, `Unavailable` on other I/O errors. Refuses
/// files larger than `max_bytes` with `TooLarge`.
sdk::Result<std::string> readFile(const std::string& path,
                                  std::size_t max_bytes = std::size_t{64} * 1024 * 1024);

/// Writes `data` to `path` atomically and durably: a temporary file in the same directory,
/// fsync, rename over `path`, fsync of the directory. Readers see the old or the new
/// content, never a mix; after return the new content survives a crash.
sdk::Result<void> writeFileAtomic(const std::string& path, std::string_view data);

/// Creates `path` and its parents (mode 0750) if missing.
sdk::Result<void> makeDirectories(const std::string& path);

}  // namespace relais::common
