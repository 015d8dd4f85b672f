// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "relais/sdk/result.h"

/// @file
/// The adapter's file-system moves: which zips wait in the inbox, moving a handled zip out
/// of it, the index of MessageIds already handed over, and durable writes to the outbox.
/// Every error is `Unavailable` (a full disk or a permission may pass once an operator acts)
/// and names the path.

namespace relais::adapters::mdel {

/// Why `directory` cannot be used (missing, not a directory, not writable), or empty.
std::string unusableDirectory(const std::string& directory);

/// The `*.zip` regular files of `directory` (case-insensitive suffix, hidden files left
/// out: transfer agents write under a temporary name first), by name.
sdk::Result<std::vector<std::string>> waitingZips(const std::string& directory);

/// Whether `name` is a plain file name (no `/`, not `.` or `..`, no control character).
bool isPlainFileName(std::string_view name);

/// Moves `directory/name` into `target` (renamed `name-2`, `name-3`… when taken; copied then
/// removed across file systems) and returns the new path. `NotFound` when it is gone.
sdk::Result<std::string> moveInto(const std::string& directory, const std::string& name,
                                  const std::string& target);

/// Writes `bytes` to `directory/name` durably: a hidden temporary file in `directory`,
/// fsync, rename, fsync of the directory. A reader never sees a partial file.
sdk::Result<void> writeDurably(const std::string& directory, const std::string& name,
                               std::string_view bytes);

/// The index of MessageIds handed over: `<archive>/.message-ids/<sha256 of the id>`.
class MessageIndex {
public:
    explicit MessageIndex(std::string archive) : directory_(std::move(archive) + "/.message-ids") {}
    const std::string& directory() const noexcept { return directory_; }
    bool knows(const std::string& message_id) const;
    /// Records `message_id` (the file holds the id and the zip's name, for operators).
    sdk::Result<void> remember(const std::string& message_id, const std::string& zip) const;

private:
    std::string fileOf(const std::string& message_id) const;
    std::string directory_;
};

}  // namespace relais::adapters::mdel
