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
using detail::loadJob;
using detail::query;
using detail::queryOne;
using detail::requireHeld;

namespace {

std::string selectJobs(const char* rest) {
    return std::string("SELECT ") + detail::kJobColumns + " FROM jobs " + rest;
}

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
        // Due jobs first, then jobs whose worker vanished (lease expired). A push waits
        // until the earlier pushes of its dossier are done or dead: the portal sees the
        // dossier's events in order.
        std::vector<std::string> ids = query<std::string>(
            session,
            "SELECT id FROM jobs WHERE state = 'pending' AND next_attempt_at <= ? AND "
            "(kind <> 'push' OR NOT EXISTS (SELECT 1 FROM jobs AS earlier WHERE "
            "earlier.dossier_id = jobs.dossier_id AND earlier.kind = 'push' AND "
            "earlier.push_seq < jobs.push_seq AND "
            "earlier.state IN ('pending', 'running', 'awaiting_ack'))) "
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
        detail::completeHeldJob(session, job, link, now, pushTargets());
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
        sdk::Event failed = detail::outcomeEvent(job, sdk::event_type::kDeliveryFailed, now);
        failed.payload.set("error", reason);
        failed.payload.set("attempts", job.attempts);
        detail::insertEvent(session, failed, std::string(detail::kRelaisSource), now);
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

sdk::Result<int> Store::releaseRunningJobs(std::int64_t now) {
    int released = 0;
    auto written = database_->write([&](Poco::Data::Session& session) {
        released = static_cast<int>(
            execute(session,
                    "UPDATE jobs SET state = 'pending', next_attempt_at = ?, claimed_by = '', "
                    "lease_until = 0, updated_at = ? WHERE state = 'running'",
                    now, now));
    });
    if (!written) return std::move(written).error();
    return released;
}

sdk::Result<std::vector<std::string>> Store::addJobs(const std::string& dossier_id,
                                                     const std::vector<NewJob>& jobs,
                                                     std::int64_t now) {
    std::vector<std::string> ids;
    auto written = database_->write([&](Poco::Data::Session& session) {
        ids.clear();
        if (!queryOne<std::string>(session, "SELECT id FROM dossiers WHERE id = ?", dossier_id)) {
            throw WorkFailed(
                sdk::fail(sdk::ErrorCode::NotFound, "dossier " + dossier_id + " not found", "id"));
        }
        for (const NewJob& job : jobs) {
            if (job.kind.empty() || job.target.empty()) {
                throw WorkFailed(sdk::fail(sdk::ErrorCode::InvalidArgument,
                                           "a job needs a kind and a target", "jobs"));
            }
            ids.push_back(common::uuidV7());
            detail::insertJob(session, ids.back(), dossier_id, job, now);
        }
    });
    if (!written) return std::move(written).error();
    return ids;
}

sdk::Result<std::vector<std::pair<JobState, std::int64_t>>> Store::jobCounts() {
    std::vector<std::pair<JobState, std::int64_t>> counts;
    auto read = database_->read([&](Poco::Data::Session& session) {
        using Row = Poco::Tuple<std::string, std::int64_t>;
        for (const Row& row :
             query<Row>(session, "SELECT state, COUNT(*) FROM jobs GROUP BY state")) {
            if (const auto state = parseJobState(row.get<0>())) {
                counts.emplace_back(*state, row.get<1>());
            }
        }
    });
    if (!read) return std::move(read).error();
    return counts;
}

}  // namespace relais::store
