// SPDX-License-Identifier: AGPL-3.0-or-later
// Store operations that remove personal data: a subject's erasure, the retention purge.
#include <string>
#include <utility>

#include "relais/store/store.h"

#include "store/rows.h"

namespace relais::store {

using detail::execute;
using detail::queryOne;

namespace {

/// Rows a purge deletes per transaction: a purge that finds a million rows does not hold the
/// single writer (and every request waiting on it) for the whole of it.
constexpr int kPurgeBatch = 1000;

}  // namespace

sdk::Result<ErasureOutcome> Store::eraseSubject(const std::string& subject_id) {
    if (subject_id.empty()) {
        return sdk::fail(sdk::ErrorCode::InvalidArgument, "subject_id is empty", "subject_id");
    }
    ErasureOutcome outcome;
    auto written = database_->write([&](Poco::Data::Session& session) {
        outcome = ErasureOutcome{};
        if (!queryOne<std::string>(session, "SELECT id FROM subjects WHERE id = ?", subject_id)) {
            throw WorkFailed(sdk::fail(sdk::ErrorCode::NotFound,
                                       "subject " + subject_id + " not found", "subject_id"));
        }
        outcome.attributes_deleted = static_cast<std::int64_t>(
            execute(session, "DELETE FROM attributes WHERE subject_id = ?", subject_id));
        // Dossiers are administrative records with their own retention: they stay, without
        // the link that made them findable from the person.
        outcome.dossiers_kept = static_cast<std::int64_t>(execute(
            session, "UPDATE dossiers SET subject_id = NULL WHERE subject_id = ?", subject_id));
        execute(session, "DELETE FROM subjects WHERE id = ?", subject_id);
    });
    if (!written) return std::move(written).error();
    return outcome;
}

sdk::Result<PurgeOutcome> Store::purge(std::int64_t now) {
    // Each statement deletes at most one batch, chosen through the index that matches its
    // condition; `current` rows past retention go too (the law's limit beats freshness).
    struct Step {
        const char* sql;
        std::int64_t PurgeOutcome::*count;
    };
    const Step steps[] = {
        {"DELETE FROM attributes WHERE id IN (SELECT id FROM attributes "
         "WHERE retain_until > 0 AND retain_until <= ? LIMIT ?)",
         &PurgeOutcome::past_retention},
        {"DELETE FROM attributes WHERE id IN (SELECT id FROM attributes "
         "WHERE current = 0 AND valid_until > 0 AND valid_until <= ? LIMIT ?)",
         &PurgeOutcome::expired},
        {"DELETE FROM nonces WHERE nonce IN (SELECT nonce FROM nonces "
         "WHERE expires_at <= ? LIMIT ?)",
         &PurgeOutcome::nonces},
    };
    PurgeOutcome outcome;
    for (const Step& step : steps) {
        for (;;) {
            std::size_t deleted = 0;
            auto written = database_->write([&](Poco::Data::Session& session) {
                deleted = execute(session, step.sql, now, kPurgeBatch);
            });
            if (!written) return std::move(written).error();
            outcome.*step.count += static_cast<std::int64_t>(deleted);
            if (deleted < static_cast<std::size_t>(kPurgeBatch)) break;
        }
    }
    return outcome;
}

}  // namespace relais::store
