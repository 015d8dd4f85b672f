// SPDX-License-Identifier: AGPL-3.0-or-later
// Store operations for deliveries the application confirms later: acknowledgement files
// read back by a connector's poll, and the pull inbox of applications that fetch their
// dossiers themselves.
#include <string>
#include <utility>
#include <vector>

#include "relais/store/store.h"

#include "store/rows.h"

namespace relais::store {

using detail::execute;
using detail::loadJob;
using detail::query;
using detail::queryOne;
using detail::requireHeld;

sdk::Result<void> Store::awaitAcknowledgement(const std::string& job_id, const Link& link,
                                              std::int64_t now) {
    return database_->write([&](Poco::Data::Session& session) {
        const Job job = loadJob(session, job_id);
        requireHeld(job, "await an acknowledgement for");
        detail::upsertLink(session, job, link, now);
        execute(session,
                "UPDATE jobs SET state = 'awaiting_ack', claimed_by = '', lease_until = 0, "
                "last_error = '', updated_at = ? WHERE id = ?",
                now, job.id);
    });
}

sdk::Result<bool> Store::acknowledge(const std::string& dossier_id, const std::string& target,
                                     const Link& link, std::int64_t now) {
    bool acknowledged = false;
    auto written = database_->write([&](Poco::Data::Session& session) {
        acknowledged = false;
        const auto id = queryOne<std::string>(
            session,
            "SELECT id FROM jobs WHERE dossier_id = ? AND target = ? AND state = 'awaiting_ack' "
            "ORDER BY created_at, id LIMIT 1",
            dossier_id, target);
        if (!id) return;
        detail::completeHeldJob(session, loadJob(session, *id), link, now, pushTargets());
        acknowledged = true;
    });
    if (!written) return std::move(written).error();
    return acknowledged;
}

sdk::Result<void> Store::putInInbox(const std::string& job_id, const std::string& content_type,
                                    const std::string& payload, std::int64_t now) {
    return database_->write([&](Poco::Data::Session& session) {
        const Job job = loadJob(session, job_id);
        if (job.state != JobState::Running) {
            throw WorkFailed(sdk::fail(sdk::ErrorCode::Conflict,
                                       "cannot put job " + job.id + " in an inbox: it is " +
                                           std::string(toString(job.state))));
        }
        // A replayed job replaces its earlier, unacknowledged item.
        execute(session,
                "INSERT INTO inbox_items (job_id, target, dossier_id, route, content_type, "
                "payload, created_at, acked_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0) "
                "ON CONFLICT (job_id) DO UPDATE SET content_type = excluded.content_type, "
                "payload = excluded.payload, created_at = excluded.created_at, acked_at = 0",
                job.id, job.target, job.dossier_id, job.route, content_type, payload, now);
        execute(session,
                "UPDATE jobs SET state = 'awaiting_ack', claimed_by = '', lease_until = 0, "
                "last_error = '', updated_at = ? WHERE id = ?",
                now, job.id);
    });
}

sdk::Result<std::vector<InboxItem>> Store::inbox(const std::string& target, int limit) {
    if (limit <= 0) {
        return sdk::fail(sdk::ErrorCode::InvalidArgument, "limit must be positive", "limit");
    }
    std::vector<InboxItem> items;
    auto read = database_->read([&](Poco::Data::Session& session) {
        using Row = Poco::Tuple<std::string, std::string, std::string, std::string, std::string,
                                std::int64_t>;
        for (const Row& row :
             query<Row>(session,
                        "SELECT job_id, dossier_id, route, content_type, payload, created_at "
                        "FROM inbox_items WHERE target = ? AND acked_at = 0 "
                        "ORDER BY created_at, job_id LIMIT ?",
                        target, limit)) {
            items.push_back(InboxItem{row.get<0>(), row.get<1>(), row.get<2>(), row.get<3>(),
                                      row.get<4>(), row.get<5>()});
        }
    });
    if (!read) return std::move(read).error();
    return items;
}

sdk::Result<InboxAckOutcome> Store::acknowledgeInbox(const std::string& target,
                                                     const std::vector<InboxAck>& acks,
                                                     std::int64_t now) {
    InboxAckOutcome outcome;
    auto written = database_->write([&](Poco::Data::Session& session) {
        outcome = InboxAckOutcome{};
        for (const InboxAck& ack : acks) {
            const auto acked_at = queryOne<std::int64_t>(
                session, "SELECT acked_at FROM inbox_items WHERE job_id = ? AND target = ?",
                ack.job_id, target);
            if (!acked_at) {
                outcome.unknown.push_back(ack.job_id);
                continue;
            }
            if (*acked_at != 0) {
                outcome.already.push_back(ack.job_id);
                continue;
            }
            const Job job = loadJob(session, ack.job_id);
            Link link;
            link.business_id = ack.business_id;
            link.display_id = ack.display_id;
            detail::completeHeldJob(session, job, link, now, pushTargets());
            execute(session, "UPDATE inbox_items SET acked_at = ? WHERE job_id = ?", now,
                    ack.job_id);
            outcome.acknowledged.push_back(ack.job_id);
        }
    });
    if (!written) return std::move(written).error();
    return outcome;
}

}  // namespace relais::store
