// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "relais/sdk/result.h"

/// @file
/// Content-addressed files: attachments downloaded at ingest, kept for delivery and replay.

namespace relais::pipeline {

/// A directory of files named after the SHA-256 of their content (`<dir>/ab/abcdef…`). The
/// same bytes are stored once; a stored file is never modified. Writes are durable (temporary
/// file, fsync, rename, fsync of the directory) before `put` returns.
///
/// Thread-safety: all methods are thread-safe (concurrent puts of the same content write the
/// same bytes to the same name; the rename is atomic).
class BlobStore {
public:
    struct Blob {
        std::string sha256;  ///< lowercase hex
        std::int64_t size = 0;
        std::string path;  ///< absolute
        std::string ref;   ///< `sha256:<hex>`, what dossiers keep as `storage_ref`
    };

    /// Creates `directory` if needed. Throws `StoreError` when it cannot.
    explicit BlobStore(std::string directory);

    sdk::Result<Blob> put(std::string_view bytes);

    /// The path of the blob `ref` (`sha256:<hex>`) if it is one of ours and exists.
    std::optional<std::string> pathOf(std::string_view ref) const;

    const std::string& directory() const noexcept { return directory_; }

private:
    std::string directory_;
};

}  // namespace relais::pipeline
