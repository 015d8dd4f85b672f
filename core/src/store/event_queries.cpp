// SPDX-License-Identifier: AGPL-3.0-or-later
// Store operations of status sync: the one path by which an event enters a dossier's log
// and moves its status (ordering, deduplication, conflicts, the lifecycle check), the push
// jobs it creates towards the portal, the timeline and the conflicts an operator resolves.
#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "relais/common/crypto.h"
#include "relais/store/lifecycle.h"
#include "relais/store/store.h"

#include "store/rows.h"

namespace relais::store {

using detail::execute;
using detail::query;
using detail::queryOne;

namespace {

constexpr std::int64_t kIdempotencyLifetimeMicros = 30LL * 24 * 3600 * 1'000'000;

// What the lifecycle needs of a dossier.
struct DossierState {
    std::string source;
    sdk::Status status = sdk::Status::Submitted;
    std::int64_t version = 0;
    std::string status_event_id;
    std::string status_side;
};

DossierState loadState(Poco::Data::Session& session, const std::string& id) {
    using Row = Poco::Tuple<std::string, std::string, std::int64_t, std::string, std::string>;
    auto row = queryOne<Row>(session,
                             "SELECT source, status, version, status_event_id, status_side "
                             "FROM dossiers WHERE id = ?",
                             id);
    if (!row) {
        throw WorkFailed(
            sdk::fail(sdk::ErrorCode::NotFound, "dossier " + id + " not found", "dossier_id"));
    }
    const auto status = sdk::parseStatus(row->get<1>());
    if (!status) throw std::runtime_error("dossiers.status of " + id + " is unknown");
    return DossierState{row->get<0>(), *status, row->get<2>(), row->get<3>(), row->get<4>()};
}

std::string memberString(const sdk::Json& json, const char* name) {
    const sdk::Json* member = json.find(name);
    return member != nullptr && member->isString() ? member->asString() : std::string();
}

std::string subStatusMember(const sdk::Json& payload, const char* name) {
    const sdk::Json* sub = payload.find("sub_status");
    return sub != nullptr && sub->isObject() ? memberString(*sub, name) : std::string();
}

// The types the portal is told about when they are public.
bool isPushed(const std::string& type) {
    return type == sdk::event_type::kStatusChanged || type == sdk::event_type::kMessage ||
           type == sdk::event_type::kDocumentAdded;
}

std::string recordJson(const EventRecord& record) {
    sdk::Json out = sdk::Json::object();
    out.set("event_id", record.event_id);
    out.set("outcome", std::string(toString(record.outcome)));
    out.set("status", std::string(sdk::toString(record.status)));
    out.set("version", record.version);
    out.set("conflict_id", record.conflict_id);
    out.set("push_job_id", record.push_job_id);
    return out.dump();
}

EventRecord recordFromJson(const std::string& text) {
    const sdk::Json json = detail::parseStoredJson(text, "idempotency_keys.response");
    EventRecord record;
    record.event_id = memberString(json, "event_id");
    record.outcome =
        parseEventOutcome(memberString(json, "outcome")).value_or(EventOutcome::Applied);
    record.status = sdk::parseStatus(memberString(json, "status")).value_or(sdk::Status::Submitted);
    if (const sdk::Json* version = json.find("version")) record.version = version->asInt();
    record.conflict_id = memberString(json, "conflict_id");
    record.push_job_id = memberString(json, "push_job_id");
    record.replayed = true;
    return record;
}

void insertRecordedEvent(Poco::Data::Session& session, const sdk::Event& event,
                         const std::string& source, EventOutcome outcome, std::int64_t now) {
    execute(session,
            "INSERT INTO events (id, dossier_id, type, side, source, source_event_key, "
            "source_version, occurred_at, actor, payload, is_public, recorded_at, outcome) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            event.id, event.dossier_id, event.type, detail::toString(event.side), source,
            event.source_event_key, event.source_version, event.occurred_at.toString(), event.actor,
            event.payload.dump(), event.is_public, now, toString(outcome));
}

std::string insertPushJob(Poco::Data::Session& session, const std::string& dossier_id,
                          const std::string& target, const std::string& event_id,
                          std::int64_t now) {
    NewJob job;
    job.kind = "push";
    job.target = target;
    job.event_id = event_id;
    const std::string id = common::uuidV7();
    detail::insertJob(session, id, dossier_id, job, now);
    execute(session,
            "UPDATE jobs SET push_seq = (SELECT COALESCE(MAX(push_seq), 0) + 1 FROM jobs "
            "WHERE dossier_id = ? AND kind = 'push') WHERE id = ?",
            dossier_id, id);
    return id;
}

// Whether the source's version was seen before (not newer than the newest recorded).
bool isStale(Poco::Data::Session& session, const sdk::Event& event, const std::string& source) {
    if (event.source_version.empty()) return false;
    auto last = queryOne<std::string>(
        session, "SELECT last_version FROM event_sources WHERE dossier_id = ? AND source = ?",
        event.dossier_id, source);
    return last && compareSourceVersions(event.source_version, *last) <= 0;
}

void rememberVersion(Poco::Data::Session& session, const sdk::Event& event,
                     const std::string& source) {
    if (event.source_version.empty() || isStale(session, event, source)) return;
    execute(session,
            "INSERT INTO event_sources (dossier_id, source, last_version) VALUES (?, ?, ?) "
            "ON CONFLICT (dossier_id, source) DO UPDATE SET last_version = excluded.last_version",
            event.dossier_id, source, event.source_version);
}

constexpr const char* kConflictColumns =
    "id, dossier_id, state, current_event_id, incoming_event_id, created_at, resolved_at, "
    "resolved_by, resolution";
using ConflictRow = Poco::Tuple<std::string, std::string, std::string, std::string, std::string,
                                std::int64_t, std::int64_t, std::string, std::string>;

std::optional<sdk::Event> loadEvent(Poco::Data::Session& session, const std::string& id) {
    auto row = queryOne<detail::EventRow>(
        session, std::string("SELECT ") + detail::kEventColumns + " FROM events WHERE id = ?", id);
    if (!row) return std::nullopt;
    return detail::toEvent(*row);
}

ConflictRecord toConflict(Poco::Data::Session& session, const ConflictRow& row) {
    ConflictRecord conflict;
    conflict.id = row.get<0>();
    conflict.dossier_id = row.get<1>();
    conflict.state = row.get<2>();
    if (auto event = loadEvent(session, row.get<3>())) conflict.current = std::move(*event);
    if (auto event = loadEvent(session, row.get<4>())) conflict.incoming = std::move(*event);
    conflict.created_at = row.get<5>();
    conflict.resolved_at = row.get<6>();
    conflict.resolved_by = row.get<7>();
    conflict.resolution = row.get<8>();
    return conflict;
}

}  // namespace

std::string_view toString(EventOutcome outcome) noexcept {
    switch (outcome) {
        case EventOutcome::Applied:
            return "applied";
        case EventOutcome::Stale:
            return "stale";
        case EventOutcome::Conflict:
            return "conflict";
        case EventOutcome::Duplicate:
            return "duplicate";
    }
    return "applied";
}

std::optional<EventOutcome> parseEventOutcome(std::string_view name) noexcept {
    for (EventOutcome outcome : {EventOutcome::Applied, EventOutcome::Stale, EventOutcome::Conflict,
                                 EventOutcome::Duplicate}) {
        if (toString(outcome) == name) return outcome;
    }
    return std::nullopt;
}

namespace detail {

EventRecord applyEvent(Poco::Data::Session& session, EventWrite write, std::int64_t now,
                       const std::vector<std::string>& push_targets,
                       TransitionAuthority authority) {
    sdk::Event& event = write.event;
    if (event.type.empty()) {
        throw WorkFailed(sdk::fail(sdk::ErrorCode::InvalidArgument, "event type is empty", "type"));
    }
    if (event.id.empty()) event.id = common::uuidV7();
    const DossierState state = loadState(session, event.dossier_id);
    EventRecord record;
    record.status = state.status;
    record.version = state.version;

    if (!event.source_event_key.empty()) {
        if (auto earlier = queryOne<std::string>(
                session,
                "SELECT id FROM events WHERE dossier_id = ? AND source = ? AND "
                "source_event_key = ?",
                event.dossier_id, write.source, event.source_event_key)) {
            record.event_id = *earlier;
            record.outcome = EventOutcome::Duplicate;
            return record;
        }
    }

    const bool is_status = event.type == sdk::event_type::kStatusChanged;
    std::optional<sdk::Status> target;
    if (is_status) {
        target = sdk::parseStatus(memberString(event.payload, "status"));
        if (!target) {
            throw WorkFailed(sdk::fail(sdk::ErrorCode::InvalidArgument,
                                       "a status change needs a known 'status', got '" +
                                           memberString(event.payload, "status") + "'",
                                       "status"));
        }
    }

    const std::string side(detail::toString(event.side));
    EventOutcome outcome = EventOutcome::Applied;
    if (is_status && isStale(session, event, write.source)) {
        outcome = EventOutcome::Stale;
    } else if (is_status) {
        const bool crossing = authority == TransitionAuthority::Source &&
                              sdk::isFinal(state.status) && sdk::isFinal(*target) &&
                              *target != state.status && state.status_side != side &&
                              (!write.based_on_version || *write.based_on_version < state.version);
        if (crossing) {
            outcome = EventOutcome::Conflict;
        } else if (auto allowed = checkTransition(state.status, *target, authority); !allowed) {
            throw WorkFailed(std::move(allowed).error());
        }
    }

    insertRecordedEvent(session, event, write.source, outcome, now);
    rememberVersion(session, event, write.source);
    record.event_id = event.id;
    record.outcome = outcome;

    if (outcome == EventOutcome::Conflict) {
        record.conflict_id = common::uuidV7();
        execute(session,
                "INSERT INTO conflicts (id, dossier_id, state, current_event_id, "
                "incoming_event_id, created_at) VALUES (?, ?, 'open', ?, ?, ?)",
                record.conflict_id, event.dossier_id, state.status_event_id, event.id, now);
        return record;
    }
    if (outcome != EventOutcome::Applied) return record;

    if (is_status) {
        const std::string code = subStatusMember(event.payload, "code");
        const std::string label = subStatusMember(event.payload, "label");
        // The portal's own status is what the portal last said (or was told).
        execute(session,
                "UPDATE dossiers SET status = ?, sub_status_code = ?, sub_status_label = ?, "
                "status_event_id = ?, status_side = ?, "
                "portal_status = CASE WHEN ? = 'portal' AND ? <> '' THEN ? ELSE portal_status END, "
                "version = version + 1, updated_at = ? WHERE id = ?",
                sdk::toString(*target), code, label, event.id, side, side, code, code, now,
                event.dossier_id);
        record.status = *target;
        record.version = state.version + 1;
    }
    const bool from_its_portal =
        event.side == sdk::EventSide::Portal && write.source == state.source;
    const bool pushes =
        std::find(push_targets.begin(), push_targets.end(), state.source) != push_targets.end();
    if (pushes && event.is_public && isPushed(event.type) && !from_its_portal) {
        record.push_job_id = insertPushJob(session, event.dossier_id, state.source, event.id, now);
    }
    return record;
}

void acknowledgeWhenDelivered(Poco::Data::Session& session, const std::string& dossier_id,
                              std::int64_t now, const std::vector<std::string>& push_targets) {
    auto open = queryOne<std::int64_t>(
        session,
        "SELECT COUNT(*) FROM jobs WHERE dossier_id = ? AND kind = 'deliver' AND state <> 'done'",
        dossier_id);
    if (open && *open > 0) return;
    if (loadState(session, dossier_id).status != sdk::Status::Submitted) return;
    EventWrite write;
    write.source = std::string(kRelaisSource);
    sdk::Event& event = write.event;
    event.dossier_id = dossier_id;
    event.type = std::string(sdk::event_type::kStatusChanged);
    event.side = sdk::EventSide::Relais;
    event.source_event_key = "acknowledged";
    event.occurred_at = sdk::Timestamp{now, 0};
    event.actor = "relais";
    event.is_public = true;
    event.payload = sdk::Json::object();
    event.payload.set("status", sdk::toString(sdk::Status::Acknowledged));
    sdk::Json links = sdk::Json::array();
    for (const auto& row : query<LinkRow>(session,
                                          std::string("SELECT ") + kLinkColumns +
                                              " FROM links WHERE dossier_id = ? ORDER BY target",
                                          dossier_id)) {
        const Link link = toLink(row);
        // The first application's id is the one the citizen is told (most dossiers have one).
        if (event.payload.find("business_id") == nullptr) {
            event.payload.set("business_id", link.business_id);
            if (!link.display_id.empty()) event.payload.set("display_id", link.display_id);
        }
        sdk::Json item = sdk::Json::object();
        item.set("target", link.target);
        item.set("business_id", link.business_id);
        if (!link.display_id.empty()) item.set("display_id", link.display_id);
        links.push(std::move(item));
    }
    event.payload.set("links", std::move(links));
    applyEvent(session, std::move(write), now, push_targets);
}

}  // namespace detail

sdk::Result<EventRecord> Store::recordEvent(EventWrite write) {
    if (write.event.dossier_id.empty()) {
        return sdk::fail(sdk::ErrorCode::InvalidArgument, "event dossier_id is empty",
                         "dossier_id");
    }
    if (write.event.id.empty()) write.event.id = common::uuidV7();
    const std::int64_t now = detail::nowMicros();
    EventRecord record;
    auto written = database_->write([&](Poco::Data::Session& session) {
        const std::optional<IdempotencyClaim>& claim = write.idempotency;
        if (claim) {
            using Row = Poco::Tuple<std::string, std::string>;
            if (auto seen = queryOne<Row>(session,
                                          "SELECT request_hash, response FROM idempotency_keys "
                                          "WHERE scope = ? AND key = ?",
                                          claim->scope, claim->key)) {
                if (seen->get<0>() != claim->request_hash) {
                    throw WorkFailed(sdk::fail(
                        sdk::ErrorCode::Conflict,
                        "Idempotency-Key '" + claim->key +
                            "' was used before with another body: use a new key for a new event",
                        "Idempotency-Key"));
                }
                record = recordFromJson(seen->get<1>());
                return;
            }
        }
        record = detail::applyEvent(session, write, now, pushTargets());
        if (claim) {
            execute(session,
                    "INSERT INTO idempotency_keys (scope, key, request_hash, status, response, "
                    "created_at, expires_at) VALUES (?, ?, ?, 0, ?, ?, ?)",
                    claim->scope, claim->key, claim->request_hash, recordJson(record), now,
                    now + kIdempotencyLifetimeMicros);
        }
    });
    if (!written) return std::move(written).error();
    return record;
}

sdk::Result<std::optional<sdk::Event>> Store::findEvent(const std::string& event_id) {
    std::optional<sdk::Event> event;
    auto read = database_->read(
        [&](Poco::Data::Session& session) { event = loadEvent(session, event_id); });
    if (!read) return std::move(read).error();
    return event;
}

sdk::Result<std::vector<sdk::Event>> Store::timeline(const std::string& dossier_id) {
    std::vector<sdk::Event> events;
    auto read = database_->read([&](Poco::Data::Session& session) {
        for (const auto& row :
             query<detail::EventRow>(session,
                                     std::string("SELECT ") + detail::kEventColumns +
                                         " FROM events WHERE dossier_id = ? AND is_public = 1 AND "
                                         "outcome = 'applied' ORDER BY seq",
                                     dossier_id)) {
            events.push_back(detail::toEvent(row));
        }
    });
    if (!read) return std::move(read).error();
    return events;
}

sdk::Result<StatusDetail> Store::statusDetail(const std::string& dossier_id) {
    StatusDetail detail_out;
    auto read = database_->read([&](Poco::Data::Session& session) {
        using Row = Poco::Tuple<std::string, std::string, std::string, std::string, std::string>;
        auto row = queryOne<Row>(session,
                                 "SELECT status, sub_status_code, sub_status_label, "
                                 "status_event_id, status_side FROM dossiers WHERE id = ?",
                                 dossier_id);
        if (!row) {
            throw WorkFailed(sdk::fail(sdk::ErrorCode::NotFound,
                                       "dossier " + dossier_id + " not found", "dossier_id"));
        }
        detail_out.status = sdk::parseStatus(row->get<0>()).value_or(sdk::Status::Submitted);
        detail_out.sub_status_code = row->get<1>();
        detail_out.sub_status_label = row->get<2>();
        detail_out.event_id = row->get<3>();
        detail_out.side = row->get<4>();
    });
    if (!read) return std::move(read).error();
    return detail_out;
}

sdk::Result<std::optional<std::string>> Store::findDossierByLink(const std::string& target,
                                                                 const std::string& business_id) {
    std::optional<std::string> id;
    auto read = database_->read([&](Poco::Data::Session& session) {
        id = queryOne<std::string>(
            session,
            "SELECT dossier_id FROM links WHERE target = ? AND business_id = ? "
            "ORDER BY created_at LIMIT 1",
            target, business_id);
    });
    if (!read) return std::move(read).error();
    return id;
}

sdk::Result<std::vector<ConflictRecord>> Store::conflicts(bool open_only, int limit) {
    if (limit <= 0) {
        return sdk::fail(sdk::ErrorCode::InvalidArgument, "limit must be positive", "limit");
    }
    std::vector<ConflictRecord> out;
    auto read = database_->read([&](Poco::Data::Session& session) {
        const std::string sql = std::string("SELECT ") + kConflictColumns + " FROM conflicts" +
                                (open_only ? " WHERE state = 'open'" : "") +
                                " ORDER BY created_at, id LIMIT ?";
        for (const auto& row : query<ConflictRow>(session, sql, limit)) {
            out.push_back(toConflict(session, row));
        }
    });
    if (!read) return std::move(read).error();
    return out;
}

sdk::Result<std::optional<ConflictRecord>> Store::findConflict(const std::string& id) {
    std::optional<ConflictRecord> out;
    auto read = database_->read([&](Poco::Data::Session& session) {
        if (auto row = queryOne<ConflictRow>(
                session, std::string("SELECT ") + kConflictColumns + " FROM conflicts WHERE id = ?",
                id)) {
            out = toConflict(session, *row);
        }
    });
    if (!read) return std::move(read).error();
    return out;
}

sdk::Result<EventRecord> Store::resolveConflict(const std::string& id,
                                                const ConflictResolution& resolution) {
    const std::int64_t now = detail::nowMicros();
    EventRecord record;
    auto written = database_->write([&](Poco::Data::Session& session) {
        auto row = queryOne<ConflictRow>(
            session, std::string("SELECT ") + kConflictColumns + " FROM conflicts WHERE id = ?",
            id);
        if (!row) {
            throw WorkFailed(
                sdk::fail(sdk::ErrorCode::NotFound, "conflict " + id + " not found", "id"));
        }
        const ConflictRecord conflict = toConflict(session, *row);
        if (conflict.state != "open") {
            throw WorkFailed(sdk::fail(sdk::ErrorCode::Conflict,
                                       "conflict " + id + " is already resolved", "id"));
        }
        const sdk::Event* chosen = nullptr;
        if (resolution.winner == "current") {
            chosen = &conflict.current;
        } else if (resolution.winner == "incoming") {
            chosen = &conflict.incoming;
        } else if (!resolution.winner.empty()) {
            throw WorkFailed(sdk::fail(sdk::ErrorCode::InvalidArgument,
                                       "winner must be 'current' or 'incoming'", "winner"));
        }
        std::string status = resolution.status;
        std::string code = resolution.sub_status_code;
        std::string label = resolution.sub_status_label;
        if (chosen != nullptr) {
            status = memberString(chosen->payload, "status");
            if (code.empty()) code = subStatusMember(chosen->payload, "code");
            if (label.empty()) label = subStatusMember(chosen->payload, "label");
        }
        if (!sdk::parseStatus(status)) {
            throw WorkFailed(sdk::fail(sdk::ErrorCode::InvalidArgument,
                                       "give a 'winner' or a known 'status'", "status"));
        }
        EventWrite write;
        write.source = std::string(detail::kRelaisSource);
        sdk::Event& event = write.event;
        event.dossier_id = conflict.dossier_id;
        event.type = std::string(sdk::event_type::kStatusChanged);
        event.side = sdk::EventSide::Relais;
        event.source_event_key = "conflict:" + id;
        event.occurred_at = sdk::Timestamp{now, 0};
        event.actor = resolution.actor;
        event.is_public = true;
        event.payload = sdk::Json::object();
        event.payload.set("status", status);
        if (!code.empty() || !label.empty()) {
            sdk::Json sub = sdk::Json::object();
            sub.set("code", code);
            sub.set("label", label);
            event.payload.set("sub_status", std::move(sub));
        }
        if (!resolution.message.empty()) event.payload.set("message", resolution.message);
        event.payload.set("conflict_id", id);
        record = detail::applyEvent(session, std::move(write), now, pushTargets(),
                                    TransitionAuthority::Operator);
        execute(session,
                "UPDATE conflicts SET state = 'resolved', resolved_at = ?, resolved_by = ?, "
                "resolution = ? WHERE id = ?",
                now, resolution.actor, status, id);
    });
    if (!written) return std::move(written).error();
    return record;
}

}  // namespace relais::store
