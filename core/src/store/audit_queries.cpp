// SPDX-License-Identifier: AGPL-3.0-or-later
// The audit trail: append-only and hash-chained; reading it and checking the chain.
#include <condition_variable>
#include <limits>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "relais/common/crypto.h"
#include "relais/sdk/json.h"
#include "relais/store/store.h"

#include "store/audit_queue.h"
#include "store/rows.h"

namespace relais::store {

using detail::execute;
using detail::query;
using detail::queryOne;

namespace {

/// The hash before the first entry.
const std::string kGenesis(64, '0');

/// Rows read per round trip when the chain is checked: memory stays bounded however long
/// the trail, and the reader connection is given back between pages.
constexpr int kVerifyPage = 1000;

constexpr const char* kAuditColumns =
    "seq, at, client, subject_id, dossier_id, action, attributes, procedure, purpose, outcome, "
    "prev_hash, hash";
using AuditRow =
    Poco::Tuple<std::int64_t, std::int64_t, std::string, std::string, std::string, std::string,
                std::string, std::string, std::string, std::string, std::string, std::string>;

AuditRecord toAuditRecord(const AuditRow& row) {
    AuditRecord record;
    record.seq = row.get<0>();
    record.entry.at = row.get<1>();
    record.entry.client = row.get<2>();
    record.entry.subject_id = row.get<3>();
    record.entry.dossier_id = row.get<4>();
    record.entry.action = row.get<5>();
    record.entry.attributes = row.get<6>();
    record.entry.procedure = row.get<7>();
    record.entry.purpose = row.get<8>();
    record.entry.outcome = row.get<9>();
    record.prev_hash = row.get<10>();
    record.hash = row.get<11>();
    return record;
}

/// What an entry's hash covers: the previous hash and every stored field, in a fixed order,
/// as a JSON array (unambiguous: no separator can be forged inside a field).
std::string entryHash(const std::string& previous, std::int64_t seq, const AuditEntry& entry) {
    sdk::Json fields = sdk::Json::array();
    fields.push(previous);
    fields.push(seq);
    fields.push(entry.at);
    fields.push(entry.client);
    fields.push(entry.subject_id);
    fields.push(entry.dossier_id);
    fields.push(entry.action);
    fields.push(entry.attributes);
    fields.push(entry.procedure);
    fields.push(entry.purpose);
    fields.push(entry.outcome);
    return common::sha256Hex(fields.dump());
}

/// Walks the chain one entry at a time, in seq order, and remembers the first break.
class ChainCheck {
public:
    /// False once the chain is broken (`report()` says where); the entries after a break
    /// are not looked at.
    bool check(const AuditRecord& record) {
        ++report_.entries;
        const std::string entry = "entry " + std::to_string(record.seq);
        if (record.seq <= 0) {
            return broken(record.seq,
                          entry + " was inserted: the store never assigns a seq below 1");
        }
        if (last_seq_ == 0) {
            report_.first_seq = record.seq;
            // A trail that starts at 1 starts from the genesis hash. One that starts later had
            // its oldest entries removed by a retention policy: the first entry present is
            // taken as the anchor, since nothing before it remains to check it against.
            if (record.seq == 1 && record.prev_hash != kGenesis) {
                return broken(1, entry +
                                     " does not start from the genesis hash: it was altered, or "
                                     "entries were inserted before it");
            }
        } else if (record.seq != last_seq_ + 1) {
            const std::int64_t first_missing = last_seq_ + 1;
            const std::int64_t last_missing = record.seq - 1;
            return broken(first_missing,
                          first_missing == last_missing
                              ? "entry " + std::to_string(first_missing) + " was removed"
                              : "entries " + std::to_string(first_missing) + " to " +
                                    std::to_string(last_missing) + " were removed");
        } else if (record.prev_hash != last_hash_) {
            const std::string previous = "entry " + std::to_string(last_seq_);
            return broken(record.seq, entry + " does not follow " + previous +
                                          ": its prev_hash is not the hash of " + previous +
                                          " (that entry was replaced, or an entry was removed "
                                          "or inserted between them)");
        }
        if (entryHash(record.prev_hash, record.seq, record.entry) != record.hash) {
            return broken(record.seq,
                          entry + " was altered or forged: its content does not match its hash");
        }
        last_seq_ = record.seq;
        last_hash_ = record.hash;
        return true;
    }

    const AuditVerification& report() const noexcept { return report_; }

private:
    bool broken(std::int64_t seq, std::string reason) {
        report_.intact = false;
        report_.first_bad = seq;
        report_.reason = std::move(reason);
        return false;
    }

    AuditVerification report_;
    std::int64_t last_seq_ = 0;  // 0: no entry checked yet
    std::string last_hash_;
};

}  // namespace

sdk::Result<void> Store::appendAudit(const AuditEntry& entry) {
    return appendAudit(std::vector<AuditEntry>{entry});
}

sdk::Result<void> Store::appendAudit(const std::vector<AuditEntry>& entries) {
    std::vector<AuditEntry> stored = entries;
    const std::int64_t now = detail::nowMicros();
    for (AuditEntry& entry : stored) {
        if (entry.client.empty() || entry.action.empty() || entry.outcome.empty()) {
            return sdk::fail(sdk::ErrorCode::InvalidArgument,
                             "an audit entry needs a client, an action and an outcome", "audit");
        }
        if (entry.at == 0) entry.at = now;
    }

    // Combining: the first caller to find no write in flight writes everything queued so
    // far, its own entries included, then hands each caller its result.
    AuditQueue& queue = *audit_queue_;
    AuditQueue::Pending self;
    self.entries = &stored;
    std::unique_lock lock(queue.mutex);
    queue.waiting.push_back(&self);
    while (!self.done) {
        if (queue.writing) {
            self.wake.wait(lock);
            continue;
        }
        queue.writing = true;
        std::vector<AuditQueue::Pending*> batch;
        batch.swap(queue.waiting);
        lock.unlock();
        const sdk::Result<void> result = database_->write([&](Poco::Data::Session& session) {
            // The single writer (or, on engines with several, the unique hash) orders the
            // chain.
            using Last = Poco::Tuple<std::int64_t, std::string>;
            const auto last =
                queryOne<Last>(session, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1");
            std::int64_t seq = last ? last->get<0>() : 0;
            std::string previous = last ? last->get<1>() : kGenesis;
            for (const AuditQueue::Pending* pending : batch) {
                for (const AuditEntry& entry : *pending->entries) {
                    ++seq;
                    std::string hash = entryHash(previous, seq, entry);
                    execute(session,
                            "INSERT INTO audit (seq, at, client, subject_id, dossier_id, action, "
                            "attributes, procedure, purpose, outcome, prev_hash, hash) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            seq, entry.at, entry.client, entry.subject_id, entry.dossier_id,
                            entry.action, entry.attributes, entry.procedure, entry.purpose,
                            entry.outcome, previous, hash);
                    previous = std::move(hash);
                }
            }
        });
        lock.lock();
        for (AuditQueue::Pending* pending : batch) {
            pending->result = result;
            pending->done = true;
            // Under the lock: once it sees `done` the caller returns and its Pending goes.
            if (pending != &self) pending->wake.notify_one();
        }
        queue.writing = false;
        // The first caller that came while this batch was written takes the next one.
        if (!queue.waiting.empty()) queue.waiting.front()->wake.notify_one();
    }
    return self.result;
}

sdk::Result<std::vector<AuditRecord>> Store::auditEntries(const std::string& subject_id,
                                                          int limit) {
    if (limit <= 0) {
        return sdk::fail(sdk::ErrorCode::InvalidArgument, "limit must be positive", "limit");
    }
    std::vector<AuditRecord> records;
    auto read = database_->read([&](Poco::Data::Session& session) {
        records.clear();
        const std::string select = std::string("SELECT ") + kAuditColumns + " FROM audit ";
        const std::vector<AuditRow> rows =
            subject_id.empty()
                ? query<AuditRow>(session, select + "ORDER BY seq DESC LIMIT ?", limit)
                : query<AuditRow>(session,
                                  select + "WHERE subject_id = ? ORDER BY seq DESC LIMIT ?",
                                  subject_id, limit);
        records.reserve(rows.size());
        for (const AuditRow& row : rows) records.push_back(toAuditRecord(row));
    });
    if (!read) return std::move(read).error();
    return records;
}

sdk::Result<std::vector<AuditRecord>> Store::searchAudit(const AuditFilter& filter) {
    if (filter.limit <= 0) {
        return sdk::fail(sdk::ErrorCode::InvalidArgument, "limit must be positive", "limit");
    }
    const std::int64_t before =
        filter.before_seq > 0 ? filter.before_seq : std::numeric_limits<std::int64_t>::max();
    std::vector<AuditRecord> records;
    auto read = database_->read([&](Poco::Data::Session& session) {
        records.clear();
        // One statement for every combination of filters: an empty filter value matches
        // everything, so the plan and the placeholders do not depend on which are given.
        const std::vector<AuditRow> rows = query<AuditRow>(
            session,
            std::string("SELECT ") + kAuditColumns +
                " FROM audit WHERE seq < ? AND (? = '' OR subject_id = ?) AND (? = '' OR "
                "client = ?) AND (? = '' OR action = ?) ORDER BY seq DESC LIMIT ?",
            before, filter.subject_id, filter.subject_id, filter.client, filter.client,
            filter.action, filter.action, filter.limit);
        records.reserve(rows.size());
        for (const AuditRow& row : rows) records.push_back(toAuditRecord(row));
    });
    if (!read) return std::move(read).error();
    return records;
}

sdk::Result<AuditVerification> Store::verifyAudit() {
    // Page by page, each page in its own read: the trail may hold millions of entries, and
    // a read transaction held for all of them would keep a reader away from the requests and
    // stop the WAL from being checkpointed. Pages never miss an entry: entries are appended
    // at the end (after the cursor) and retention removes the oldest (before it).
    ChainCheck chain;
    std::vector<AuditRow> page;
    bool first_page = true;
    std::int64_t after = 0;
    for (;;) {
        auto read = database_->read([&](Poco::Data::Session& session) {
            const std::string select = std::string("SELECT ") + kAuditColumns + " FROM audit ";
            // The first page has no lower bound, so that a forged entry with a seq of 0 or
            // below is seen too.
            page = first_page
                       ? query<AuditRow>(session, select + "ORDER BY seq LIMIT ?", kVerifyPage)
                       : query<AuditRow>(session, select + "WHERE seq > ? ORDER BY seq LIMIT ?",
                                         after, kVerifyPage);
        });
        if (!read) return std::move(read).error();
        for (const AuditRow& row : page) {
            if (!chain.check(toAuditRecord(row))) return chain.report();
        }
        if (page.size() < static_cast<std::size_t>(kVerifyPage)) return chain.report();
        first_page = false;
        after = page.back().get<0>();
    }
}

}  // namespace relais::store
