// SPDX-License-Identifier: AGPL-3.0-or-later
// Status sync routes: events from business applications (by relais id or through their
// link), the citizen's timeline, and the conflicts operators resolve (docs/status-sync.md).

#include <optional>
#include <string>
#include <utility>

#include "relais/api/routes.h"
#include "relais/common/crypto.h"
#include "relais/http/authenticator.h"
#include "relais/http/router.h"
#include "relais/pipeline/status_sync.h"
#include "relais/sdk/clock.h"
#include "relais/store/store.h"

#include "dossier_json.h"
#include "event_json.h"

namespace relais::api {
namespace {

constexpr int kConflictListLimit = 500;

http::Response forbidden(std::string_view detail) {
    return http::problem(403, "Forbidden", detail);
}

// The dossier `id` if the client may act on its procedure, or the problem to answer.
std::optional<http::Response> loadAllowed(Context& context, const http::Request& request,
                                          const std::string& id, std::optional<sdk::Dossier>& out) {
    auto found = context.store.findDossier(id);
    if (!found) return http::problemFromError(found.error());
    if (!found->has_value())
        return http::problem(404, "Not Found", "no dossier '" + id + "'", "id");
    if (!request.client->mayUseProcedure((*found)->procedure)) {
        return forbidden("client '" + request.client->name() +
                         "' may not act on dossiers of procedure '" + (*found)->procedure + "'");
    }
    out = std::move(found).value();
    return std::nullopt;
}

// Records a business application's event on `dossier_id` (both POST routes).
http::Response recordBusinessEvent(Context& context, http::Request& request,
                                   const std::string& dossier_id) {
    const std::string key = request.header("Idempotency-Key");
    if (key.empty()) {
        return http::problem(400, "Bad Request",
                             "an Idempotency-Key header is required (the same key for every "
                             "retry of one event)",
                             "Idempotency-Key");
    }
    if (key.size() > 200) {
        return http::problem(400, "Bad Request", "Idempotency-Key is longer than 200 bytes",
                             "Idempotency-Key");
    }
    auto body =
        parseEventBody(request.body, context.clock.now(),
                       static_cast<std::size_t>(context.config.server.limits.max_identifier_bytes));
    if (!body) return http::problemFromError(body.error());
    store::EventWrite write;
    write.event = std::move(body->event);
    write.event.dossier_id = dossier_id;
    write.event.side = sdk::EventSide::Backoffice;
    if (write.event.actor.empty()) write.event.actor = request.client->name();
    write.source = request.client->name();
    write.based_on_version = body->based_on_version;
    write.idempotency = store::IdempotencyClaim{"events:" + request.client->name(), key,
                                                common::sha256Hex(request.body)};
    auto recorded = context.status_sync.record(std::move(write));
    if (!recorded) return http::problemFromError(recorded.error());
    const int status = recorded->outcome == store::EventOutcome::Duplicate ? 200 : 201;
    http::Response response = http::jsonResponse(status, eventRecordJson(dossier_id, *recorded));
    if (recorded->replayed) response.headers.emplace_back("Idempotent-Replayed", "true");
    return response;
}

http::Response postByDossier(Context& context, http::Request& request) {
    std::optional<sdk::Dossier> dossier;
    if (auto refused = loadAllowed(context, request, request.param("id"), dossier)) {
        return *refused;
    }
    return recordBusinessEvent(context, request, dossier->id);
}

http::Response postByLink(Context& context, http::Request& request) {
    const std::string connector = request.param("connector");
    const std::string business_id = request.param("business_id");
    if (!request.client->mayUseInstance(connector)) {
        return forbidden("client '" + request.client->name() + "' may not use connector '" +
                         connector + "'");
    }
    auto found = context.store.findDossierByLink(connector, business_id);
    if (!found) return http::problemFromError(found.error());
    if (!found->has_value()) {
        return http::problem(
            404, "Not Found",
            "connector '" + connector + "' delivered no dossier known as '" + business_id + "'",
            "business_id");
    }
    std::optional<sdk::Dossier> dossier;
    if (auto refused = loadAllowed(context, request, **found, dossier)) return *refused;
    return recordBusinessEvent(context, request, dossier->id);
}

http::Response timeline(Context& context, http::Request& request) {
    std::optional<sdk::Dossier> dossier;
    if (auto refused = loadAllowed(context, request, request.param("id"), dossier)) {
        return *refused;
    }
    auto events = context.store.timeline(dossier->id);
    if (!events) return http::problemFromError(events.error());
    auto detail = context.store.statusDetail(dossier->id);
    if (!detail) return http::problemFromError(detail.error());
    sdk::Json items = sdk::Json::array();
    for (const auto& event : *events) items.push(timelineEntryJson(event));
    sdk::Json body = sdk::Json::object();
    body.set("dossier_id", dossier->id);
    body.set("status", std::string(sdk::toString(detail->status)));
    if (!detail->sub_status_label.empty()) body.set("label", detail->sub_status_label);
    body.set("events", std::move(items));
    return http::jsonResponse(200, body);
}

http::Response listConflicts(Context& context, http::Request& request) {
    const std::string state = request.queryParam("state");
    if (!state.empty() && state != "open" && state != "all") {
        return http::problem(400, "Bad Request", "'state' must be open or all", "state");
    }
    auto list = context.store.conflicts(state != "all", kConflictListLimit);
    if (!list) return http::problemFromError(list.error());
    sdk::Json items = sdk::Json::array();
    for (const auto& conflict : *list) items.push(conflictJson(conflict));
    sdk::Json body = sdk::Json::object();
    body.set("conflicts", std::move(items));
    return http::jsonResponse(200, body);
}

http::Response getConflict(Context& context, http::Request& request) {
    auto found = context.store.findConflict(request.param("id"));
    if (!found) return http::problemFromError(found.error());
    if (!found->has_value()) {
        return http::problem(404, "Not Found", "no conflict '" + request.param("id") + "'", "id");
    }
    return http::jsonResponse(200, conflictJson(**found));
}

http::Response resolveConflict(Context& context, http::Request& request) {
    auto resolution = parseResolution(request.body);
    if (!resolution) return http::problemFromError(resolution.error());
    resolution->actor = request.client->name();
    auto resolved = context.status_sync.resolveConflict(request.param("id"), *resolution);
    if (!resolved) return http::problemFromError(resolved.error());
    auto found = context.store.findConflict(request.param("id"));
    if (!found || !found->has_value()) return http::problemFromError(found.error());
    sdk::Json body = conflictJson(**found);
    body.set("event_id", resolved->event_id);
    body.set("status", std::string(sdk::toString(resolved->status)));
    return http::jsonResponse(200, body);
}

}  // namespace

void addStatusSyncRoutes(http::Router& router, Context& context) {
    const std::string events_write(http::rights::kEventsWrite);
    const std::string conflicts(http::rights::kAdmin);
    router.add({"POST", "/v1/dossiers/{id}/events", "dossier_event_post", events_write,
                [&context](http::Request& r) { return postByDossier(context, r); }, 0});
    router.add({"POST", "/v1/links/{connector}/{business_id}/events", "link_event_post",
                events_write, [&context](http::Request& r) { return postByLink(context, r); }, 0});
    router.add({"GET", "/v1/dossiers/{id}/timeline", "dossier_timeline",
                std::string(http::rights::kDossiersRead),
                [&context](http::Request& r) { return timeline(context, r); }, 0});
    router.add({"GET", "/v1/conflicts", "conflicts_list", conflicts,
                [&context](http::Request& r) { return listConflicts(context, r); }, 0});
    router.add({"GET", "/v1/conflicts/{id}", "conflict_get", conflicts,
                [&context](http::Request& r) { return getConflict(context, r); }, 0});
    router.add({"POST", "/v1/conflicts/{id}/resolve", "conflict_resolve", conflicts,
                [&context](http::Request& r) { return resolveConflict(context, r); }, 0});
}

}  // namespace relais::api
