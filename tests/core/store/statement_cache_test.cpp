// SPDX-License-Identifier: AGPL-3.0-or-later
// Statements prepared once per connection: reuse, errors, every bound and read type, and
// no statement left busy or holding values after a call.
#include "store/statement_cache.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <Poco/AutoPtr.h>
#include <Poco/Data/LOB.h>
#include <Poco/Data/SQLite/SQLiteException.h>
#include <Poco/Data/SQLite/SessionImpl.h>
#include <Poco/Data/SQLite/Utility.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <Poco/Nullable.h>
#include <Poco/Tuple.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "relais/store/database.h"

#include "store/rows.h"
#include "store_fixture.h"
#include "support/temp_dir.h"

namespace relais::store {
namespace {

using detail::execute;
using detail::PreparedStatement;
using detail::query;
using detail::queryOne;
using detail::StatementCache;
using detail::StatementScope;
using Poco::Data::BLOB;
using Poco::Data::Session;
using Poco::Data::Keywords::bind;
using Poco::Data::Keywords::now;

constexpr const char* kInsert = "INSERT INTO t (k, n) VALUES (?, ?)";

/// A connection of its own to a file in a temp dir, with table `t`, and a statement cache
/// in scope on this thread, as the engine sets it around a work.
class StatementCacheTest : public ::testing::Test {
protected:
    StatementCacheTest()
        : session_(Poco::AutoPtr<Poco::Data::SessionImpl>(
              new Poco::Data::SQLite::SessionImpl(dir_.file("cache.db")))),
          db_(Poco::Data::SQLite::Utility::dbHandle(session_)),
          cache_(db_) {
        session_ << "CREATE TABLE t (k TEXT PRIMARY KEY, n INTEGER NOT NULL)", now;
    }

    /// The statements alive on the connection (cached or not).
    std::vector<sqlite3_stmt*> liveStatements() const {
        std::vector<sqlite3_stmt*> statements;
        for (sqlite3_stmt* s = sqlite3_next_stmt(db_, nullptr); s != nullptr;
             s = sqlite3_next_stmt(db_, s)) {
            statements.push_back(s);
        }
        return statements;
    }

    /// Fails the test for every statement of the connection that is stepped and not reset
    /// (it would hold a read lock, block a DROP TABLE, ...) or still holds `value`.
    void expectIdleAndUnbound(std::string_view value) const {
        for (sqlite3_stmt* statement : liveStatements()) {
            EXPECT_EQ(sqlite3_stmt_busy(statement), 0) << sqlite3_sql(statement);
            char* expanded = sqlite3_expanded_sql(statement);
            ASSERT_NE(expanded, nullptr);
            EXPECT_EQ(std::string_view(expanded).find(value), std::string_view::npos) << expanded;
            sqlite3_free(expanded);
        }
    }

    relais::test::TempDir dir_;
    Session session_;
    sqlite3* db_;
    StatementCache cache_;
};

TEST_F(StatementCacheTest, AStatementIsPreparedOnceAndReusedWithFreshParameters) {
    const StatementScope scope(session_, cache_);
    EXPECT_EQ(execute(session_, kInsert, "a", 1), 1u);
    const std::vector<sqlite3_stmt*> after_first = liveStatements();
    EXPECT_EQ(execute(session_, kInsert, "b", 2), 1u);
    EXPECT_EQ(execute(session_, kInsert, std::string("c"), 3), 1u);

    EXPECT_EQ(cache_.size(), 1u);
    EXPECT_EQ(liveStatements(), after_first);
    using Row = Poco::Tuple<std::string, int>;
    const std::vector<Row> rows = query<Row>(session_, "SELECT k, n FROM t ORDER BY k");
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].get<0>(), "a");
    EXPECT_EQ(rows[1].get<1>(), 2);
    EXPECT_EQ(rows[2].get<0>(), "c");
    EXPECT_EQ(rows[2].get<1>(), 3);
    EXPECT_EQ(execute(session_, "UPDATE t SET n = n + 1 WHERE n >= ?", 2), 2u);
    EXPECT_EQ(queryOne<int>(session_, "SELECT SUM(n) FROM t WHERE k <> ?", "a"), 7);
    EXPECT_EQ(queryOne<int>(session_, "SELECT SUM(n) FROM t WHERE k <> ?", "c"), 4);
    EXPECT_EQ(cache_.size(), 4u);
}

TEST_F(StatementCacheTest, AConstraintViolationLeavesTheCacheUsable) {
    const StatementScope scope(session_, cache_);
    execute(session_, kInsert, "taken", 1);
    EXPECT_THROW(execute(session_, kInsert, "taken", 2),
                 Poco::Data::SQLite::ConstraintViolationException);
    expectIdleAndUnbound("taken");

    EXPECT_EQ(execute(session_, kInsert, "free", 3), 1u);
    EXPECT_EQ(cache_.size(), 1u);
    EXPECT_EQ(queryOne<std::int64_t>(session_, "SELECT COUNT(*) FROM t"), 2);
}

/// What `run` throws: exception class name and display text.
std::string thrown(const std::function<void()>& run) {
    try {
        run();
    } catch (const Poco::Exception& e) {
        return std::string(e.className()) + " / " + e.displayText();
    }
    return "nothing";
}

TEST_F(StatementCacheTest, ErrorsAreThrownAsAPocoStatementThrowsThem) {
    session_ << "INSERT INTO t (k, n) VALUES ('taken', 1)", now;
    const std::vector<std::string> statements = {
        kInsert,                               // UNIQUE constraint failed: t.k
        "INSERT INTO t (k, n) VALUES (?, ?",   // syntax error
        "INSERT INTO t (nope) VALUES (?, ?)",  // no such column
        "INSERT INTO u (k, n) VALUES (?, ?)",  // no such table
    };
    for (const std::string& sql : statements) {
        const std::string poco = thrown([&] {
            std::string key = "taken";
            int n = 1;
            session_ << sql, bind(key), bind(n), now;
        });
        const std::string cached = thrown([&] {
            const StatementScope scope(session_, cache_);
            execute(session_, sql, "taken", 1);
        });
        EXPECT_NE(poco, "nothing") << sql;
        EXPECT_EQ(cached, poco) << sql;
    }
    EXPECT_EQ(cache_.size(), 1u) << "a statement that does not compile is not kept";
}

TEST_F(StatementCacheTest, EveryTypeIsBoundAndReadBackIncludingNullsAndBlobsWithZeros) {
    session_ << "CREATE TABLE every (i INTEGER, l INTEGER, d REAL, s TEXT, v TEXT, c TEXT, "
                "b BLOB, e BLOB, yes INTEGER, no INTEGER, nul TEXT, set_ TEXT, empty TEXT)",
        now;
    const StatementScope scope(session_, cache_);
    const std::string zeros("a\0b\0\0c", 6);
    const BLOB blob(reinterpret_cast<const unsigned char*>(zeros.data()), zeros.size());
    const std::int64_t large = 9'007'199'254'740'993;  // more than 32 bits and than a double
    execute(session_,
            "INSERT INTO every (i, l, d, s, v, c, b, e, yes, no, nul, set_, empty) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            -42, large, 2.5, std::string("text"), std::string_view("view"), "chars", blob, BLOB(),
            true, false, Poco::Nullable<std::string>(), Poco::Nullable<std::string>("set"),
            std::string());
    execute(session_, "INSERT INTO every (i) VALUES (NULL)");

    using Row = Poco::Tuple<int, std::int64_t, double, std::string, std::string, std::string, BLOB,
                            BLOB, int, int, std::string, std::string, std::string>;
    const std::vector<Row> rows = query<Row>(
        session_,
        "SELECT i, l, d, s, v, c, b, e, yes, no, nul, set_, empty FROM every ORDER BY rowid");
    ASSERT_EQ(rows.size(), 2u);
    const Row& full = rows[0];
    EXPECT_EQ(full.get<0>(), -42);
    EXPECT_EQ(full.get<1>(), large);
    EXPECT_DOUBLE_EQ(full.get<2>(), 2.5);
    EXPECT_EQ(full.get<3>(), "text");
    EXPECT_EQ(full.get<4>(), "view");
    EXPECT_EQ(full.get<5>(), "chars");
    EXPECT_EQ(detail::fromBlob(full.get<6>()), zeros);
    EXPECT_EQ(full.get<7>().size(), 0u);
    EXPECT_EQ(full.get<8>(), 1);
    EXPECT_EQ(full.get<9>(), 0);
    EXPECT_EQ(full.get<10>(), "");
    EXPECT_EQ(full.get<11>(), "set");
    EXPECT_EQ(full.get<12>(), "");

    // NULL reads as the type's default value.
    const Row& nulls = rows[1];
    EXPECT_EQ(nulls.get<0>(), 0);
    EXPECT_EQ(nulls.get<1>(), 0);
    EXPECT_EQ(nulls.get<2>(), 0.0);
    EXPECT_EQ(nulls.get<3>(), "");
    EXPECT_EQ(nulls.get<6>().size(), 0u);

    // What is NULL and what is not, as stored: empty text stays text; an empty BLOB binds
    // as NULL, as Poco binds it.
    using Kinds = Poco::Tuple<std::string, std::string, std::string, std::string, std::string>;
    const std::optional<Kinds> kinds = queryOne<Kinds>(
        session_,
        "SELECT typeof(b), typeof(e), typeof(nul), typeof(set_), typeof(empty) FROM every "
        "WHERE i = ?",
        -42);
    ASSERT_TRUE(kinds);
    EXPECT_EQ(kinds->get<0>(), "blob");
    EXPECT_EQ(kinds->get<1>(), "null");
    EXPECT_EQ(kinds->get<2>(), "null");
    EXPECT_EQ(kinds->get<3>(), "text");
    EXPECT_EQ(kinds->get<4>(), "text");

    // A Nullable reads NULL as null, and a value as that value.
    EXPECT_EQ(query<Poco::Nullable<std::string>>(session_,
                                                 "SELECT nul FROM every WHERE i = ? UNION ALL "
                                                 "SELECT set_ FROM every WHERE i = ?",
                                                 -42, -42),
              (std::vector<Poco::Nullable<std::string>>{Poco::Nullable<std::string>(),
                                                        Poco::Nullable<std::string>("set")}));
    EXPECT_EQ(queryOne<double>(session_, "SELECT d * ? FROM every WHERE i = -42", 3.0), 7.5);
}

TEST_F(StatementCacheTest, AQueryLeftBeforeItsLastRowLeavesNoStatementBusy) {
    const StatementScope scope(session_, cache_);
    for (const char* key : {"a", "b", "c"}) execute(session_, kInsert, key, 1);
    const std::optional<std::string> first =
        queryOne<std::string>(session_, "SELECT k FROM t WHERE n = ? ORDER BY k", 1);
    EXPECT_EQ(first, "a");
    expectIdleAndUnbound("secret");
    for (sqlite3_stmt* statement : liveStatements()) {
        EXPECT_EQ(sqlite3_stmt_busy(statement), 0) << sqlite3_sql(statement);
    }
    // A statement left stepping would hold the table: DROP TABLE would fail as locked.
    EXPECT_EQ(sqlite3_exec(db_, "DROP TABLE t", nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db_);
}

TEST_F(StatementCacheTest, AStatementKeepsNoValueAfterItsCall) {
    const StatementScope scope(session_, cache_);
    execute(session_, kInsert, "secret-key", 1);
    EXPECT_EQ(queryOne<int>(session_, "SELECT n FROM t WHERE k = ?", "secret-key"), 1);
    expectIdleAndUnbound("secret");
}

TEST_F(StatementCacheTest, TheSameSqlUsedTwiceAtOnceGetsASecondStatement) {
    const StatementScope scope(session_, cache_);
    for (const char* key : {"a", "b"}) execute(session_, kInsert, key, 1);
    const std::string sql = "SELECT k FROM t ORDER BY k";
    PreparedStatement outer(session_, sql);
    ASSERT_TRUE(outer.step());
    EXPECT_EQ(outer.columnText(0), "a");
    EXPECT_EQ(query<std::string>(session_, sql), (std::vector<std::string>{"a", "b"}));
    ASSERT_TRUE(outer.step());
    EXPECT_EQ(outer.columnText(0), "b");
    EXPECT_FALSE(outer.step());
}

TEST_F(StatementCacheTest, WithoutACacheInScopeACallPreparesAndFinalisesItsOwnStatement) {
    EXPECT_EQ(execute(session_, kInsert, "a", 1), 1u);
    EXPECT_EQ(queryOne<std::string>(session_, "SELECT k FROM t WHERE n = ?", 1), "a");
    EXPECT_EQ(cache_.size(), 0u);
    EXPECT_TRUE(liveStatements().empty());
}

TEST(StatementCacheInTheEngine, WritesAndReadsReuseTheirConnectionsStatements) {
    relais::test::TempDir dir;
    auto db = openSqlite(test::storeConfig(dir));
    const std::string select = "SELECT COUNT(*) FROM schema_migrations WHERE version >= ?";
    // The statements alive on the work's connection whose SQL is `select`.
    const auto prepared = [&](Session& session) {
        std::vector<sqlite3_stmt*> found;
        sqlite3* handle = Poco::Data::SQLite::Utility::dbHandle(session);
        for (sqlite3_stmt* s = sqlite3_next_stmt(handle, nullptr); s != nullptr;
             s = sqlite3_next_stmt(handle, s)) {
            if (select == sqlite3_sql(s)) found.push_back(s);
        }
        return found;
    };
    for (int round = 0; round < 3; ++round) {
        for (const auto& run :
             {std::function([&](const Database::Work& w) { return db->write(w); }),
              std::function([&](const Database::Work& w) { return db->read(w); })}) {
            auto done = run([&](Session& session) {
                EXPECT_EQ(queryOne<int>(session, select, 1), test::latestVersion());
                EXPECT_EQ(prepared(session).size(), 1u) << "round " << round;
            });
            ASSERT_TRUE(done) << done.error().message;
        }
    }
    // Errors still map as before: a constraint violation is a Conflict.
    auto twice = db->write([&](Session& session) {
        execute(session,
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", 1,
                "again", 0);
    });
    ASSERT_FALSE(twice);
    EXPECT_EQ(twice.error().code, sdk::ErrorCode::Conflict);
    EXPECT_NE(twice.error().message.find("UNIQUE constraint failed: schema_migrations.version"),
              std::string::npos)
        << twice.error().message;
}

}  // namespace
}  // namespace relais::store
