// SPDX-License-Identifier: AGPL-3.0-or-later
// The audit trail: append-only and hash-chained.
#include <string>

#include "relais/common/crypto.h"
#include "relais/sdk/json.h"
#include "relais/store/store.h"

#include "store/rows.h"

namespace relais::store {

using detail::execute;
using detail::queryOne;

namespace {

/// The hash before the first entry.
const std::string kGenesis(64, '0');

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
    return database_->write([&](Poco::Data::Session& session) {
        // The single writer (or, on engines with several, the unique hash) orders the chain.
        using Last = Poco::Tuple<std::int64_t, std::string>;
        const auto last =
            queryOne<Last>(session, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1");
        std::int64_t seq = last ? last->get<0>() : 0;
        std::string previous = last ? last->get<1>() : kGenesis;
        for (const AuditEntry& entry : stored) {
            ++seq;
            std::string hash = entryHash(previous, seq, entry);
            execute(session,
                    "INSERT INTO audit (seq, at, client, subject_id, dossier_id, action, "
                    "attributes, procedure, purpose, outcome, prev_hash, hash) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    seq, entry.at, entry.client, entry.subject_id, entry.dossier_id, entry.action,
                    entry.attributes, entry.procedure, entry.purpose, entry.outcome, previous,
                    hash);
            previous = std::move(hash);
        }
    });
}

}  // namespace relais::store
