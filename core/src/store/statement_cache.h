// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include <Poco/Data/LOB.h>

struct sqlite3;
struct sqlite3_stmt;

namespace Poco::Data {
class Session;
}

/// @file
/// Prepared statements kept per SQLite connection, so that the SQL of the store is parsed
/// and compiled once per connection instead of once per call (the writer thread spent most
/// of its time in SQLite's parser and code generator). `detail::execute`, `query` and
/// `queryOne` (rows.h) run on them, binding and reading on the raw handle.
///
/// Errors are thrown as Poco::Data::SQLite would have thrown them for a Poco statement
/// (same exception types and messages, e.g. `ConstraintViolationException`), so the
/// engine's mapping of exceptions to errors is unchanged.

namespace relais::store::detail {

/// The prepared statements of one connection, by SQL text, finalised with the cache (which
/// must go before the connection closes). Not thread-safe: a connection is used by one
/// thread at a time, and so is its cache.
class StatementCache {
public:
    explicit StatementCache(sqlite3* db) noexcept : db_(db) {}
    ~StatementCache();

    StatementCache(const StatementCache&) = delete;
    StatementCache& operator=(const StatementCache&) = delete;

    sqlite3* db() const noexcept { return db_; }
    /// How many distinct statements are prepared.
    std::size_t size() const noexcept { return statements_.size(); }

private:
    friend class PreparedStatement;
    struct Entry {
        sqlite3_stmt* statement = nullptr;
        bool in_use = false;  // taken by a PreparedStatement right now
    };

    sqlite3* db_;
    std::unordered_map<std::string, Entry> statements_;
};

/// Makes `cache` the statements of `session` on the calling thread while it lives: the
/// engine opens one around each work it runs on the connection of `cache`.
class StatementScope {
public:
    StatementScope(const Poco::Data::Session& session, StatementCache& cache) noexcept;
    ~StatementScope();

    StatementScope(const StatementScope&) = delete;
    StatementScope& operator=(const StatementScope&) = delete;

private:
    const Poco::Data::Session* previous_session_;
    StatementCache* previous_cache_;
};

/// One statement for one call: taken from the cache of the session's connection (prepared
/// on first use), or prepared for this call alone when the session has no cache in scope on
/// this thread (or its cached statement is already in use). Going out of scope resets it
/// and clears its bindings, whatever happened, so it holds no lock nor value afterwards.
class PreparedStatement {
public:
    /// Throws as Poco does when `sql` does not compile.
    PreparedStatement(Poco::Data::Session& session, const std::string& sql);
    ~PreparedStatement();

    PreparedStatement(const PreparedStatement&) = delete;
    PreparedStatement& operator=(const PreparedStatement&) = delete;

    // Parameters, from 1. Text and blobs are not copied: they must outlive the statement's
    // use (the arguments of the call that runs it).
    void bindNull(int index);
    void bindInt(int index, int value);
    void bindInt64(int index, std::int64_t value);
    void bindDouble(int index, double value);
    void bindText(int index, std::string_view value);
    /// An empty BLOB binds as NULL, as Poco binds it.
    void bindBlob(int index, const Poco::Data::BLOB& value);

    /// Runs to the next row: true when there is one, false when the statement is done.
    /// Throws on an error (constraint violation, ...).
    bool step();
    /// Rows changed by the last completed INSERT, UPDATE or DELETE of the connection.
    std::size_t changes() const noexcept;

    // Columns of the current row, from 0. NULL reads as 0, empty text or empty BLOB.
    bool isNull(int index) const noexcept;
    int columnInt(int index) const noexcept;
    std::int64_t columnInt64(int index) const noexcept;
    double columnDouble(int index) const noexcept;
    std::string columnText(int index) const;
    Poco::Data::BLOB columnBlob(int index) const;

private:
    void check(int rc) const;

    sqlite3* db_;
    sqlite3_stmt* statement_ = nullptr;
    StatementCache::Entry* entry_ = nullptr;  // null: prepared for this call alone
};

}  // namespace relais::store::detail
