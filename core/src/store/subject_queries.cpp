// SPDX-License-Identifier: AGPL-3.0-or-later
// Store operations on subjects: finding one by its identifiers, resolving (find or create,
// learning identifiers), and the dossiers of a subject.
#include <array>
#include <iterator>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "relais/common/crypto.h"
#include "relais/identity/pivot.h"
#include "relais/store/store.h"

#include "store/rows.h"

namespace relais::store {

using detail::execute;
using detail::query;
using detail::queryOne;

namespace detail {
namespace {

std::string selectSubjects(const char* rest) {
    return std::string("SELECT ") + kSubjectColumns + " FROM subjects " + rest;
}

/// The identifiers looked up when there is no id, strongest first, each with the condition
/// that finds it in its unique partial index (the `<> ''` terms let SQLite use those indexes).
struct Probe {
    const std::string SubjectKey::*member;
    const char* condition;
};
constexpr Probe kProbes[] = {
    {&SubjectKey::fc_sub, "fc_sub = ? AND fc_sub <> ''"},
    {&SubjectKey::siret, "siret = ? AND siret <> ''"},
    {&SubjectKey::siren, "siren = ? AND siren <> '' AND siret = ''"},
    {&SubjectKey::pivot_hash, "pivot_hash = ? AND pivot_hash <> ''"},
};
constexpr std::size_t kProbeCount = std::size(kProbes);

/// The query that finds a subject by the identifiers of `mask` (bit i: `kProbes[i]`), in one
/// statement: one index lookup per identifier, the strongest match kept. Its text depends on
/// the mask only (15 texts, made once), so that a statement cache can reuse it; a key with one
/// identifier (the usual prefill) gets the cheapest query to prepare, a plain lookup.
const std::string& findByIdentifiersSql(unsigned mask) {
    static const std::array<std::string, 1U << kProbeCount> texts = [] {
        std::array<std::string, 1U << kProbeCount> made;
        const std::string columns = kSubjectColumns;
        for (unsigned m = 1; m < made.size(); ++m) {
            std::vector<std::size_t> present;
            for (std::size_t i = 0; i < kProbeCount; ++i) {
                if ((m & (1U << i)) != 0) present.push_back(i);
            }
            if (present.size() == 1) {
                made[m] = "SELECT " + columns + " FROM subjects WHERE " +
                          kProbes[present.front()].condition;
                continue;
            }
            std::string arms;
            for (std::size_t i : present) {
                if (!arms.empty()) arms += " UNION ALL ";
                arms += "SELECT " + std::to_string(i) + " AS rank, " + columns +
                        " FROM subjects WHERE " + kProbes[i].condition;
            }
            made[m] =
                "SELECT " + columns + " FROM (" + arms + ") AS candidates ORDER BY rank LIMIT 1";
        }
        return made;
    }();
    return texts[mask];
}

std::optional<SubjectRecord> findById(Poco::Data::Session& session, const std::string& id) {
    auto row = queryOne<SubjectRow>(session, selectSubjects("WHERE id = ?"), id);
    if (!row) return std::nullopt;
    return toSubject(*row);
}

SubjectRecord createSubject(Poco::Data::Session& session, const SubjectKey& key, std::int64_t now) {
    SubjectRecord subject;
    subject.id = common::uuidV4();
    subject.kind = key.kind;
    subject.fc_sub = key.fc_sub;
    subject.pivot_hash = key.pivot_hash;
    subject.siren = key.siren;
    subject.siret = key.siret;
    subject.created_at = now;
    execute(session,
            "INSERT INTO subjects (id, kind, fc_sub, pivot_hash, siren, siret, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            subject.id, toString(subject.kind), subject.fc_sub, subject.pivot_hash, subject.siren,
            subject.siret, subject.created_at);
    return subject;
}

/// Gives `subject` the identifiers of `key` it lacks, unless another subject holds one
/// (`Conflict` in strict mode, skipped in lenient mode). Identifiers it has are never
/// replaced: a key that disagrees with them (a corrected pivot, say) still designates it.
void learnIdentifiers(Poco::Data::Session& session, SubjectRecord& subject, const SubjectKey& key,
                      SubjectResolution mode) {
    struct Identifier {
        const char* field;
        const char* holder_sql;  // another subject that holds the value
        std::string SubjectRecord::*member;
        const std::string& value;
    };
    // SIRET before SIREN: whether a SIREN can clash depends on the SIRET the subject ends up
    // with (a SIREN is unique only among subjects without SIRET: the legal units).
    const Identifier identifiers[] = {
        {"fc_sub", "SELECT id FROM subjects WHERE fc_sub = ? AND fc_sub <> '' AND id <> ?",
         &SubjectRecord::fc_sub, key.fc_sub},
        {"siret", "SELECT id FROM subjects WHERE siret = ? AND siret <> '' AND id <> ?",
         &SubjectRecord::siret, key.siret},
        {"siren",
         "SELECT id FROM subjects WHERE siren = ? AND siren <> '' AND siret = '' AND id <> ?",
         &SubjectRecord::siren, key.siren},
        {"pivot_hash",
         "SELECT id FROM subjects WHERE pivot_hash = ? AND pivot_hash <> '' AND id <> ?",
         &SubjectRecord::pivot_hash, key.pivot_hash},
    };
    bool changed = false;
    for (const Identifier& identifier : identifiers) {
        std::string& held = subject.*identifier.member;
        if (identifier.value.empty() || !held.empty()) continue;
        const bool clashes = identifier.member != &SubjectRecord::siren || subject.siret.empty();
        if (clashes &&
            queryOne<std::string>(session, identifier.holder_sql, identifier.value, subject.id)) {
            if (mode == SubjectResolution::Lenient) continue;
            // The other subject is not named: the caller may not be entitled to know it.
            throw WorkFailed(sdk::fail(sdk::ErrorCode::Conflict,
                                       std::string("the key's ") + identifier.field +
                                           " designates another subject than subject " + subject.id,
                                       identifier.field));
        }
        held = identifier.value;
        changed = true;
    }
    if (!changed) return;
    execute(session,
            "UPDATE subjects SET fc_sub = ?, pivot_hash = ?, siren = ?, siret = ? WHERE id = ?",
            subject.fc_sub, subject.pivot_hash, subject.siren, subject.siret, subject.id);
}

}  // namespace

SubjectKey subjectKey(const sdk::Subject& subject) {
    SubjectKey key;
    key.id = subject.id;
    key.kind = subject.kind;
    key.fc_sub = subject.france_connect_sub;
    if (subject.kind == sdk::SubjectKind::Person) {
        if (auto pivot = identity::normalisePivot(subject.pivot)) {
            key.pivot_hash = identity::pivotHash(*pivot);
        }
    }
    key.siren = subject.siren;
    key.siret = subject.siret;
    return key;
}

bool hasIdentifier(const SubjectKey& key) noexcept {
    return !key.id.empty() || !key.fc_sub.empty() || !key.siret.empty() || !key.siren.empty() ||
           !key.pivot_hash.empty();
}

std::optional<SubjectRecord> findSubject(Poco::Data::Session& session, const SubjectKey& key) {
    if (!key.id.empty()) return findById(session, key.id);
    unsigned mask = 0;
    for (std::size_t i = 0; i < kProbeCount; ++i) {
        // A SIREN designates the legal unit as a whole: with a SIRET, the key designates one
        // establishment, which a subject known by its SIREN alone is not.
        const bool skipped = kProbes[i].member == &SubjectKey::siren && !key.siret.empty();
        if (!(key.*kProbes[i].member).empty() && !skipped) mask |= 1U << i;
    }
    if (mask == 0) return std::nullopt;
    PreparedStatement statement(session, findByIdentifiersSql(mask));
    int index = 0;
    for (std::size_t i = 0; i < kProbeCount; ++i) {
        if ((mask & (1U << i)) != 0) bindValue(statement, ++index, key.*kProbes[i].member);
    }
    if (!statement.step()) return std::nullopt;
    return toSubject(readRow<SubjectRow>(statement));
}

std::optional<SubjectRecord> resolveSubject(Poco::Data::Session& session, const SubjectKey& key,
                                            std::int64_t now, SubjectResolution mode) {
    std::optional<SubjectRecord> found;
    if (!key.id.empty()) {
        found = findById(session, key.id);
        if (!found && mode == SubjectResolution::Strict) {
            // Ids are the store's to assign: an unknown one is an error, not a subject to make.
            throw WorkFailed(
                sdk::fail(sdk::ErrorCode::NotFound, "subject " + key.id + " not found", "id"));
        }
    }
    if (!found) {
        SubjectKey by_identifiers = key;
        by_identifiers.id.clear();
        if (!hasIdentifier(by_identifiers)) {
            if (mode == SubjectResolution::Lenient) return std::nullopt;
            throw WorkFailed(sdk::fail(sdk::ErrorCode::InvalidArgument,
                                       "the subject key carries no identifier", "key"));
        }
        found = findSubject(session, by_identifiers);
        if (!found) return createSubject(session, by_identifiers, now);
    }
    learnIdentifiers(session, *found, key, mode);
    return found;
}

}  // namespace detail

namespace {

sdk::Result<void> validate(const SubjectKey& key) {
    if (!detail::hasIdentifier(key)) {
        return sdk::fail(sdk::ErrorCode::InvalidArgument,
                         "the subject key carries no identifier (id, fc_sub, siret, siren or "
                         "pivot_hash)",
                         "key");
    }
    return sdk::ok();
}

}  // namespace

sdk::Result<std::optional<SubjectRecord>> Store::findSubject(const SubjectKey& key) {
    if (auto valid = validate(key); !valid) return std::move(valid).error();
    std::optional<SubjectRecord> subject;
    auto read = database_->read(
        [&](Poco::Data::Session& session) { subject = detail::findSubject(session, key); });
    if (!read) return std::move(read).error();
    return subject;
}

sdk::Result<SubjectRecord> Store::resolveSubject(const SubjectKey& key, std::int64_t now) {
    if (auto valid = validate(key); !valid) return std::move(valid).error();
    if (!key.siren.empty() && !key.siret.empty() && key.siret.rfind(key.siren, 0) != 0) {
        return sdk::fail(sdk::ErrorCode::InvalidArgument,
                         "siret " + key.siret + " is not an establishment of siren " + key.siren,
                         "siret");
    }
    SubjectRecord subject;
    for (int attempt = 0;; ++attempt) {
        auto written = database_->write([&](Poco::Data::Session& session) {
            subject = *detail::resolveSubject(session, key, now, detail::SubjectResolution::Strict);
        });
        if (written) return subject;
        // On an engine with several writers, a concurrent resolution of the same new key can
        // win the unique index between our find and our insert (a constraint `Conflict`,
        // without a field, unlike the ones above): the second attempt finds its subject.
        const sdk::Error& error = written.error();
        if (attempt == 0 && error.code == sdk::ErrorCode::Conflict && error.field.empty()) continue;
        return std::move(written).error();
    }
}

sdk::Result<std::vector<sdk::Dossier>> Store::dossiersOfSubject(const std::string& subject_id) {
    std::vector<sdk::Dossier> dossiers;
    if (subject_id.empty()) return dossiers;
    auto read = database_->read([&](Poco::Data::Session& session) {
        dossiers.clear();
        std::map<std::string, std::size_t> position;
        for (const auto& row :
             query<detail::DossierRow>(session,
                                       std::string("SELECT ") + detail::kDossierColumns +
                                           " FROM dossiers WHERE subject_id = ? "
                                           "ORDER BY created_at, id",
                                       subject_id)) {
            position.emplace(row.get<0>(), dossiers.size());
            dossiers.push_back(detail::toDossier(row));
        }
        if (dossiers.empty()) return;
        // The attachments of all of them in one query, not one per dossier.
        using Row = Poco::Tuple<std::string, std::string, std::string, std::int64_t, std::string,
                                std::string, std::string, std::string>;
        for (const Row& row : query<Row>(session,
                                         "SELECT a.dossier_id, a.name, a.content_type, a.size, "
                                         "a.sha256, a.storage_ref, a.source_url, a.kind "
                                         "FROM attachments a JOIN dossiers d ON d.id = "
                                         "a.dossier_id WHERE d.subject_id = ? "
                                         "ORDER BY a.dossier_id, a.position",
                                         subject_id)) {
            const auto found = position.find(row.get<0>());
            if (found == position.end()) continue;
            dossiers[found->second].attachments.push_back(detail::toAttachment(
                detail::AttachmentRow(row.get<1>(), row.get<2>(), row.get<3>(), row.get<4>(),
                                      row.get<5>(), row.get<6>(), row.get<7>())));
        }
    });
    if (!read) return std::move(read).error();
    return dossiers;
}

}  // namespace relais::store
