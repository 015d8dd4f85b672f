// SPDX-License-Identifier: AGPL-3.0-or-later
#include "store/rows.h"

#include <chrono>
#include <stdexcept>

#include "relais/common/crypto.h"

namespace relais::store::detail {
namespace {

/// Stored documents were dumped by the store itself: depth and duplicates were checked when
/// they came in (with the configured limits), so reading them back is lenient.
constexpr sdk::JsonParseOptions kStoredJson{1024, false};

const std::string& memberString(const sdk::Json& object, std::string_view key) {
    static const std::string kEmpty;
    const sdk::Json* value = object.find(key);
    return value != nullptr ? value->asString() : kEmpty;
}

}  // namespace

std::int64_t nowMicros() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string_view toString(sdk::EventSide side) noexcept {
    switch (side) {
        case sdk::EventSide::Portal:
            return "portal";
        case sdk::EventSide::Backoffice:
            return "backoffice";
        case sdk::EventSide::Relais:
            return "relais";
    }
    return "relais";
}

std::optional<sdk::EventSide> parseEventSide(std::string_view name) noexcept {
    if (name == "portal") return sdk::EventSide::Portal;
    if (name == "backoffice") return sdk::EventSide::Backoffice;
    if (name == "relais") return sdk::EventSide::Relais;
    return std::nullopt;
}

std::string_view toString(sdk::SubjectKind kind) noexcept {
    return kind == sdk::SubjectKind::Company ? "company" : "person";
}

std::optional<sdk::SubjectKind> parseSubjectKind(std::string_view name) noexcept {
    if (name == "person") return sdk::SubjectKind::Person;
    if (name == "company") return sdk::SubjectKind::Company;
    return std::nullopt;
}

sdk::Json parseStoredJson(const std::string& text, const std::string& what) {
    auto parsed = sdk::Json::parse(text, kStoredJson);
    if (!parsed) throw std::runtime_error(what + " is not valid JSON: " + parsed.error().message);
    return std::move(parsed).value();
}

sdk::Timestamp parseStoredTime(const std::string& text, const std::string& what) {
    auto parsed = sdk::Timestamp::parse(text);
    if (!parsed) throw std::runtime_error(what + " is not an RFC 3339 time");
    return parsed.value();
}

std::string subjectToJson(const sdk::Subject& subject) {
    sdk::Json pivot = sdk::Json::object();
    pivot.set("family_name", subject.pivot.family_name);
    sdk::Json given = sdk::Json::array();
    for (const std::string& name : subject.pivot.given_names) given.push(name);
    pivot.set("given_names", std::move(given));
    pivot.set("birth_date", subject.pivot.birth_date);
    pivot.set("gender", subject.pivot.gender);
    pivot.set("birth_place", subject.pivot.birth_place);
    pivot.set("birth_country", subject.pivot.birth_country);

    sdk::Json json = sdk::Json::object();
    json.set("kind", toString(subject.kind));
    json.set("france_connect_sub", subject.france_connect_sub);
    json.set("pivot", std::move(pivot));
    json.set("siren", subject.siren);
    json.set("siret", subject.siret);
    return json.dump();
}

sdk::Subject subjectFromJson(const std::string& text, const std::string& what) {
    const sdk::Json json = parseStoredJson(text, what);
    if (!json.isObject()) throw std::runtime_error(what + " is not a JSON object");
    sdk::Subject subject;
    subject.kind = memberString(json, "kind") == "company" ? sdk::SubjectKind::Company
                                                           : sdk::SubjectKind::Person;
    subject.france_connect_sub = memberString(json, "france_connect_sub");
    subject.siren = memberString(json, "siren");
    subject.siret = memberString(json, "siret");
    if (const sdk::Json* pivot = json.find("pivot"); pivot != nullptr && pivot->isObject()) {
        subject.pivot.family_name = memberString(*pivot, "family_name");
        subject.pivot.birth_date = memberString(*pivot, "birth_date");
        subject.pivot.gender = memberString(*pivot, "gender");
        subject.pivot.birth_place = memberString(*pivot, "birth_place");
        subject.pivot.birth_country = memberString(*pivot, "birth_country");
        const sdk::Json* given = pivot->find("given_names");
        if (given != nullptr && given->isArray()) {
            for (const sdk::Json& name : *given->arrayIf()) {
                subject.pivot.given_names.push_back(name.asString());
            }
        }
    }
    return subject;
}

sdk::Dossier toDossier(const DossierRow& row) {
    sdk::Dossier dossier;
    dossier.id = row.get<0>();
    dossier.source = row.get<1>();
    dossier.source_key = row.get<2>();
    dossier.procedure = row.get<3>();
    if (!row.get<5>().empty()) {
        dossier.subject = subjectFromJson(row.get<5>(), "dossiers.subject of " + dossier.id);
        dossier.subject->id = row.get<4>();
    }
    dossier.submitted_at = parseStoredTime(row.get<6>(), "dossiers.submitted_at of " + dossier.id);
    const auto status = sdk::parseStatus(row.get<7>());
    if (!status) throw std::runtime_error("dossiers.status of " + dossier.id + " is unknown");
    dossier.status = *status;
    dossier.portal_status = row.get<8>();
    dossier.fields = parseStoredJson(row.get<9>(), "dossiers.fields of " + dossier.id);
    dossier.version = row.get<10>();
    return dossier;
}

sdk::Attachment toAttachment(const AttachmentRow& row) {
    sdk::Attachment attachment;
    attachment.name = row.get<0>();
    attachment.content_type = row.get<1>();
    attachment.size = row.get<2>();
    attachment.sha256 = row.get<3>();
    attachment.storage_ref = row.get<4>();
    attachment.source_url = row.get<5>();
    attachment.kind = row.get<6>();
    return attachment;
}

sdk::Event toEvent(const EventRow& row) {
    sdk::Event event;
    event.id = row.get<0>();
    event.dossier_id = row.get<1>();
    event.type = row.get<2>();
    const auto side = parseEventSide(row.get<3>());
    if (!side) throw std::runtime_error("events.side of " + event.id + " is unknown");
    event.side = *side;
    event.source_event_key = row.get<4>();
    event.source_version = row.get<5>();
    event.occurred_at = parseStoredTime(row.get<6>(), "events.occurred_at of " + event.id);
    event.actor = row.get<7>();
    event.payload = parseStoredJson(row.get<8>(), "events.payload of " + event.id);
    event.is_public = row.get<9>() != 0;
    return event;
}

Job toJob(const JobRow& row) {
    Job job;
    job.id = row.get<0>();
    job.kind = row.get<1>();
    job.dossier_id = row.get<2>();
    job.route = row.get<3>();
    job.target = row.get<4>();
    job.event_id = row.get<5>();
    job.idempotency_key = row.get<6>();
    const auto state = parseJobState(row.get<7>());
    if (!state) throw std::runtime_error("jobs.state of " + job.id + " is unknown");
    job.state = *state;
    job.attempts = row.get<8>();
    job.next_attempt_at = row.get<9>();
    job.claimed_by = row.get<10>();
    job.lease_until = row.get<11>();
    job.last_error = row.get<12>();
    job.created_at = row.get<13>();
    job.updated_at = row.get<14>();
    return job;
}

Link toLink(const LinkRow& row) {
    Link link;
    link.dossier_id = row.get<0>();
    link.target = row.get<1>();
    link.business_id = row.get<2>();
    link.display_id = row.get<3>();
    link.created_at = row.get<4>();
    return link;
}

SubjectRecord toSubject(const SubjectRow& row) {
    SubjectRecord subject;
    subject.id = row.get<0>();
    const auto kind = parseSubjectKind(row.get<1>());
    if (!kind) throw std::runtime_error("subjects.kind of " + subject.id + " is unknown");
    subject.kind = *kind;
    subject.fc_sub = row.get<2>();
    subject.pivot_hash = row.get<3>();
    subject.siren = row.get<4>();
    subject.siret = row.get<5>();
    subject.created_at = row.get<6>();
    return subject;
}

StoredAttribute toAttribute(const AttributeRow& row) {
    StoredAttribute attribute;
    attribute.id = row.get<0>();
    attribute.subject_id = row.get<1>();
    attribute.name = row.get<2>();
    attribute.sealed = fromBlob(row.get<3>());
    attribute.key_id = row.get<4>();
    attribute.source = row.get<5>();
    attribute.level = row.get<6>();
    attribute.process = row.get<7>();
    attribute.verified_at = row.get<8>();
    attribute.valid_until = row.get<9>();
    attribute.legal_basis = row.get<10>();
    attribute.retain_until = row.get<11>();
    attribute.current = row.get<12>() != 0;
    attribute.recorded_at = row.get<13>();
    return attribute;
}

Poco::Data::BLOB toBlob(const std::string& bytes) {
    return Poco::Data::BLOB(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

std::string fromBlob(const Poco::Data::BLOB& blob) {
    if (blob.size() == 0) return {};
    return std::string(reinterpret_cast<const char*>(blob.rawContent()), blob.size());
}

bool insertEvent(Poco::Data::Session& session, const sdk::Event& event, const std::string& source,
                 std::int64_t recorded_at) {
    // ON CONFLICT DO NOTHING without a target covers both the id and the partial unique
    // index on (dossier_id, source, source_event_key); PostgreSQL reads it the same way.
    const std::size_t inserted =
        execute(session,
                "INSERT INTO events (id, dossier_id, type, side, source, source_event_key, "
                "source_version, occurred_at, actor, payload, is_public, recorded_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                event.id, event.dossier_id, event.type, toString(event.side), source,
                event.source_event_key, event.source_version, event.occurred_at.toString(),
                event.actor, event.payload.dump(), event.is_public, recorded_at);
    return inserted == 1;
}

Job loadJob(Poco::Data::Session& session, const std::string& id) {
    auto row = queryOne<JobRow>(
        session, std::string("SELECT ") + kJobColumns + " FROM jobs WHERE id = ?", id);
    if (!row) {
        throw WorkFailed(sdk::fail(sdk::ErrorCode::NotFound, "job " + id + " not found", "id"));
    }
    return toJob(*row);
}

void requireHeld(const Job& job, std::string_view operation) {
    if (job.state == JobState::Running || job.state == JobState::AwaitingAck) return;
    throw WorkFailed(sdk::fail(sdk::ErrorCode::Conflict, "cannot " + std::string(operation) +
                                                             " job " + job.id + ": it is " +
                                                             std::string(toString(job.state))));
}

sdk::Event outcomeEvent(const Job& job, std::string_view type, std::int64_t now) {
    sdk::Event event;
    event.id = common::uuidV7();
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

void upsertLink(Poco::Data::Session& session, const Job& job, const Link& link, std::int64_t now) {
    if (!link.dossier_id.empty() && link.dossier_id != job.dossier_id) {
        throw WorkFailed(sdk::fail(sdk::ErrorCode::InvalidArgument,
                                   "link is for dossier " + link.dossier_id + ", job " + job.id +
                                       " for dossier " + job.dossier_id,
                                   "dossier_id"));
    }
    if (link.business_id.empty()) return;
    const std::string& target = link.target.empty() ? job.target : link.target;
    execute(session,
            "INSERT INTO links (dossier_id, target, business_id, display_id, created_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (dossier_id, target) DO UPDATE SET "
            "business_id = excluded.business_id, display_id = excluded.display_id",
            job.dossier_id, target, link.business_id, link.display_id,
            link.created_at != 0 ? link.created_at : now);
}

void completeHeldJob(Poco::Data::Session& session, const Job& job, const Link& link,
                     std::int64_t now, const std::vector<std::string>& push_targets) {
    upsertLink(session, job, link, now);
    execute(session,
            "UPDATE jobs SET state = 'done', claimed_by = '', lease_until = 0, "
            "last_error = '', updated_at = ? WHERE id = ?",
            now, job.id);
    sdk::Event delivered = outcomeEvent(job, sdk::event_type::kDelivered, now);
    if (!link.business_id.empty()) {
        delivered.payload.set("business_id", link.business_id);
        if (!link.display_id.empty()) delivered.payload.set("display_id", link.display_id);
    }
    insertEvent(session, delivered, std::string(kRelaisSource), now);
    if (job.kind == "deliver") acknowledgeWhenDelivered(session, job.dossier_id, now, push_targets);
}

void insertJob(Poco::Data::Session& session, const std::string& id, const std::string& dossier_id,
               const NewJob& job, std::int64_t now) {
    const bool claimed = !job.claimed_by.empty();
    execute(session,
            "INSERT INTO jobs (id, kind, dossier_id, route, target, event_id, idempotency_key, "
            "state, attempts, next_attempt_at, claimed_by, lease_until, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            id, job.kind, dossier_id, job.route, job.target, job.event_id, idempotencyKey(id),
            toString(claimed ? JobState::Running : JobState::Pending), claimed ? 1 : 0, now,
            job.claimed_by, claimed ? job.lease_until : std::int64_t{0}, now, now);
}

}  // namespace relais::store::detail
