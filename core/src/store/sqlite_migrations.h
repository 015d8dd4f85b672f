// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <span>
#include <string_view>

/// @file
/// The SQLite schema, as numbered migrations. Each one runs once, in its own transaction,
/// and is recorded in `schema_migrations`. A shipped migration is never edited: a change to
/// the schema is a new migration with the next number.

namespace relais::store {

struct Migration {
    int version;            ///< 1, 2, … with no gap
    std::string_view name;  ///< short description, recorded with the version
    std::string_view sql;   ///< one or more statements, run as a script
};

/// Every SQLite migration, in order of version.
std::span<const Migration> sqliteMigrations() noexcept;

}  // namespace relais::store
