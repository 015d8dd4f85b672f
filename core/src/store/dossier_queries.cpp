// SPDX-License-Identifier: AGPL-3.0-or-later
// Store operations on dossiers, their events and their links.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <Poco/Data/LOB.h>
#include <Poco/Nullable.h>

#include "relais/common/crypto.h"
#include "relais/store/store.h"

#include "store/rows.h"

namespace relais::store {

using detail::execute;
using detail::query;
using detail::queryOne;

namespace {

constexpr const char* kFindDossierBySourceKey =
    "SELECT id FROM dossiers WHERE source = ? AND source_key = ?";

sdk::Result<void> validate(const IngestRequest& request) {
    const sdk::Dossier& dossier = request.dossier;
    const auto missing = [](const char* field) {
        return sdk::fail(sdk::ErrorCode::InvalidArgument,
                         std::string("dossier ") + field + " is empty", field);
    };
    if (dossier.source.empty()) return missing("source");
    if (dossier.source_key.empty()) return missing("source_key");
    if (dossier.procedure.empty()) return missing("procedure");
    for (std::size_t i = 0; i < request.jobs.size(); ++i) {
        const NewJob& job = request.jobs[i];
        const std::string field = "jobs[" + std::to_string(i) + "]";
        if (job.kind.empty()) {
            return sdk::fail(sdk::ErrorCode::InvalidArgument, field + ".kind is empty",
                             field + ".kind");
        }
        if (job.target.empty()) {
            return sdk::fail(sdk::ErrorCode::InvalidArgument, field + ".target is empty",
                             field + ".target");
        }
    }
    return sdk::ok();
}

}  // namespace

sdk::Result<IngestOutcome> Store::ingest(IngestRequest request) {
    if (auto valid = validate(request); !valid) return std::move(valid).error();
    const sdk::Dossier& dossier = request.dossier;

    // Everything that needs no database is prepared here, on the caller's thread: the
    // writer thread is the one resource all writers share.
    const std::int64_t now = detail::nowMicros();
    const std::string dossier_id = dossier.id.empty() ? common::uuidV7() : dossier.id;
    const std::string fields = dossier.fields.dump();
    const Poco::Nullable<std::string> subject_json =
        dossier.subject ? Poco::Nullable<std::string>(detail::subjectToJson(*dossier.subject))
                        : Poco::Nullable<std::string>();
    const std::optional<SubjectKey> subject_key =
        dossier.subject ? std::optional<SubjectKey>(detail::subjectKey(*dossier.subject))
                        : std::nullopt;
    const std::string raw_sha256 =
        request.raw_body.empty() ? std::string() : common::sha256Hex(request.raw_body);
    const Poco::Data::BLOB raw_body(reinterpret_cast<const unsigned char*>(request.raw_body.data()),
                                    request.raw_body.size());

    sdk::Event submitted;
    submitted.id = common::uuidV7();
    submitted.dossier_id = dossier_id;
    submitted.type = std::string(sdk::event_type::kSubmitted);
    submitted.side = sdk::EventSide::Portal;
    submitted.occurred_at = dossier.submitted_at;
    submitted.actor = "citizen";
    submitted.payload = sdk::Json::object();
    submitted.payload.set("status", sdk::toString(sdk::Status::Submitted));
    if (!dossier.portal_status.empty()) {
        submitted.payload.set("portal_status", dossier.portal_status);
    }
    submitted.is_public = true;

    std::vector<std::string> job_ids;
    job_ids.reserve(request.jobs.size());
    for (std::size_t i = 0; i < request.jobs.size(); ++i) job_ids.push_back(common::uuidV7());

    IngestOutcome outcome;
    auto written = database_->write([&](Poco::Data::Session& session) {
        outcome = IngestOutcome{};
        // With one writer, this check and the inserts below cannot interleave with another
        // ingest of the same key: a replay, even concurrent, finds the first one here.
        if (auto existing = queryOne<std::string>(session, kFindDossierBySourceKey, dossier.source,
                                                  dossier.source_key)) {
            outcome.dossier_id = *existing;
            return;
        }
        // The applicant's claims cannot make the ingest fail: lenient resolution.
        Poco::Nullable<std::string> subject_id;
        if (subject_key) {
            if (auto subject = detail::resolveSubject(session, *subject_key, now,
                                                      detail::SubjectResolution::Lenient)) {
                subject_id = subject->id;
            }
        }
        if (!raw_sha256.empty()) {
            execute(session,
                    "INSERT INTO raw_payloads (sha256, content_type, body, created_at) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
                    raw_sha256, request.raw_content_type, raw_body, now);
        }
        execute(session,
                "INSERT INTO dossiers (id, source, source_key, procedure, subject_id, subject, "
                "submitted_at, status, portal_status, fields, raw_sha256, version, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                dossier_id, dossier.source, dossier.source_key, dossier.procedure, subject_id,
                subject_json, dossier.submitted_at.toString(), sdk::toString(dossier.status),
                dossier.portal_status, fields, raw_sha256, std::int64_t{1}, now, now);
        for (std::size_t i = 0; i < dossier.attachments.size(); ++i) {
            const sdk::Attachment& attachment = dossier.attachments[i];
            execute(session,
                    "INSERT INTO attachments (dossier_id, position, name, content_type, size, "
                    "sha256, storage_ref, source_url, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    dossier_id, static_cast<int>(i), attachment.name, attachment.content_type,
                    attachment.size, attachment.sha256, attachment.storage_ref,
                    attachment.source_url, attachment.kind);
        }
        detail::insertEvent(session, submitted, dossier.source, now);
        for (std::size_t i = 0; i < request.jobs.size(); ++i) {
            const NewJob& job = request.jobs[i];
            detail::insertJob(session, job_ids[i], dossier_id, job, now);
        }
        outcome.dossier_id = dossier_id;
        outcome.created = true;
        outcome.job_ids = job_ids;
    });
    if (written) return outcome;

    // On an engine with several writers (PostgreSQL, several relais), two ingests of the
    // same key can both pass the check above; the loser's insert breaks the unique
    // constraint. The dossier exists then: answer with the winner's id, like a replay.
    if (written.error().code == sdk::ErrorCode::Conflict) {
        std::optional<std::string> winner;
        auto read = database_->read([&](Poco::Data::Session& session) {
            winner = queryOne<std::string>(session, kFindDossierBySourceKey, dossier.source,
                                           dossier.source_key);
        });
        if (read && winner) return IngestOutcome{*winner, false, {}};
    }
    return std::move(written).error();
}

sdk::Result<std::optional<sdk::Dossier>> Store::findDossier(const std::string& id) {
    std::optional<sdk::Dossier> dossier;
    auto read = database_->read([&](Poco::Data::Session& session) {
        auto row = queryOne<detail::DossierRow>(
            session,
            std::string("SELECT ") + detail::kDossierColumns + " FROM dossiers WHERE id = ?", id);
        if (!row) return;
        dossier = detail::toDossier(*row);
        for (const auto& attachment : query<detail::AttachmentRow>(
                 session,
                 std::string("SELECT ") + detail::kAttachmentColumns +
                     " FROM attachments WHERE dossier_id = ? ORDER BY position",
                 id)) {
            dossier->attachments.push_back(detail::toAttachment(attachment));
        }
    });
    if (!read) return std::move(read).error();
    return dossier;
}

sdk::Result<std::vector<sdk::Event>> Store::events(const std::string& dossier_id,
                                                   bool public_only) {
    std::vector<sdk::Event> events;
    auto read = database_->read([&](Poco::Data::Session& session) {
        const std::string sql = std::string("SELECT ") + detail::kEventColumns +
                                " FROM events WHERE dossier_id = ?" +
                                (public_only ? " AND is_public = 1" : "") + " ORDER BY seq";
        for (const auto& row : query<detail::EventRow>(session, sql, dossier_id)) {
            events.push_back(detail::toEvent(row));
        }
    });
    if (!read) return std::move(read).error();
    return events;
}

sdk::Result<bool> Store::appendEvent(sdk::Event event, const std::string& source) {
    if (event.dossier_id.empty()) {
        return sdk::fail(sdk::ErrorCode::InvalidArgument, "event dossier_id is empty",
                         "dossier_id");
    }
    if (event.type.empty()) {
        return sdk::fail(sdk::ErrorCode::InvalidArgument, "event type is empty", "type");
    }
    if (event.id.empty()) event.id = common::uuidV7();
    const std::int64_t now = detail::nowMicros();
    bool inserted = false;
    auto written = database_->write([&](Poco::Data::Session& session) {
        if (!queryOne<std::string>(session, "SELECT id FROM dossiers WHERE id = ?",
                                   event.dossier_id)) {
            throw WorkFailed(sdk::fail(sdk::ErrorCode::NotFound,
                                       "dossier " + event.dossier_id + " not found", "dossier_id"));
        }
        inserted = detail::insertEvent(session, event, source, now);
    });
    if (!written) return std::move(written).error();
    return inserted;
}

sdk::Result<std::vector<Link>> Store::links(const std::string& dossier_id) {
    std::vector<Link> links;
    auto read = database_->read([&](Poco::Data::Session& session) {
        for (const auto& row :
             query<detail::LinkRow>(session,
                                    std::string("SELECT ") + detail::kLinkColumns +
                                        " FROM links WHERE dossier_id = ? ORDER BY target",
                                    dossier_id)) {
            links.push_back(detail::toLink(row));
        }
    });
    if (!read) return std::move(read).error();
    return links;
}

sdk::Result<std::optional<std::string>> Store::findDossierId(const std::string& source,
                                                             const std::string& source_key) {
    std::optional<std::string> id;
    auto read = database_->read([&](Poco::Data::Session& session) {
        id = queryOne<std::string>(session,
                                   "SELECT id FROM dossiers WHERE source = ? AND source_key = ?",
                                   source, source_key);
    });
    if (!read) return std::move(read).error();
    return id;
}

}  // namespace relais::store
