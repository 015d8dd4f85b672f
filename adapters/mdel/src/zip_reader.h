// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "relais/sdk/result.h"

/// @file
/// Reading a delivery zip with Poco::Zip, defensively: whoever can write to the inbox chooses
/// its bytes. Entry names are checked before anything is read (no absolute path, no `..`
/// segment, no backslash, no control character), the sizes the zip declares are added up
/// and checked against a cap before anything is inflated, and each read stops one byte past
/// the declared size (a lying header cannot make relais inflate more) and checks the CRC.
/// Nothing is ever extracted to disk: entries are read into memory by name.

namespace relais::adapters::mdel {

/// One file of a zip.
struct ZipEntry {
    std::string name;        ///< as stored (`message.xml`, `attachment/DIA_DDI.xml`)
    std::uint64_t size = 0;  ///< uncompressed, as declared
};

/// Why an entry name is refused, or empty when it is a safe relative name.
std::string unsafeEntryName(std::string_view name);

/// An opened zip: its directory, read once. Immutable; reads reopen the file, so one
/// `ZipReader` may be read from several threads.
class ZipReader {
public:
    /// Opens and checks `path`. Errors: `InvalidArgument` for a file that is not a zip, an
    /// unsafe entry name (quoted), an encrypted entry, or declared sizes over `max_total`;
    /// `Unavailable` when the file cannot be opened.
    static sdk::Result<ZipReader> open(const std::string& path, std::uint64_t max_total);

    ZipReader(ZipReader&&) noexcept;
    ZipReader& operator=(ZipReader&&) noexcept;
    ~ZipReader();

    /// The file entries (directories left out), by name.
    const std::vector<ZipEntry>& entries() const noexcept { return entries_; }
    /// The entry named `name`, or null.
    const ZipEntry* find(std::string_view name) const noexcept;

    /// The bytes of entry `name`. Errors: `NotFound` (no such entry), `TooLarge` (more than
    /// `max_bytes`, or more than declared), `InvalidArgument` (corrupt data, bad CRC).
    sdk::Result<std::string> read(const std::string& name, std::uint64_t max_bytes) const;

private:
    struct Directory;
    ZipReader(std::string path, std::unique_ptr<Directory> directory,
              std::vector<ZipEntry> entries);

    std::string path_;
    std::unique_ptr<Directory> directory_;  ///< Poco's parsed headers
    std::vector<ZipEntry> entries_;
};

/// One file to pack.
struct ZipMember {
    std::string name;
    std::string bytes;
};

/// A zip (deflated) holding `members` in that order, as bytes.
std::string packZip(const std::vector<ZipMember>& members);

}  // namespace relais::adapters::mdel
