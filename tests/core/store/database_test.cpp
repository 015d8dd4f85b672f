// SPDX-License-Identifier: AGPL-3.0-or-later
// The SQLite engine: opening, migrations, group commit, savepoints, readers, durability.
#include "relais/store/database.h"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <iostream>
#include <latch>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <gtest/gtest.h>

#include "relais/common/errors.h"

#include "store_fixture.h"
#include "support/temp_dir.h"

namespace relais::store {
namespace {

using Poco::Data::Session;
using Poco::Data::Keywords::bind;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;
using test::latestVersion;
using test::Probe;
using test::storeConfig;

constexpr auto kDeadline = std::chrono::seconds(20);

/// Waits until `condition` holds or the deadline passes; returns whether it held.
bool waitUntil(const std::function<bool()>& condition) {
    const auto deadline = std::chrono::steady_clock::now() + kDeadline;
    while (!condition()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

void createTable(Database& db) {
    auto created = db.write([](Session& session) {
        session << "CREATE TABLE t (k TEXT PRIMARY KEY, writer INTEGER NOT NULL DEFAULT 0)", now;
    });
    ASSERT_TRUE(created) << created.error().message;
}

Database::Work insertKey(std::string key) {
    return [key](Session& session) { session << "INSERT INTO t (k) VALUES (?)", bind(key), now; };
}

const std::vector<std::string> kTables = {"schema_migrations",
                                          "dossiers",
                                          "raw_payloads",
                                          "attachments",
                                          "blobs",
                                          "events",
                                          "jobs",
                                          "links",
                                          "subjects",
                                          "attributes",
                                          "audit",
                                          "idempotency_keys",
                                          "cursors",
                                          "inbox_items",
                                          "nonces"};

// --- opening and migrations -----------------------------------------------------------------

TEST(SqliteDatabase, CreatesTheFileAndItsDirectoryInWalMode) {
    relais::test::TempDir dir;
    const auto config = storeConfig(dir);
    ASSERT_FALSE(std::filesystem::exists(std::filesystem::path(config.path).parent_path()));
    auto db = openSqlite(config);
    EXPECT_TRUE(std::filesystem::exists(config.path));
    EXPECT_EQ(db->dialect().name, "sqlite");
    Probe probe(config.path);
    EXPECT_EQ(probe.text("PRAGMA journal_mode"), "wal");
}

TEST(SqliteDatabase, MigratesAnEmptyDatabaseToTheWholeSchema) {
    relais::test::TempDir dir;
    const auto config = storeConfig(dir);
    auto db = openSqlite(config);
    Probe probe(config.path);
    EXPECT_EQ(probe.integer("SELECT MAX(version) FROM schema_migrations"), latestVersion());
    EXPECT_EQ(probe.text("SELECT name FROM schema_migrations WHERE version = 1"), "initial schema");
    EXPECT_GT(probe.integer("SELECT applied_at FROM schema_migrations WHERE version = 1"),
              1'700'000'000'000'000);
    for (const std::string& table : kTables) {
        EXPECT_EQ(probe.integer("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND "
                                "name = '" +
                                table + "'"),
                  1)
            << table;
    }
    for (const std::string index :
         {"events_source_key", "events_dossier", "jobs_claim", "links_business",
          "attributes_in_force", "attributes_subject", "audit_subject", "nonces_expiry"}) {
        EXPECT_EQ(probe.integer("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND "
                                "name = '" +
                                index + "'"),
                  1)
            << index;
    }
}

TEST(SqliteDatabase, ReopeningAMigratedDatabaseAppliesNothing) {
    relais::test::TempDir dir;
    const auto config = storeConfig(dir);
    openSqlite(config).reset();
    std::string applied_at;
    {
        Probe probe(config.path);
        applied_at = probe.text("SELECT applied_at FROM schema_migrations WHERE version = 1");
    }
    auto db = openSqlite(config);
    Probe probe(config.path);
    EXPECT_EQ(probe.integer("SELECT COUNT(*) FROM schema_migrations"), latestVersion());
    EXPECT_EQ(probe.text("SELECT applied_at FROM schema_migrations WHERE version = 1"), applied_at);
}

TEST(SqliteDatabase, RefusesADatabaseNewerThanTheBinary) {
    relais::test::TempDir dir;
    const auto config = storeConfig(dir);
    {
        auto db = openSqlite(config);
        auto added = db->write([](Session& session) {
            session << "INSERT INTO schema_migrations (version, name, applied_at) "
                       "VALUES (999, 'from the future', 0)",
                now;
        });
        ASSERT_TRUE(added) << added.error().message;
    }
    try {
        openSqlite(config);
        FAIL() << "a database at version 999 was accepted";
    } catch (const StoreError& e) {
        EXPECT_NE(e.displayText().find("999"), std::string::npos) << e.displayText();
        EXPECT_NE(e.displayText().find("newer"), std::string::npos) << e.displayText();
        EXPECT_NE(e.displayText().find(config.path), std::string::npos) << e.displayText();
    }
}

TEST(SqliteDatabase, RefusesAFileThatIsNotADatabase) {
    relais::test::TempDir dir;
    auto config = storeConfig(dir);
    config.path = dir.write("garbage.db", std::string(4096, 'x'));
    try {
        openSqlite(config);
        FAIL() << "a garbage file was accepted";
    } catch (const StoreError& e) {
        EXPECT_NE(e.displayText().find(config.path), std::string::npos) << e.displayText();
    }
}

TEST(SqliteDatabase, RefusesAnEmptyOrInMemoryPathNamingTheConfigLine) {
    relais::test::TempDir dir;
    auto config = storeConfig(dir);
    config.where.file = "/etc/relais/relais.xml";
    config.where.line = 12;
    config.path.clear();
    EXPECT_THROW(openSqlite(config), StoreError);
    config.path = ":memory:";
    try {
        openSqlite(config);
        FAIL() << "an in-memory database was accepted";
    } catch (const StoreError& e) {
        EXPECT_EQ(e.displayText().find("Store error: /etc/relais/relais.xml:12: "), 0u)
            << e.displayText();
    }
}

// --- group commit ---------------------------------------------------------------------------

TEST(SqliteDatabase, GroupCommitBatchesConcurrentWritesAndAnswersOnlyOnceCommitted) {
    relais::test::TempDir dir;
    const auto config = storeConfig(dir);
    auto db = openSqlite(config);
    createTable(*db);
    const DatabaseStats before = db->stats();

    constexpr int kThreads = 32;
    constexpr int kWritesPerThread = 20;
    std::atomic<int> failures{0};
    std::atomic<int> not_visible{0};
    std::latch start(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            start.arrive_and_wait();
            for (int i = 0; i < kWritesPerThread; ++i) {
                const std::string key = "w" + std::to_string(t) + "-" + std::to_string(i);
                auto written = db->write([&key, t](Session& session) {
                    session << "INSERT INTO t (k, writer) VALUES (?, ?)", bind(key), bind(t), now;
                });
                if (!written) {
                    ++failures;
                    continue;
                }
                // A connection of its own, opened after the answer: it sees only what is
                // committed to the file.
                Probe probe(config.path);
                if (probe.integer("SELECT COUNT(*) FROM t WHERE k = '" + key + "'") != 1) {
                    ++not_visible;
                }
            }
        });
    }
    for (auto& thread : threads) thread.join();

    const DatabaseStats after = db->stats();
    const auto writes = after.transactions - before.transactions;
    const auto commits = after.commits - before.commits;
    std::cout << "[ group commit ] " << writes << " writes from " << kThreads << " threads, "
              << commits << " commits ("
              << static_cast<double>(writes) / static_cast<double>(commits)
              << " writes per commit)\n";
    RecordProperty("writes", static_cast<int>(writes));
    RecordProperty("commits", static_cast<int>(commits));
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(not_visible.load(), 0);
    EXPECT_EQ(writes, static_cast<std::uint64_t>(kThreads * kWritesPerThread));
    EXPECT_LT(commits, writes);
    EXPECT_EQ(after.failed, before.failed);
    EXPECT_EQ(after.queued, 0u);
    Probe probe(config.path);
    EXPECT_EQ(probe.integer("SELECT COUNT(*) FROM t"), kThreads * kWritesPerThread);
}

/// Runs `first` on the writer, holding it until `others` writes are queued behind it, then
/// lets them go; returns the results of the others in order.
std::vector<sdk::Result<void>> writeBehindABlockedWrite(Database& db,
                                                        std::vector<Database::Work> others) {
    std::atomic<bool> first_running{false};
    std::atomic<bool> all_queued{false};
    const std::size_t expected = others.size();
    std::thread first([&] {
        auto written = db.write([&](Session& session) {
            first_running = true;
            all_queued = waitUntil([&] { return db.stats().queued == expected; });
            session << "INSERT INTO t (k) VALUES ('first')", now;
        });
        EXPECT_TRUE(written);
    });
    EXPECT_TRUE(waitUntil([&] { return first_running.load(); }));

    std::vector<sdk::Result<void>> results(others.size());
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < others.size(); ++i) {
        threads.emplace_back([&, i] { results[i] = db.write(others[i]); });
    }
    for (auto& thread : threads) thread.join();
    first.join();
    EXPECT_TRUE(all_queued.load()) << "the other writes never all queued up";
    return results;
}

TEST(SqliteDatabase, WritesQueuedDuringACommitShareTheNextOne) {
    relais::test::TempDir dir;
    auto db = openSqlite(storeConfig(dir));
    createTable(*db);
    const DatabaseStats before = db->stats();
    std::vector<Database::Work> others;
    for (int i = 0; i < 24; ++i) others.push_back(insertKey("k" + std::to_string(i)));
    for (const auto& result : writeBehindABlockedWrite(*db, others)) EXPECT_TRUE(result);
    const DatabaseStats after = db->stats();
    EXPECT_EQ(after.transactions - before.transactions, 25u);
    EXPECT_EQ(after.commits - before.commits, 2u);  // the blocked one, then all the others
}

TEST(SqliteDatabase, ABatchHoldsAtMostMaxBatchWrites) {
    relais::test::TempDir dir;
    auto config = storeConfig(dir);
    config.max_batch = 4;
    auto db = openSqlite(config);
    createTable(*db);
    const DatabaseStats before = db->stats();
    std::vector<Database::Work> others;
    for (int i = 0; i < 12; ++i) others.push_back(insertKey("k" + std::to_string(i)));
    for (const auto& result : writeBehindABlockedWrite(*db, others)) EXPECT_TRUE(result);
    EXPECT_EQ(db->stats().commits - before.commits, 4u);  // 1, then 4 + 4 + 4
}

TEST(SqliteDatabase, AFailingWriteRollsBackAloneAndTheRestOfItsBatchCommits) {
    relais::test::TempDir dir;
    const auto config = storeConfig(dir);
    auto db = openSqlite(config);
    createTable(*db);
    ASSERT_TRUE(db->write(insertKey("secret-value-42")));
    const DatabaseStats before = db->stats();

    std::vector<Database::Work> works;
    works.push_back(insertKey("a"));
    works.push_back([](Session& session) {
        session << "INSERT INTO t (k) VALUES ('b')", now;
        throw std::runtime_error("mapping exploded");
    });
    works.push_back(insertKey("secret-value-42"));  // primary key taken
    works.push_back([](Session& session) {
        session << "INSERT INTO t (k) VALUES ('c')", now;
        throw WorkFailed(sdk::fail(sdk::ErrorCode::NotFound, "job j-1 not found", "id"));
    });
    works.push_back([](Session& session) {
        session << "INSERT INTO t (nope) VALUES ('x')", now;  // not a column
    });
    works.push_back(insertKey("d"));
    const auto results = writeBehindABlockedWrite(*db, works);

    ASSERT_EQ(results.size(), 6u);
    EXPECT_TRUE(results[0]);
    ASSERT_FALSE(results[1]);
    EXPECT_EQ(results[1].error().code, sdk::ErrorCode::Internal);
    EXPECT_NE(results[1].error().message.find("mapping exploded"), std::string::npos);
    ASSERT_FALSE(results[2]);
    EXPECT_EQ(results[2].error().code, sdk::ErrorCode::Conflict);
    EXPECT_NE(results[2].error().message.find("UNIQUE constraint failed: t.k"), std::string::npos)
        << results[2].error().message;
    EXPECT_EQ(results[2].error().message.find("secret-value-42"), std::string::npos)
        << "the error message leaks the value: " << results[2].error().message;
    ASSERT_FALSE(results[3]);
    EXPECT_EQ(results[3].error().code, sdk::ErrorCode::NotFound);
    EXPECT_EQ(results[3].error().field, "id");
    ASSERT_FALSE(results[4]);
    EXPECT_EQ(results[4].error().code, sdk::ErrorCode::Internal);
    EXPECT_NE(results[4].error().message.find("nope"), std::string::npos);
    EXPECT_TRUE(results[5]);

    Probe probe(config.path);
    EXPECT_EQ(probe.integer("SELECT COUNT(*) FROM t WHERE k IN ('a', 'd', 'first')"), 3);
    EXPECT_EQ(probe.integer("SELECT COUNT(*) FROM t WHERE k IN ('b', 'c', 'x')"), 0);
    const DatabaseStats after = db->stats();
    EXPECT_EQ(after.commits - before.commits, 2u);
    EXPECT_EQ(after.transactions - before.transactions, 7u);
    EXPECT_EQ(after.failed - before.failed, 4u);
}

TEST(SqliteDatabase, AWorkCannotWriteFromInsideAWrite) {
    relais::test::TempDir dir;
    auto db = openSqlite(storeConfig(dir));
    createTable(*db);
    sdk::Result<void> inner;
    auto outer = db->write([&](Session& session) {
        inner = db->write(insertKey("inner"));
        session << "INSERT INTO t (k) VALUES ('outer')", now;
    });
    EXPECT_TRUE(outer);
    ASSERT_FALSE(inner);
    EXPECT_EQ(inner.error().code, sdk::ErrorCode::Internal);
}

// --- readers --------------------------------------------------------------------------------

TEST(SqliteDatabase, ReadersSeeCommittedDataAndCannotWrite) {
    relais::test::TempDir dir;
    auto db = openSqlite(storeConfig(dir));
    createTable(*db);
    ASSERT_TRUE(db->write(insertKey("a")));
    int count = -1;
    auto read =
        db->read([&](Session& session) { session << "SELECT COUNT(*) FROM t", into(count), now; });
    ASSERT_TRUE(read) << read.error().message;
    EXPECT_EQ(count, 1);

    auto wrote = db->read(insertKey("sneaky"));
    ASSERT_FALSE(wrote);
    EXPECT_EQ(wrote.error().code, sdk::ErrorCode::Internal);

    auto refused = db->read(
        [](Session&) { throw WorkFailed(sdk::fail(sdk::ErrorCode::NotFound, "no such dossier")); });
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, sdk::ErrorCode::NotFound);
}

TEST(SqliteDatabase, ReadsDoNotWaitForAnOpenWriteTransaction) {
    relais::test::TempDir dir;
    auto db = openSqlite(storeConfig(dir));
    createTable(*db);
    ASSERT_TRUE(db->write(insertKey("committed")));

    std::atomic<bool> writer_inside{false};
    std::atomic<bool> release{false};
    std::thread writer([&] {
        auto written = db->write([&](Session& session) {
            session << "INSERT INTO t (k) VALUES ('uncommitted')", now;
            writer_inside = true;
            EXPECT_TRUE(waitUntil([&] { return release.load(); }));
        });
        EXPECT_TRUE(written);
    });
    ASSERT_TRUE(waitUntil([&] { return writer_inside.load(); }));

    // The writer holds the write lock with an insert pending: readers go on, on the last
    // committed snapshot.
    std::vector<std::string> keys;
    auto read = db->read(
        [&](Session& session) { session << "SELECT k FROM t ORDER BY k", into(keys), now; });
    release = true;
    writer.join();
    ASSERT_TRUE(read) << read.error().message;
    EXPECT_EQ(keys, std::vector<std::string>{"committed"});
}

TEST(SqliteDatabase, ConcurrentReadersShareThePool) {
    relais::test::TempDir dir;
    auto config = storeConfig(dir);
    config.read_connections = 2;
    auto db = openSqlite(config);
    createTable(*db);
    ASSERT_TRUE(db->write(insertKey("a")));
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 50; ++i) {
                int count = 0;
                auto read = db->read([&](Session& session) {
                    session << "SELECT COUNT(*) FROM t", into(count), now;
                });
                if (read && count == 1) ++ok;
            }
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(ok.load(), 400);
}

// --- durability -----------------------------------------------------------------------------

TEST(SqliteDatabase, AcknowledgedWritesSurviveAReopen) {
    relais::test::TempDir dir;
    const auto config = storeConfig(dir);
    {
        auto db = openSqlite(config);
        createTable(*db);
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([&, t] {
                for (int i = 0; i < 25; ++i) {
                    EXPECT_TRUE(db->write(insertKey(std::to_string(t) + "/" + std::to_string(i))));
                }
            });
        }
        for (auto& thread : threads) thread.join();
    }
    auto db = openSqlite(config);
    int count = 0;
    ASSERT_TRUE(
        db->read([&](Session& session) { session << "SELECT COUNT(*) FROM t", into(count), now; }));
    EXPECT_EQ(count, 100);
}

}  // namespace
}  // namespace relais::store
