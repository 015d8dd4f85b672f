// SPDX-License-Identifier: AGPL-3.0-or-later
// Store operations on the outbox: claiming, completing, retrying, killing, replaying jobs.
#include <string>
#include <utility>
#include <vector>

#include "relais/common/crypto.h"
#include "relais/store/store.h"

#include "store/rows.h"

namespace relais::store {

using detail::execute;
using detail::query;
using detail::queryOne;

namespace {

std::string selectJobs(const char* rest) {
    return std::string("SELECT ") + detail::kJobColumns + " FROM jobs " + rest;
}

/// The job `id`, or a `NotFound` failure of the current work.
Job loadJob(Poco::Data::Session& session, const std::string& id) {
    auto row = queryOne<detail::JobRow>(session, selectJobs("WHERE id = ?"), id);
    if (!row) {
        throw WorkFailed(sdk::fail(sdk::ErrorCode::NotFound, "job " + id + " not found", "id"));
    }
    return detail::toJob(*row);
}

/// A job that a worker holds: running (leased) or waiting for a pull-mode acknowledgement.
void requireHeld(const Job& job, std::string_view operation) {
    if (job.state == JobState::Running || job.state == JobState::AwaitingAck) return;
    throw WorkFailed(sdk::fail(sdk::ErrorCode::Conflict, "cannot " + std::string(operation) +
                                                             " job " + job.id + ": it is " +
                                                             std::string(toString(job.state))));
}

/// The event that records what became of a job in its dossier's log.
sdk::Event outcomeEvent(const Job& job, std::string_view type, std::int64_t now) {
    sdk::Event event;
    event.id = common::uuidV4();
    event.dossier_id = job.dossier_id;
    event.type = std::string(type);
    event.side = sdk::EventSide::Relais;
    event.occurred_at = sdk::Timestamp{now, 0};
    event.actor = job.target;
    event.payload = sdk::Json::object();
    event.payload.set("job_id", job.id);
    event.payload.set("kind", job.kind);
    event.payload.set("route", job.route);
    event.payload.set("target", job.target);
    if (!job.event_id.empty()) event.payload.set("event_id", job.event_id);
    return event;
}

/// Source of the events relais itself records.
constexpr std::string_view kRelaisSource = "relais";

}  // namespace

sdk::Result<std::vector<Job>> Store::claimJobs(const std::string& worker, std::int64_t now,
                                               std::int64_t lease_until, int limit) {
    if (worker.empty()) {
        return sdk::fail(sdk::ErrorCode::InvalidArgument, "worker name is empty", "worker");
    }
    if (limit <= 0) return std::vector<Job>{};
    std::vector<Job> claimed;
    auto written = database_->write([&](Poco::Data::Session& session) {
        claimed.clear();
        // Due jobs first, then jobs whose worker vanished (lease expired).
        std::vector<std::string> ids = query<std::string>(
            session,
            "SELECT id FROM jobs WHERE state = 'pending' AND next_attempt_at <= ? "
            "ORDER BY next_attempt_at, created_at LIMIT ?",
            now, limit);
        if (static_cast<int>(ids.size()) < limit) {
            for (std::string& id : query<std::string>(
                     session,
                     "SELECT id FROM jobs WHERE state = 'running' AND lease_until <= ? "
                     "ORDER BY lease_until LIMIT ?",
                     now, limit - static_cast<int>(ids.size()))) {
                ids.push_back(std::move(id));
            }
        }
        for (const std::string& id : ids) {
            // The condition is checked again by the UPDATE itself, so that an engine with
            // several writers cannot hand one job to two workers: the second UPDATE finds the
            // job already running under a fresh lease and changes nothing.
            const std::size_t changed =
                execute(session,
                        "UPDATE jobs SET state = 'running', claimed_by = ?, lease_until = ?, "
                        "attempts = attempts + 1, updated_at = ? WHERE id = ? AND "
                        "((state = 'pending' AND next_attempt_at <= ?) OR "
                        "(state = 'running' AND lease_until <= ?))",
                        worker, lease_until, now, id, now, now);
            if (changed == 1) claimed.push_back(loadJob(session, id));
        }
    });
    if (!written) return std::move(written).error();
    return claimed;
}

sdk::Result<void> Store::completeJob(const std::string& job_id, const Link& link,
                                     std::int64_t now) {
    return database_->write([&](Poco::Data::Session& session) {
        const Job job = loadJob(session, job_id);
        requireHeld(job, "complete");
        if (!link.dossier_id.empty() && link.dossier_id != job.dossier_id) {
            throw WorkFailed(sdk::fail(sdk::ErrorCode::InvalidArgument,
                                       "link is for dossier " + link.dossier_id + ", job " +
                                           job.id + " for dossier " + job.dossier_id,
                                       "dossier_id"));
        }
        execute(session,
                "UPDATE jobs SET state = 'done', claimed_by = '', lease_until = 0, "
                "last_error = '', updated_at = ? WHERE id = ?",
                now, job.id);
        sdk::Event delivered = outcomeEvent(job, sdk::event_type::kDelivered, now);
        if (!link.business_id.empty()) {
            const std::string& target = link.target.empty() ? job.target : link.target;
            execute(session,
                    "INSERT INTO links (dossier_id, target, business_id, display_id, created_at) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (dossier_id, target) DO UPDATE SET "
                    "business_id = excluded.business_id, display_id = excluded.display_id",
                    job.dossier_id, target, link.business_id, link.display_id,
                    link.created_at != 0 ? link.created_at : now);
            delivered.payload.set("business_id", link.business_id);
            if (!link.display_id.empty()) delivered.payload.set("display_id", link.display_id);
        }
        detail::insertEvent(session, delivered, std::string(kRelaisSource), now);
    });
}

sdk::Result<void> Store::retryJob(const std::string& job_id, std::int64_t next_attempt_at,
                                  const std::string& error, std::int64_t now) {
    return database_->write([&](Poco::Data::Session& session) {
        const Job job = loadJob(session, job_id);
        requireHeld(job, "retry");
        execute(session,
                "UPDATE jobs SET state = 'pending', next_attempt_at = ?, last_error = ?, "
                "claimed_by = '', lease_until = 0, updated_at = ? WHERE id = ?",
                next_attempt_at, error, now, job.id);
    });
}

sdk::Result<void> Store::killJob(const std::string& job_id, const std::string& reason,
                                 std::int64_t now) {
    return database_->write([&](Poco::Data::Session& session) {
        const Job job = loadJob(session, job_id);
        if (job.state == JobState::Done || job.state == JobState::Dead) {
            throw WorkFailed(sdk::fail(
                sdk::ErrorCode::Conflict,
                "cannot kill job " + job.id + ": it is " + std::string(toString(job.state))));
        }
        execute(session,
                "UPDATE jobs SET state = 'dead', last_error = ?, claimed_by = '', "
                "lease_until = 0, updated_at = ? WHERE id = ?",
                reason, now, job.id);
        sdk::Event failed = outcomeEvent(job, sdk::event_type::kDeliveryFailed, now);
        failed.payload.set("error", reason);
        failed.payload.set("attempts", job.attempts);
        detail::insertEvent(session, failed, std::string(kRelaisSource), now);
    });
}

sdk::Result<bool> Store::replayJob(const std::string& job_id, std::int64_t now) {
    bool replayed = false;
    auto written = database_->write([&](Poco::Data::Session& session) {
        const Job job = loadJob(session, job_id);
        replayed = false;
        if (job.state != JobState::Dead && job.state != JobState::Done) return;
        // A replay starts a fresh retry budget; the idempotency key stays, so a target that
        // already applied the job recognises it.
        execute(session,
                "UPDATE jobs SET state = 'pending', attempts = 0, next_attempt_at = ?, "
                "claimed_by = '', lease_until = 0, updated_at = ? WHERE id = ?",
                now, now, job.id);
        replayed = true;
    });
    if (!written) return std::move(written).error();
    return replayed;
}

sdk::Result<std::optional<Job>> Store::findJob(const std::string& job_id) {
    std::optional<Job> job;
    auto read = database_->read([&](Poco::Data::Session& session) {
        if (auto row = queryOne<detail::JobRow>(session, selectJobs("WHERE id = ?"), job_id)) {
            job = detail::toJob(*row);
        }
    });
    if (!read) return std::move(read).error();
    return job;
}

sdk::Result<std::vector<Job>> Store::jobs(std::optional<JobState> state, int limit) {
    if (limit <= 0) {
        return sdk::fail(sdk::ErrorCode::InvalidArgument, "limit must be positive", "limit");
    }
    std::vector<Job> jobs;
    auto read = database_->read([&](Poco::Data::Session& session) {
        const std::vector<detail::JobRow> rows =
            state ? query<detail::JobRow>(
                        session, selectJobs("WHERE state = ? ORDER BY created_at, id LIMIT ?"),
                        toString(*state), limit)
                  : query<detail::JobRow>(session, selectJobs("ORDER BY created_at, id LIMIT ?"),
                                          limit);
        for (const auto& row : rows) jobs.push_back(detail::toJob(row));
    });
    if (!read) return std::move(read).error();
    return jobs;
}

sdk::Result<std::vector<Job>> Store::jobsOfDossier(const std::string& dossier_id) {
    std::vector<Job> jobs;
    auto read = database_->read([&](Poco::Data::Session& session) {
        for (const auto& row : query<detail::JobRow>(
                 session, selectJobs("WHERE dossier_id = ? ORDER BY created_at, id"), dossier_id)) {
            jobs.push_back(detail::toJob(row));
        }
    });
    if (!read) return std::move(read).error();
    return jobs;
}

}  // namespace relais::store
