// SPDX-License-Identifier: AGPL-3.0-or-later
// The SQLite engine: one writer thread with group commit, a pool of read connections.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <Poco/AutoPtr.h>
#include <Poco/Data/SQLite/SQLiteException.h>
#include <Poco/Data/SQLite/SessionImpl.h>
#include <Poco/Data/SQLite/Utility.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <pthread.h>
#include <sqlite3.h>

#include "relais/common/errors.h"
#include "relais/common/files.h"
#include "relais/config/config.h"
#include "relais/store/database.h"

#include "store/sqlite_migrations.h"
#include "store/statement_cache.h"

namespace relais::store {

Database::~Database() = default;

namespace {

using Poco::Data::Session;
using Poco::Data::Keywords::bind;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;

/// How long a connection waits for a lock held by another process (another relais on the
/// same file, an operator's sqlite3 shell) before giving up with SQLITE_BUSY.
constexpr int kBusyTimeoutMs = 5000;

/// The savepoint each write runs in. Names may repeat: each one is released before the next.
const std::string kSavepoint = "SAVEPOINT relais_work";
const std::string kReleaseSavepoint = "RELEASE relais_work";
const std::string kRollbackToSavepoint = "ROLLBACK TO relais_work";
const std::string kBegin = "BEGIN";
const std::string kBeginImmediate = "BEGIN IMMEDIATE";
const std::string kCommit = "COMMIT";
const std::string kRollback = "ROLLBACK";

std::int64_t nowMicros() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::uint64_t elapsedMicros(std::chrono::steady_clock::time_point since) {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                          std::chrono::steady_clock::now() - since)
                                          .count());
}

/// `file:line: ` of the <store> element when known, so that errors point at the config.
std::string where(const config::StoreConfig& config) {
    if (config.where.file.empty()) return {};
    std::string text = config.where.file;
    if (config.where.line > 0) text += ":" + std::to_string(config.where.line);
    return text + ": ";
}

/// Runs a statement without parameters or results on the raw handle (transaction control,
/// pragmas, migration scripts). Returns the SQLite error message, empty on success.
std::string execRaw(sqlite3* db, const char* sql) noexcept {
    char* message = nullptr;
    const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &message);
    if (rc == SQLITE_OK) return {};
    std::string text = message != nullptr ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    return text.empty() ? std::string("error ") + std::to_string(rc) : text;
}

/// One connection and the statements prepared on it.
struct Connection {
    std::unique_ptr<Session> session;  // declared first: closes after the statements go
    std::unique_ptr<detail::StatementCache> statements;
};

/// Runs transaction control (`BEGIN`, `SAVEPOINT`, `COMMIT`...: no parameters, no rows) on
/// `connection`, prepared once in its statement cache: the writer runs two of them per write
/// and two per commit, and `sqlite3_exec` would parse each one every time. The SQLite
/// error, empty on success.
std::string control(Connection& connection, const std::string& sql) noexcept {
    try {
        const detail::StatementScope scope(*connection.session, *connection.statements);
        detail::PreparedStatement statement(*connection.session, sql);
        statement.step();
        return {};
    } catch (const Poco::Exception& e) {
        return e.displayText();
    } catch (const std::exception& e) {
        return e.what();
    }
}

/// Turns whatever a `Work` threw into the caller's error. Constraint messages name the
/// constraint and its columns, never the values (every statement binds its parameters).
/// The work's statements come from the connection's cache.
sdk::Result<void> runWork(const Database::Work& work, Connection& connection) noexcept {
    try {
        const detail::StatementScope scope(*connection.session, *connection.statements);
        work(*connection.session);
        return sdk::ok();
    } catch (const WorkFailed& e) {
        return e.error();
    } catch (const Poco::Data::SQLite::ConstraintViolationException& e) {
        return sdk::fail(sdk::ErrorCode::Conflict, e.displayText());
    } catch (const Poco::Exception& e) {
        return sdk::fail(sdk::ErrorCode::Internal, "database error: " + e.displayText());
    } catch (const std::exception& e) {
        return sdk::fail(sdk::ErrorCode::Internal,
                         std::string("database work failed: ") + e.what());
    } catch (...) {
        return sdk::fail(sdk::ErrorCode::Internal, "database work failed: unknown exception");
    }
}

/// Opens one connection to `path` through Poco::Data without the global connector registry
/// (no `Connector::registerConnector`, so several engines and tests can coexist).
Connection openConnection(const std::string& path, const std::string& prefix) {
    try {
        Connection connection;
        connection.session = std::make_unique<Session>(
            Poco::AutoPtr<Poco::Data::SessionImpl>(new Poco::Data::SQLite::SessionImpl(path)));
        sqlite3* db = Poco::Data::SQLite::Utility::dbHandle(*connection.session);
        sqlite3_busy_timeout(db, kBusyTimeoutMs);
        connection.statements = std::make_unique<detail::StatementCache>(db);
        return connection;
    } catch (const Poco::Exception& e) {
        throw StoreError(prefix + "cannot open SQLite database '" + path + "': " + e.displayText());
    }
}

/// A write waiting for the writer thread. Lives on the caller's stack; the caller sleeps
/// until `done`. `done` and `cv` are guarded by `SqliteDatabase::queue_mutex_`; `result` is
/// written by the writer before it sets `done` under that mutex.
struct PendingWrite {
    const Database::Work* work = nullptr;
    sdk::Result<void> result;
    bool done = false;
    std::condition_variable cv;
};

class SqliteDatabase final : public Database {
public:
    explicit SqliteDatabase(const config::StoreConfig& config);
    ~SqliteDatabase() override;

    SqliteDatabase(const SqliteDatabase&) = delete;
    SqliteDatabase& operator=(const SqliteDatabase&) = delete;

    const Dialect& dialect() const noexcept override { return dialect_; }
    sdk::Result<void> write(const Work& work) override;
    sdk::Result<void> read(const Work& work) override;
    DatabaseStats stats() const noexcept override;

private:
    void configureWriter();
    void migrate();
    void writerLoop();
    void runBatch(std::vector<PendingWrite*>& batch);
    void fail(PendingWrite& pending, sdk::Error error);

    const std::string path_;
    const std::string prefix_;  // `file:line: ` of the config element, for start-up errors
    const Dialect dialect_{"sqlite"};
    const std::size_t max_batch_;

    // Used by the constructor, then only by the writer thread.
    Connection writer_;
    sqlite3* writer_db_ = nullptr;

    std::mutex queue_mutex_;  // guards queue_, stopping_ and PendingWrite::done
    std::condition_variable queue_cv_;
    std::deque<PendingWrite*> queue_;
    bool stopping_ = false;
    std::thread writer_thread_;
    std::thread::id writer_id_;

    std::mutex readers_mutex_;  // guards idle_readers_
    std::condition_variable readers_cv_;
    std::vector<Connection> readers_;  // fixed after construction
    std::vector<Connection*> idle_readers_;

    std::atomic<std::uint64_t> transactions_{0};
    std::atomic<std::uint64_t> commits_{0};
    std::atomic<std::uint64_t> failed_{0};
    std::atomic<std::uint64_t> queued_{0};
    std::atomic<std::uint64_t> write_wait_micros_{0};
    std::atomic<std::uint64_t> writer_busy_micros_{0};
};

SqliteDatabase::SqliteDatabase(const config::StoreConfig& config)
    : path_(config.path),
      prefix_(where(config)),
      max_batch_(static_cast<std::size_t>(std::max(1, config.max_batch))) {
    if (path_.empty()) throw StoreError(prefix_ + "store path is empty");
    if (path_.front() == ':' || path_.rfind("file:", 0) == 0) {
        // In-memory or URI databases would silently lose the durability promise.
        throw StoreError(prefix_ + "store path '" + path_ + "' must be a file path");
    }
    const std::filesystem::path parent = std::filesystem::path(path_).parent_path();
    if (!parent.empty()) {
        if (auto made = common::makeDirectories(parent.string()); !made) {
            throw StoreError(prefix_ + made.error().message);
        }
    }

    writer_ = openConnection(path_, prefix_);
    writer_db_ = writer_.statements->db();
    configureWriter();
    migrate();

    const int reader_count = std::max(1, config.read_connections);
    readers_.reserve(static_cast<std::size_t>(reader_count));  // idle_readers_ points into it
    for (int i = 0; i < reader_count; ++i) {
        Connection reader = openConnection(path_, prefix_);
        // A reader that tried to write would take the write lock behind the writer's back.
        if (const std::string error = execRaw(reader.statements->db(), "PRAGMA query_only = ON");
            !error.empty()) {
            throw StoreError(prefix_ + "cannot configure a reader of '" + path_ + "': " + error);
        }
        readers_.push_back(std::move(reader));
        idle_readers_.push_back(&readers_.back());
    }

    writer_thread_ = std::thread([this] { writerLoop(); });
    // Named for top -H, perf and gdb: the one thread every write waits on.
    pthread_setname_np(writer_thread_.native_handle(), "relais-store");
    writer_id_ = writer_thread_.get_id();
}

SqliteDatabase::~SqliteDatabase() {
    {
        std::lock_guard lock(queue_mutex_);
        stopping_ = true;
    }
    queue_cv_.notify_one();
    if (writer_thread_.joinable()) writer_thread_.join();
    // Readers first: the writer closes last and checkpoints the WAL into the database file.
    // Each connection finalises its statements before it closes.
    idle_readers_.clear();
    readers_.clear();
    writer_.statements.reset();
    writer_.session.reset();
}

void SqliteDatabase::configureWriter() {
    // journal_mode answers with the mode in force: a file on a filesystem without shared
    // memory support, for instance, stays in another mode, and group commit would then not
    // let readers run beside the writer.
    std::string mode;
    try {
        *writer_.session << "PRAGMA journal_mode = WAL", into(mode), now;
    } catch (const Poco::Exception& e) {
        throw StoreError(prefix_ + "cannot use '" + path_ +
                         "' as an SQLite database: " + e.displayText());
    }
    if (mode != "wal") {
        throw StoreError(prefix_ + "cannot enable WAL on '" + path_ + "' (journal mode is '" +
                         mode + "')");
    }
    for (const char* pragma : {"PRAGMA synchronous = FULL", "PRAGMA foreign_keys = ON"}) {
        if (const std::string error = execRaw(writer_db_, pragma); !error.empty()) {
            throw StoreError(prefix_ + "'" + pragma + "' failed on '" + path_ + "': " + error);
        }
    }
}

void SqliteDatabase::migrate() {
    const auto migrations = sqliteMigrations();
    const int latest = migrations.empty() ? 0 : migrations.back().version;
    const std::string context = prefix_ + "database '" + path_ + "': ";

    if (const std::string error = execRaw(writer_db_,
                                          "CREATE TABLE IF NOT EXISTS schema_migrations ("
                                          "version INTEGER PRIMARY KEY, "
                                          "name TEXT NOT NULL, "
                                          "applied_at INTEGER NOT NULL)");
        !error.empty()) {
        throw StoreError(context + "cannot create schema_migrations: " + error);
    }

    for (const Migration& migration : migrations) {
        const std::string label = "migration " + std::to_string(migration.version) + " (" +
                                  std::string(migration.name) + ")";
        // BEGIN IMMEDIATE: two processes starting on the same file apply each migration once.
        if (const std::string error = execRaw(writer_db_, "BEGIN IMMEDIATE"); !error.empty()) {
            throw StoreError(context + "cannot start " + label + ": " + error);
        }
        try {
            int highest = 0;
            int applied = 0;
            *writer_.session << "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                into(highest), now;
            if (highest > latest) {
                throw StoreError(context + "schema version " + std::to_string(highest) +
                                 " is newer than this relais, which knows versions up to " +
                                 std::to_string(latest) + "; run a newer relais");
            }
            *writer_.session << "SELECT COUNT(*) FROM schema_migrations WHERE version = ?",
                bind(migration.version), into(applied), now;
            if (applied == 0) {
                const std::string script(migration.sql);
                if (const std::string error = execRaw(writer_db_, script.c_str()); !error.empty()) {
                    throw StoreError(context + label + " failed: " + error);
                }
                *writer_.session << "INSERT INTO schema_migrations (version, name, applied_at) "
                                    "VALUES (?, ?, ?)",
                    bind(migration.version), bind(std::string(migration.name)), bind(nowMicros()),
                    now;
            }
            if (const std::string error = execRaw(writer_db_, "COMMIT"); !error.empty()) {
                throw StoreError(context + "cannot commit " + label + ": " + error);
            }
        } catch (const StoreError&) {
            execRaw(writer_db_, "ROLLBACK");
            throw;
        } catch (const Poco::Exception& e) {
            execRaw(writer_db_, "ROLLBACK");
            throw StoreError(context + label + " failed: " + e.displayText());
        }
    }
}

sdk::Result<void> SqliteDatabase::write(const Work& work) {
    if (std::this_thread::get_id() == writer_id_) {
        return sdk::fail(sdk::ErrorCode::Internal,
                         "Database::write called from inside a write (it would wait for itself)");
    }
    PendingWrite pending;
    pending.work = &work;
    const auto asked = std::chrono::steady_clock::now();
    std::unique_lock lock(queue_mutex_);
    if (stopping_) {
        return sdk::fail(sdk::ErrorCode::Unavailable, "the store is shutting down");
    }
    queue_.push_back(&pending);
    queued_.store(queue_.size(), std::memory_order_relaxed);
    queue_cv_.notify_one();
    pending.cv.wait(lock, [&pending] { return pending.done; });
    lock.unlock();
    write_wait_micros_.fetch_add(elapsedMicros(asked), std::memory_order_relaxed);
    return std::move(pending.result);
}

void SqliteDatabase::writerLoop() {
    std::vector<PendingWrite*> batch;
    batch.reserve(std::min<std::size_t>(max_batch_, 1024));
    for (;;) {
        {
            std::unique_lock lock(queue_mutex_);
            queue_cv_.wait(lock, [this] { return !queue_.empty() || stopping_; });
            if (queue_.empty()) return;  // stopping, and every queued write is done
            while (!queue_.empty() && batch.size() < max_batch_) {
                batch.push_back(queue_.front());
                queue_.pop_front();
            }
            queued_.store(queue_.size(), std::memory_order_relaxed);
        }
        const auto started = std::chrono::steady_clock::now();
        runBatch(batch);
        writer_busy_micros_.fetch_add(elapsedMicros(started), std::memory_order_relaxed);
        {
            // Wake callers under the mutex: once a caller sees `done` it destroys its
            // PendingWrite, so the writer must not touch it after releasing the lock.
            std::lock_guard lock(queue_mutex_);
            for (PendingWrite* pending : batch) {
                pending->done = true;
                pending->cv.notify_one();
            }
        }
        batch.clear();
    }
}

void SqliteDatabase::fail(PendingWrite& pending, sdk::Error error) {
    pending.result = std::move(error);
    failed_.fetch_add(1, std::memory_order_relaxed);
}

void SqliteDatabase::runBatch(std::vector<PendingWrite*>& batch) {
    // Works whose savepoint was released into the open transaction: they succeed only if
    // the COMMIT does.
    std::vector<PendingWrite*> in_transaction;
    in_transaction.reserve(batch.size());
    bool open = false;

    const auto lose_transaction = [&](const std::string& why) {
        for (PendingWrite* pending : in_transaction) {
            fail(*pending, sdk::fail(sdk::ErrorCode::Unavailable,
                                     "transaction rolled back (" + why + "); retry"));
        }
        in_transaction.clear();
        open = false;
    };

    for (PendingWrite* pending : batch) {
        transactions_.fetch_add(1, std::memory_order_relaxed);
        if (!open) {
            if (const std::string error = control(writer_, kBeginImmediate); !error.empty()) {
                fail(*pending, sdk::fail(sdk::ErrorCode::Unavailable,
                                         "cannot start a write transaction: " + error));
                continue;
            }
            open = true;
        }
        if (const std::string error = control(writer_, kSavepoint); !error.empty()) {
            fail(*pending,
                 sdk::fail(sdk::ErrorCode::Internal, "cannot open a savepoint: " + error));
            continue;
        }
        pending->result = runWork(*pending->work, writer_);
        if (pending->result.ok()) {
            if (const std::string error = control(writer_, kReleaseSavepoint); error.empty()) {
                in_transaction.push_back(pending);
                continue;
            } else {
                pending->result =
                    sdk::fail(sdk::ErrorCode::Internal, "cannot release a savepoint: " + error);
            }
        }
        failed_.fetch_add(1, std::memory_order_relaxed);
        if (sqlite3_get_autocommit(writer_db_) != 0) {
            // Some errors (I/O, disk full, out of memory) make SQLite roll back the whole
            // transaction itself: the works before this one in the batch are gone too.
            lose_transaction("an error in another write of the same batch aborted it");
            continue;
        }
        const std::string rollback_error = control(writer_, kRollbackToSavepoint);
        const std::string release_error = control(writer_, kReleaseSavepoint);
        if (!rollback_error.empty() || !release_error.empty()) {
            control(writer_, kRollback);
            lose_transaction("cannot roll back a failed write: " +
                             (rollback_error.empty() ? release_error : rollback_error));
        }
    }

    if (!open) return;
    if (const std::string error = control(writer_, kCommit); !error.empty()) {
        if (sqlite3_get_autocommit(writer_db_) == 0) control(writer_, kRollback);
        for (PendingWrite* pending : in_transaction) {
            fail(*pending, sdk::fail(sdk::ErrorCode::Internal, "commit failed: " + error));
        }
        return;
    }
    commits_.fetch_add(1, std::memory_order_relaxed);
}

sdk::Result<void> SqliteDatabase::read(const Work& work) {
    Connection* reader = nullptr;
    {
        std::unique_lock lock(readers_mutex_);
        readers_cv_.wait(lock, [this] { return !idle_readers_.empty(); });
        reader = idle_readers_.back();
        idle_readers_.pop_back();
    }
    sqlite3* db = reader->statements->db();

    sdk::Result<void> result;
    // One read transaction: every statement of the work sees the same snapshot.
    if (const std::string error = control(*reader, kBegin); !error.empty()) {
        result = sdk::fail(sdk::ErrorCode::Unavailable, "cannot start a read: " + error);
    } else {
        result = runWork(work, *reader);
        if (sqlite3_get_autocommit(db) == 0) control(*reader, kRollback);
    }

    {
        std::lock_guard lock(readers_mutex_);
        idle_readers_.push_back(reader);
    }
    readers_cv_.notify_one();
    return result;
}

DatabaseStats SqliteDatabase::stats() const noexcept {
    DatabaseStats stats;
    stats.transactions = transactions_.load(std::memory_order_relaxed);
    stats.commits = commits_.load(std::memory_order_relaxed);
    stats.failed = failed_.load(std::memory_order_relaxed);
    stats.queued = queued_.load(std::memory_order_relaxed);
    stats.write_wait_micros = write_wait_micros_.load(std::memory_order_relaxed);
    stats.writer_busy_micros = writer_busy_micros_.load(std::memory_order_relaxed);
    return stats;
}

}  // namespace

std::unique_ptr<Database> openSqlite(const config::StoreConfig& config) {
    // SQLite counts every allocation it makes under one global mutex unless told not to;
    // relais never reads those counts. Only possible before SQLite's first use in the
    // process (otherwise SQLITE_MISUSE, and the counting stays: no harm).
    static std::once_flag configured;
    std::call_once(configured, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
    return std::make_unique<SqliteDatabase>(config);
}

}  // namespace relais::store
