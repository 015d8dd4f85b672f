// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <sqlite3.h>

#include "relais/config/config.h"
#include "relais/store/store.h"

#include "support/temp_dir.h"

namespace relais::store::test {

/// A separate, fresh SQLite connection to the store's file, opened read-only: what it sees
/// is on disk (committed), whatever the store's own connections hold.
class Probe {
public:
    explicit Probe(const std::string& path);
    ~Probe();
    Probe(const Probe&) = delete;
    Probe& operator=(const Probe&) = delete;

    /// First column of the first row as text ("" when no row); fails the test on error.
    std::string text(const std::string& sql);
    /// First column of the first row as an integer (0 when no row).
    std::int64_t integer(const std::string& sql);

private:
    sqlite3* db_ = nullptr;
};

/// Runs `sql` (one or more statements) on a read-write connection of its own to the
/// database file, as someone with access to the file could, behind the store's back. Fails
/// the test on error.
void tamper(const std::string& path, const std::string& sql);

/// A store config on a file in `dir` (under a directory that does not exist yet).
config::StoreConfig storeConfig(const relais::test::TempDir& dir);

/// A dossier as an adapter would hand it over, with `jobs` delivery jobs.
IngestRequest sampleRequest(const std::string& source_key, int jobs = 1);

/// The highest migration this build knows (what a fresh database is migrated to).
int latestVersion();

/// Unix micros, now.
std::int64_t nowMicros();

}  // namespace relais::store::test
