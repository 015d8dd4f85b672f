// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "relais/sdk/result.h"

namespace Poco::Data {
class Session;
}

namespace relais::config {
struct StoreConfig;
}

/// @file
/// `Database`: the engine under the `Store`. It owns connections and transactions; the
/// `Store` above it owns the SQL of the domain. A new engine (PostgreSQL) implements this
/// interface and its own migrations; no caller of `Store` changes.

namespace relais::store {

/// Counters that show group commit at work.
struct DatabaseStats {
    std::uint64_t transactions = 0;  ///< write transactions run (committed or rolled back)
    std::uint64_t commits = 0;       ///< physical commits (each one fsync)
    std::uint64_t failed = 0;        ///< transactions rolled back
    std::uint64_t queued = 0;        ///< writes waiting for the writer right now
    /// Sum over write transactions of the time from `write` to its answer (queue, run,
    /// commit and fsync): divided by `transactions`, what a request waits per write.
    std::uint64_t write_wait_micros = 0;
    /// Time the writer spent running transactions and committing them: divided by the
    /// elapsed time, how busy the one writer is.
    std::uint64_t writer_busy_micros = 0;
};

/// SQL dialect differences the domain SQL needs to know about.
struct Dialect {
    std::string name;  ///< `sqlite`, `postgresql`
};

/// Thrown by a `Work` to give up: its savepoint is rolled back and `write`/`read` return
/// `error` unchanged (e.g. `NotFound` for a job that does not exist), instead of the
/// engine's own `Conflict`/`Internal` mapping of other exceptions.
class WorkFailed : public std::exception {
public:
    explicit WorkFailed(sdk::Error error) : error_(std::move(error)) {}
    const char* what() const noexcept override { return error_.message.c_str(); }
    const sdk::Error& error() const noexcept { return error_; }

private:
    sdk::Error error_;
};

/// Threading: every method may be called from any thread, concurrently, except that a
/// `Work` must not call `write` (it would wait for itself; such a call returns `Internal`).
/// The destructor must not run while a call is in progress; it finishes every write already
/// queued before it returns.
class Database {
public:
    using Work = std::function<void(Poco::Data::Session&)>;

    virtual ~Database();

    virtual const Dialect& dialect() const noexcept = 0;

    /// Runs `work` inside a write transaction and returns once that transaction is durably
    /// committed (on SQLite: WAL, `synchronous=FULL`). Concurrent callers are batched into
    /// one physical commit (group commit); each caller's work runs in its own savepoint, so
    /// an exception thrown by one `work` rolls back that work only and is returned as its
    /// error (`Conflict` for a constraint violation, `Internal` otherwise). Never throws.
    virtual sdk::Result<void> write(const Work& work) = 0;

    /// Runs `work` on a read connection, in a read transaction (one consistent snapshot of
    /// committed data), concurrently with the writer and other readers. Errors as for
    /// `write`. Never throws.
    virtual sdk::Result<void> read(const Work& work) = 0;

    virtual DatabaseStats stats() const noexcept = 0;
};

/// Opens the SQLite engine: creates the file and its directory if needed, sets WAL and
/// `synchronous=FULL`, applies the pending schema migrations, starts the writer thread and
/// opens `config.read_connections` read-only connections. Throws `StoreError` (the message
/// names the file): unopenable file, failed migration, or a database whose schema is newer
/// than this binary.
std::unique_ptr<Database> openSqlite(const config::StoreConfig& config);

}  // namespace relais::store
