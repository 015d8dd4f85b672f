// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/store/store.h"

#include <string>
#include <utility>
#include <vector>

#include "relais/common/errors.h"
#include "relais/config/config.h"

#include "store/audit_queue.h"
#include "store/rows.h"

// The domain SQL of the Store is split by subject: dossiers and events in
// dossier_queries.cpp, the outbox in job_queries.cpp, acknowledgements and the pull inbox in
// acknowledgement_queries.cpp, subjects in subject_queries.cpp, attribute values in
// attribute_queries.cpp, erasure and purge in maintenance_queries.cpp, signature nonces in
// nonce_queries.cpp, the audit trail in audit_queries.cpp; this file holds the rest. All of it is
// portable SQL with `?` placeholders (no engine-specific syntax): an engine's own SQL lives
// with the engine (sqlite_database.cpp, sqlite_migrations.cpp).

namespace relais::store {

std::string idempotencyKey(std::string_view job_id) { return "rl-" + std::string(job_id); }

using detail::execute;
using detail::queryOne;

std::string_view toString(JobState state) noexcept {
    switch (state) {
        case JobState::Pending:
            return "pending";
        case JobState::Running:
            return "running";
        case JobState::Done:
            return "done";
        case JobState::Dead:
            return "dead";
        case JobState::AwaitingAck:
            return "awaiting_ack";
    }
    return "pending";
}

std::optional<JobState> parseJobState(std::string_view name) noexcept {
    for (JobState state : {JobState::Pending, JobState::Running, JobState::Done, JobState::Dead,
                           JobState::AwaitingAck}) {
        if (toString(state) == name) return state;
    }
    return std::nullopt;
}

std::unique_ptr<Store> Store::open(const config::StoreConfig& config) {
    if (config.engine == "sqlite") return std::make_unique<Store>(openSqlite(config));
    std::string where;
    if (!config.where.file.empty()) {
        where = config.where.file;
        if (config.where.line > 0) where += ":" + std::to_string(config.where.line);
        where += ": ";
    }
    if (config.engine == "postgresql") {
        throw StoreError(where +
                         "store engine 'postgresql' is not available in this build; "
                         "use 'sqlite'");
    }
    throw StoreError(where + "unknown store engine '" + config.engine +
                     "' (expected 'sqlite' or 'postgresql')");
}

Store::Store(std::unique_ptr<Database> database)
    : database_(std::move(database)), audit_queue_(std::make_unique<AuditQueue>()) {
    if (!database_) throw StoreError("Store needs a database engine");
}

Store::~Store() = default;

int Store::schemaVersion() {
    int version = -1;
    const auto read = database_->read([&version](Poco::Data::Session& session) {
        version = queryOne<int>(session, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
                      .value_or(0);
    });
    return read ? version : -1;
}

sdk::Result<void> Store::ping() {
    return database_->read([](Poco::Data::Session& session) {
        if (queryOne<int>(session, "SELECT 1").value_or(0) != 1) {
            throw WorkFailed(sdk::fail(sdk::ErrorCode::Unavailable, "the store did not answer"));
        }
    });
}

sdk::Result<std::string> Store::cursor(const std::string& owner) {
    std::string value;
    auto read = database_->read([&](Poco::Data::Session& session) {
        value = queryOne<std::string>(session, "SELECT value FROM cursors WHERE owner = ?", owner)
                    .value_or(std::string());
    });
    if (!read) return std::move(read).error();
    return value;
}

sdk::Result<void> Store::setCursor(const std::string& owner, const std::string& value) {
    if (owner.empty()) return sdk::fail(sdk::ErrorCode::InvalidArgument, "cursor owner is empty");
    const std::int64_t now = detail::nowMicros();
    return database_->write([&](Poco::Data::Session& session) {
        execute(session,
                "INSERT INTO cursors (owner, value, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (owner) DO UPDATE SET value = excluded.value, "
                "updated_at = excluded.updated_at",
                owner, value, now);
    });
}

void Store::setPushTargets(std::vector<std::string> targets) {
    const std::lock_guard lock(push_targets_mutex_);
    push_targets_ = std::move(targets);
}

void Store::dropPushTarget(const std::string& instance) {
    const std::lock_guard lock(push_targets_mutex_);
    std::erase(push_targets_, instance);
}

std::vector<std::string> Store::pushTargets() const {
    const std::lock_guard lock(push_targets_mutex_);
    return push_targets_;
}

}  // namespace relais::store
