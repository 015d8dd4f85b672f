// SPDX-License-Identifier: AGPL-3.0-or-later
#include "dossier_json.h"

namespace relais::api {
namespace {

std::string microsToUtc(std::int64_t micros) {
    return micros == 0 ? std::string() : sdk::Timestamp{micros, 0}.toUtcString();
}

}  // namespace

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

sdk::Json trackingJson(const sdk::Dossier& dossier, const std::vector<store::Link>& links,
                       const std::vector<store::Job>& jobs) {
    sdk::Json out = sdk::Json::object();
    out.set("id", dossier.id);
    out.set("source", dossier.source);
    out.set("source_key", dossier.source_key);
    out.set("procedure", dossier.procedure);
    out.set("status", std::string(sdk::toString(dossier.status)));
    if (!dossier.portal_status.empty()) out.set("portal_status", dossier.portal_status);
    out.set("submitted_at", dossier.submitted_at.toString());
    out.set("version", dossier.version);

    sdk::Json link_list = sdk::Json::array();
    for (const auto& link : links) {
        sdk::Json item = sdk::Json::object();
        item.set("target", link.target);
        item.set("business_id", link.business_id);
        if (!link.display_id.empty()) item.set("display_id", link.display_id);
        item.set("created_at", microsToUtc(link.created_at));
        link_list.push(std::move(item));
    }
    out.set("links", std::move(link_list));

    // Deliveries to applications, and pushes of the dossier's events back to its portal.
    sdk::Json deliveries = sdk::Json::array();
    sdk::Json pushes = sdk::Json::array();
    for (const auto& job : jobs) (job.kind == "push" ? pushes : deliveries).push(jobJson(job));
    out.set("deliveries", std::move(deliveries));
    if (pushes.size() > 0) out.set("pushes", std::move(pushes));
    return out;
}

sdk::Json jobJson(const store::Job& job) {
    sdk::Json item = sdk::Json::object();
    item.set("job_id", job.id);
    item.set("dossier_id", job.dossier_id);
    item.set("kind", job.kind);
    item.set("route", job.route);
    item.set("target", job.target);
    item.set("state", std::string(store::toString(job.state)));
    item.set("attempts", job.attempts);
    item.set("idempotency_key", job.idempotency_key);
    if (job.state == store::JobState::Pending && job.next_attempt_at != 0) {
        item.set("next_attempt_at", microsToUtc(job.next_attempt_at));
    }
    if (!job.event_id.empty()) item.set("event_id", job.event_id);
    if (!job.last_error.empty()) item.set("last_error", job.last_error);
    item.set("created_at", microsToUtc(job.created_at));
    item.set("updated_at", microsToUtc(job.updated_at));
    return item;
}

sdk::Json eventJson(const sdk::Event& event) {
    sdk::Json out = sdk::Json::object();
    out.set("id", event.id);
    out.set("type", event.type);
    out.set("side", std::string(toString(event.side)));
    out.set("occurred_at", event.occurred_at.toString());
    if (!event.actor.empty()) out.set("actor", event.actor);
    if (!event.source_event_key.empty()) out.set("source_event_key", event.source_event_key);
    out.set("public", event.is_public);
    out.set("payload", event.payload);
    return out;
}

}  // namespace relais::api
