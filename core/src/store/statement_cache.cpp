// SPDX-License-Identifier: AGPL-3.0-or-later
#include "store/statement_cache.h"

#include <Poco/Data/SQLite/Utility.h>
#include <Poco/Data/Session.h>
#include <sqlite3.h>

namespace relais::store::detail {

namespace {

/// The connection whose cache is in scope on this thread (see StatementScope).
thread_local const Poco::Data::Session* scoped_session = nullptr;
thread_local StatementCache* scoped_cache = nullptr;

/// Compiles `sql`, throwing what a Poco statement throws when it does not compile.
sqlite3_stmt* compile(sqlite3* db, const std::string& sql) {
    sqlite3_stmt* statement = nullptr;
    const int rc =
        sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &statement, nullptr);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(statement);
        Poco::Data::SQLite::Utility::throwException(db, rc, sqlite3_errmsg(db));
    }
    if (statement == nullptr) {
        // Only a comment or white space: Poco refuses it too.
        Poco::Data::SQLite::Utility::throwException(db, SQLITE_MISUSE, "empty statement");
    }
    return statement;
}

}  // namespace

StatementCache::~StatementCache() {
    for (auto& [sql, entry] : statements_) sqlite3_finalize(entry.statement);
}

StatementScope::StatementScope(const Poco::Data::Session& session, StatementCache& cache) noexcept
    : previous_session_(scoped_session), previous_cache_(scoped_cache) {
    scoped_session = &session;
    scoped_cache = &cache;
}

StatementScope::~StatementScope() {
    scoped_session = previous_session_;
    scoped_cache = previous_cache_;
}

PreparedStatement::PreparedStatement(Poco::Data::Session& session, const std::string& sql)
    : db_(scoped_session == &session ? scoped_cache->db()
                                     : Poco::Data::SQLite::Utility::dbHandle(session)) {
    if (scoped_session == &session) {
        auto [it, added] = scoped_cache->statements_.try_emplace(sql);
        if (added) {
            try {
                it->second.statement = compile(db_, sql);
            } catch (...) {
                scoped_cache->statements_.erase(it);
                throw;
            }
        }
        if (!it->second.in_use) {
            entry_ = &it->second;
            entry_->in_use = true;
            statement_ = entry_->statement;
            return;
        }
    }
    statement_ = compile(db_, sql);
}

PreparedStatement::~PreparedStatement() {
    if (entry_ == nullptr) {
        sqlite3_finalize(statement_);
        return;
    }
    // reset returns the error of the last step again: it was thrown already.
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
    entry_->in_use = false;
}

void PreparedStatement::check(int rc) const {
    if (rc != SQLITE_OK) Poco::Data::SQLite::Utility::throwException(db_, rc);
}

void PreparedStatement::bindNull(int index) { check(sqlite3_bind_null(statement_, index)); }

void PreparedStatement::bindInt(int index, int value) {
    check(sqlite3_bind_int(statement_, index, value));
}

void PreparedStatement::bindInt64(int index, std::int64_t value) {
    check(sqlite3_bind_int64(statement_, index, static_cast<sqlite3_int64>(value)));
}

void PreparedStatement::bindDouble(int index, double value) {
    check(sqlite3_bind_double(statement_, index, value));
}

void PreparedStatement::bindText(int index, std::string_view value) {
    // A null pointer would bind NULL: empty text stays text.
    const char* data = value.data() != nullptr ? value.data() : "";
    check(
        sqlite3_bind_text(statement_, index, data, static_cast<int>(value.size()), SQLITE_STATIC));
}

void PreparedStatement::bindBlob(int index, const Poco::Data::BLOB& value) {
    check(sqlite3_bind_blob(statement_, index, value.rawContent(), static_cast<int>(value.size()),
                            SQLITE_STATIC));
}

bool PreparedStatement::step() {
    const int rc = sqlite3_step(statement_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    Poco::Data::SQLite::Utility::throwException(db_, rc);
    return false;  // not reached: every error code throws
}

std::size_t PreparedStatement::changes() const noexcept {
    return static_cast<std::size_t>(sqlite3_changes(db_));
}

bool PreparedStatement::isNull(int index) const noexcept {
    return sqlite3_column_type(statement_, index) == SQLITE_NULL;
}

int PreparedStatement::columnInt(int index) const noexcept {
    return sqlite3_column_int(statement_, index);
}

std::int64_t PreparedStatement::columnInt64(int index) const noexcept {
    return static_cast<std::int64_t>(sqlite3_column_int64(statement_, index));
}

double PreparedStatement::columnDouble(int index) const noexcept {
    return sqlite3_column_double(statement_, index);
}

std::string PreparedStatement::columnText(int index) const {
    // Text first, then its size: the conversion to text (of a number) sets the size.
    const auto* text = sqlite3_column_text(statement_, index);
    const int size = sqlite3_column_bytes(statement_, index);
    if (text == nullptr) return {};
    return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size));
}

Poco::Data::BLOB PreparedStatement::columnBlob(int index) const {
    const auto* bytes = static_cast<const unsigned char*>(sqlite3_column_blob(statement_, index));
    const int size = sqlite3_column_bytes(statement_, index);
    if (bytes == nullptr || size <= 0) return {};
    return Poco::Data::BLOB(bytes, static_cast<std::size_t>(size));
}

}  // namespace relais::store::detail
