// SPDX-License-Identifier: AGPL-3.0-or-later
// Portal-facing dossier routes: webhook ingest through an adapter, tracking, event log.

#include "relais/api/routes.h"
#include "relais/common/strings.h"
#include "relais/config/config.h"
#include "relais/http/authenticator.h"
#include "relais/http/router.h"
#include "relais/log/log.h"
#include "relais/mapping/mapping.h"
#include "relais/pipeline/delivery.h"
#include "relais/pipeline/ingest.h"
#include "relais/pipeline/routes.h"
#include "relais/pipeline/status_sync.h"
#include "relais/pipeline/sync_delivery.h"
#include "relais/plugin/instance.h"
#include "relais/store/store.h"

#include "dossier_json.h"
#include "publik_envelope.h"

namespace relais::api {
namespace {

http::Response forbidden(std::string_view detail) {
    return http::problem(403, "Forbidden", detail);
}

// True when `text` nests arrays and objects deeper than `limit` (strings skipped). Adapters
// parse bodies with their own defaults; this applies the operator's <limits max-json-depth>
// to every JSON body before any adapter sees it.
bool nestsDeeperThan(std::string_view text, int limit) noexcept {
    int depth = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\') {
                ++i;
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > limit) return true;
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return false;
}

bool isJson(std::string_view content_type) {
    std::string base = common::toLower(content_type.substr(0, content_type.find(';')));
    while (!base.empty() && base.back() == ' ') base.pop_back();
    return base == "application/json" ||
           (base.starts_with("application/") && base.ends_with("+json"));
}

// The HTTP response for a synchronous route's answer (pipeline/sync_delivery.h);
// `delivered_status` is 201 for a new dossier, 200 for a replay.
http::Response syncResponse(const pipeline::SyncAnswer& answer, const sdk::Dossier& dossier,
                            int delivered_status) {
    sdk::Json body = sdk::Json::object();
    body.set("id", dossier.id);
    body.set("status_url", "/v1/dossiers/" + dossier.id);
    switch (answer.kind) {
        case pipeline::SyncAnswer::Kind::Delivered: {
            if (answer.mapped) {
                http::Response response;
                response.status = delivered_status;
                response.content_type = answer.mapped->content_type;
                response.body = answer.mapped->body;
                return response;
            }
            body.set("business_id", answer.business_id);
            if (!answer.display_id.empty()) body.set("display_id", answer.display_id);
            return http::jsonResponse(delivered_status, body);
        }
        case pipeline::SyncAnswer::Kind::AwaitingAcknowledgement:
            body.set("delivery", "awaiting_acknowledgement");
            return http::jsonResponse(202, body);
        case pipeline::SyncAnswer::Kind::DeliveryPending:
            body.set("duplicate", true);
            body.set("delivery", "pending");
            return http::jsonResponse(202, body);
        case pipeline::SyncAnswer::Kind::Failed:
            break;
    }
    // A 502 for a synchronous delivery that failed, saying what happens next.
    sdk::Json problem = sdk::Json::object();
    problem.set("type", "urn:relais:problem:delivery-failed");
    problem.set("title", "Bad Gateway");
    problem.set("status", 502);
    problem.set("detail", "the dossier was stored, but its delivery to '" + answer.target +
                              "' failed: " + answer.failure +
                              (answer.retrying ? " (it will be retried)"
                                               : " (it is on the dead-letter list)"));
    problem.set("dossier_id", dossier.id);
    problem.set("status_url", "/v1/dossiers/" + dossier.id);
    problem.set("retrying", answer.retrying);
    http::Response response = http::jsonResponse(502, problem);
    response.content_type = "application/problem+json";
    return response;
}

http::Response ingestOne(Context& context, http::Request& request, plugin::Instance& adapter,
                         sdk::Dossier dossier, const std::string& content_type) {
    auto result = context.ingestor.ingest(std::move(dossier), request.body, content_type, &adapter);
    if (!result) return http::problemFromError(result.error());
    const sdk::Dossier& stored = result->dossier;
    context.logger.info(result->created ? "dossier stored" : "dossier replayed",
                        {{"dossier_id", stored.id},
                         {"adapter", adapter.name()},
                         {"request_id", request.request_id}});

    if (!result->created) {
        auto replay = pipeline::replaySync(context.store, context.routes, stored);
        if (!replay) return http::problemFromError(replay.error());
        if (*replay) return syncResponse(**replay, stored, 200);
        sdk::Json body = sdk::Json::object();
        body.set("id", stored.id);
        body.set("status_url", "/v1/dossiers/" + stored.id);
        body.set("duplicate", true);
        // The portal may not have seen the first answer: same id, nothing created.
        return http::jsonResponse(200, body);
    }
    if (result->sync_route != nullptr) {
        auto answer = pipeline::deliverSync(context.delivery, *result);
        if (!answer) return http::problemFromError(answer.error());
        return syncResponse(*answer, stored, 201);
    }
    sdk::Json body = sdk::Json::object();
    body.set("id", stored.id);
    body.set("status_url", "/v1/dossiers/" + stored.id);
    return http::jsonResponse(202, body);
}

// Events a portal sent on its dossiers (a withdrawal, a citizen's message or document): each
// goes through status sync, side portal, from this adapter instance; they may name only
// dossiers that came from this instance. The answer lists what became of each; the first
// refusal (unknown dossier, transition outside the lifecycle) is the answer when alone.
http::Response applyPortalEvents(Context& context, const http::Request& request,
                                 plugin::Instance& adapter, sdk::InboundBatch& batch) {
    sdk::Json results = sdk::Json::array();
    for (auto& inbound : batch.events) {
        const std::string key = inbound.source_key;
        if (!inbound.dossier_id.empty()) {
            auto found = context.store.findDossier(inbound.dossier_id);
            if (!found) return http::problemFromError(found.error());
            if (!found->has_value() || (*found)->source != adapter.name()) {
                // Another portal's dossier is as unknown as a missing one.
                inbound.dossier_id.clear();
                inbound.source_key = inbound.source_key.empty() ? "?" : inbound.source_key;
            }
        }
        inbound.business_id.clear();  // a portal names its own id, never an application's
        auto applied = context.status_sync.applyInbound(std::move(inbound), sdk::EventSide::Portal,
                                                        adapter.name());
        if (!applied && batch.events.size() == 1) return http::problemFromError(applied.error());
        sdk::Json item = sdk::Json::object();
        if (!key.empty()) item.set("source_key", key);
        if (applied) {
            item.set("event_id", applied->event_id);
            item.set("outcome", std::string(store::toString(applied->outcome)));
            item.set("status", std::string(sdk::toString(applied->status)));
        } else {
            item.set("error", applied.error().message);
            context.logger.warn("portal event not applied", {{"adapter", adapter.name()},
                                                             {"source_key", key},
                                                             {"request_id", request.request_id},
                                                             {"error", applied.error().message}});
        }
        results.push(std::move(item));
    }
    sdk::Json body = sdk::Json::object();
    body.set("events", std::move(results));
    return http::jsonResponse(202, body);
}

http::Response inboundAnswer(Context& context, http::Request& request) {
    const std::string name = request.param("instance");
    plugin::Instance* adapter = context.instances.find(name);
    if (adapter == nullptr || adapter->kind() != sdk::PluginKind::Adapter) {
        return http::problem(404, "Not Found", "no adapter instance '" + name + "'", "instance");
    }
    if (!request.client->mayUseInstance(name)) {
        return forbidden("client '" + request.client->name() + "' may not use adapter '" + name +
                         "'");
    }

    sdk::InboundRequest in;
    in.method = request.method;
    in.path = request.path;
    in.query = request.query;
    in.headers = request.headers;
    in.content_type = request.header("Content-Type");
    const int max_depth = context.config.server.limits.max_json_depth;
    if (isJson(in.content_type) && nestsDeeperThan(request.body, max_depth)) {
        return http::problem(400, "Bad Request",
                             "the body's nesting of arrays and objects is deeper than " +
                                 std::to_string(max_depth) + " levels (limits max-json-depth)");
    }
    in.body = request.body;
    in.client = request.client->name();
    auto batch = adapter->parseInbound(in);
    if (!batch) return http::problemFromError(batch.error());
    if (batch->dossiers.empty() && batch->events.empty()) {
        return http::problem(400, "Bad Request", "the request carried no dossier");
    }
    if (batch->dossiers.empty()) return applyPortalEvents(context, request, *adapter, *batch);
    // Check every right before writing anything: nothing half-written.
    for (const auto& dossier : batch->dossiers) {
        if (!request.client->mayUseProcedure(dossier.procedure)) {
            return forbidden("client '" + request.client->name() +
                             "' may not submit dossiers of procedure '" + dossier.procedure + "'");
        }
    }
    if (batch->dossiers.size() == 1) {
        http::Response response = ingestOne(context, request, *adapter,
                                            std::move(batch->dossiers.front()), in.content_type);
        if (!batch->events.empty()) (void)applyPortalEvents(context, request, *adapter, *batch);
        return response;
    }
    // Several dossiers in one call (a portal's batch export): each is stored on its own;
    // the answer lists each one's outcome.
    sdk::Json results = sdk::Json::array();
    for (auto& dossier : batch->dossiers) {
        const std::string key = dossier.source_key;
        const http::Response one =
            ingestOne(context, request, *adapter, std::move(dossier), in.content_type);
        sdk::Json item = sdk::Json::object();
        item.set("source_key", key);
        item.set("status", one.status);
        auto parsed = sdk::Json::parse(one.body);
        item.set("result", parsed ? std::move(parsed).value() : sdk::Json(one.body));
        results.push(std::move(item));
    }
    if (!batch->events.empty()) (void)applyPortalEvents(context, request, *adapter, *batch);
    sdk::Json body = sdk::Json::object();
    body.set("dossiers", std::move(results));
    return http::jsonResponse(207, body);
}

// True when the route's adapter instance wants its answers in the Publik envelope.
bool answersInPublikEnvelope(Context& context, const http::Request& request) {
    const plugin::Instance* adapter = context.instances.find(request.param("instance"));
    return adapter != nullptr && adapter->kind() == sdk::PluginKind::Adapter &&
           (adapter->descriptor().flags & sdk::plugin_flag::kPublikAnswers) != 0;
}

// A portal posts here: in the Publik envelope for an adapter that asks for it (a w.c.s.
// webservice call stores `data.id`), the core's own documents otherwise.
http::Response inbound(Context& context, http::Request& request) {
    http::Response answer = inboundAnswer(context, request);
    if (!answersInPublikEnvelope(context, request)) return answer;
    return publikEnvelope(std::move(answer));
}

// Loads a dossier the client may read, or the problem to answer.
std::optional<http::Response> loadReadable(Context& context, const http::Request& request,
                                           std::optional<sdk::Dossier>& out) {
    auto found = context.store.findDossier(request.param("id"));
    if (!found) return http::problemFromError(found.error());
    if (!found->has_value()) {
        return http::problem(404, "Not Found", "no dossier '" + request.param("id") + "'", "id");
    }
    if (!request.client->mayUseProcedure((*found)->procedure)) {
        return forbidden("client '" + request.client->name() +
                         "' may not read dossiers of procedure '" + (*found)->procedure + "'");
    }
    out = std::move(found).value();
    return std::nullopt;
}

http::Response tracking(Context& context, http::Request& request) {
    std::optional<sdk::Dossier> dossier;
    if (auto refused = loadReadable(context, request, dossier)) return *refused;
    // Jobs before links: a job is done in the transaction that records its link, so a done
    // delivery read here always finds its link in the read after it.
    auto jobs = context.store.jobsOfDossier(dossier->id);
    if (!jobs) return http::problemFromError(jobs.error());
    auto links = context.store.links(dossier->id);
    if (!links) return http::problemFromError(links.error());
    auto detail = context.store.statusDetail(dossier->id);
    if (!detail) return http::problemFromError(detail.error());
    sdk::Json body = trackingJson(*dossier, *links, *jobs);
    if (!detail->sub_status_code.empty() || !detail->sub_status_label.empty()) {
        sdk::Json sub = sdk::Json::object();
        sub.set("code", detail->sub_status_code);
        sub.set("label", detail->sub_status_label);
        body.set("sub_status", std::move(sub));
    }
    return http::jsonResponse(200, body);
}

http::Response events(Context& context, http::Request& request) {
    std::optional<sdk::Dossier> dossier;
    if (auto refused = loadReadable(context, request, dossier)) return *refused;
    const std::string public_only = request.queryParam("public");
    if (!public_only.empty() && public_only != "0" && public_only != "1") {
        return http::problem(400, "Bad Request", "'public' must be 0 or 1", "public");
    }
    auto list = context.store.events(dossier->id, public_only == "1");
    if (!list) return http::problemFromError(list.error());
    sdk::Json items = sdk::Json::array();
    for (const auto& event : *list) items.push(eventJson(event));
    sdk::Json body = sdk::Json::object();
    body.set("dossier_id", dossier->id);
    body.set("events", std::move(items));
    return http::jsonResponse(200, body);
}

}  // namespace

void addDossierRoutes(http::Router& router, Context& context) {
    router.add({"POST", "/v1/adapters/{instance}/inbound", "adapter_inbound",
                std::string(http::rights::kDossiersSubmit),
                [&context](http::Request& request) { return inbound(context, request); }, 0});
    // Refused before the handler (credentials, rights, size): the same envelope.
    router.setRefusalShaper("adapter_inbound",
                            [&context](const http::Request& request, http::Response& answer) {
                                if (answersInPublikEnvelope(context, request)) {
                                    answer = publikEnvelope(std::move(answer));
                                }
                            });
    router.add({"GET", "/v1/dossiers/{id}", "dossier_get", std::string(http::rights::kDossiersRead),
                [&context](http::Request& request) { return tracking(context, request); }, 0});
    router.add({"GET", "/v1/dossiers/{id}/events", "dossier_events",
                std::string(http::rights::kDossiersRead),
                [&context](http::Request& request) { return events(context, request); }, 0});
}

}  // namespace relais::api
