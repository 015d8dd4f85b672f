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
#include "relais/plugin/instance.h"
#include "relais/store/store.h"

#include "dossier_json.h"

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

// The body of a synchronous answer: the route's response mapping applied to the delivery's
// outcome, or relais's own shape.
sdk::Result<http::Response> syncAnswer(int status, const pipeline::Route& route,
                                       const sdk::Dossier& dossier, const std::string& business_id,
                                       const std::string& display_id,
                                       const sdk::Json& application_response) {
    if (!route.response_mapping) {
        sdk::Json body = sdk::Json::object();
        body.set("id", dossier.id);
        body.set("status_url", "/v1/dossiers/" + dossier.id);
        body.set("business_id", business_id);
        if (!display_id.empty()) body.set("display_id", display_id);
        return http::jsonResponse(status, body);
    }
    sdk::Dossier outcome = dossier;
    outcome.fields = sdk::Json::object();
    outcome.fields.set("dossier_id", dossier.id);
    outcome.fields.set("source_key", dossier.source_key);
    outcome.fields.set("procedure", dossier.procedure);
    outcome.fields.set("business_id", business_id);
    outcome.fields.set("display_id", display_id);
    outcome.fields.set("response", application_response);
    auto mapped = route.response_mapping->apply(outcome);
    if (!mapped) return std::move(mapped).error();
    http::Response response;
    response.status = status;
    response.content_type = mapped->content_type;
    response.body = std::move(mapped->body);
    return response;
}

// A 502 for a synchronous delivery that failed, saying what happens next.
http::Response syncFailure(const pipeline::Route& route, const std::string& dossier_id,
                           const pipeline::DeliveryReport& report) {
    const bool retrying = report.outcome == pipeline::DeliveryOutcome::Retrying ||
                          report.outcome == pipeline::DeliveryOutcome::NotRecorded;
    sdk::Json body = sdk::Json::object();
    body.set("type", "urn:relais:problem:delivery-failed");
    body.set("title", "Bad Gateway");
    body.set("status", 502);
    body.set("detail",
             "the dossier was stored, but its delivery to '" + route.target +
                 "' failed: " + report.error.message +
                 (retrying ? " (it will be retried)" : " (it is on the dead-letter list)"));
    body.set("dossier_id", dossier_id);
    body.set("status_url", "/v1/dossiers/" + dossier_id);
    body.set("retrying", retrying);
    http::Response response = http::jsonResponse(502, body);
    response.content_type = "application/problem+json";
    return response;
}

// A replayed webhook on a synchronous route: the first delivery's answer when it is done.
http::Response syncReplay(Context& context, const pipeline::Route& route,
                          const sdk::Dossier& dossier) {
    auto links = context.store.links(dossier.id);
    if (!links) return http::problemFromError(links.error());
    for (const auto& link : *links) {
        if (link.target != route.target) continue;
        auto answer = syncAnswer(200, route, dossier, link.business_id, link.display_id, {});
        if (!answer) return http::problemFromError(answer.error());
        return std::move(answer).value();
    }
    sdk::Json body = sdk::Json::object();
    body.set("id", dossier.id);
    body.set("status_url", "/v1/dossiers/" + dossier.id);
    body.set("duplicate", true);
    body.set("delivery", "pending");
    return http::jsonResponse(202, body);
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
        for (const pipeline::Route* route : context.routes.matching(stored)) {
            if (route->sync) return syncReplay(context, *route, stored);
        }
        sdk::Json body = sdk::Json::object();
        body.set("id", stored.id);
        body.set("status_url", "/v1/dossiers/" + stored.id);
        body.set("duplicate", true);
        // The portal may not have seen the first answer: same id, nothing created.
        return http::jsonResponse(200, body);
    }
    if (result->sync_route != nullptr) {
        const pipeline::Route& route = *result->sync_route;
        const auto report = context.delivery.run(
            result->sync_job, stored, std::move(result->sync_payload), route.dead_on_sync_failure);
        switch (report.outcome) {
            case pipeline::DeliveryOutcome::Delivered: {
                auto answer = syncAnswer(201, route, stored, report.receipt.business_id,
                                         report.receipt.display_id, report.receipt.response);
                if (!answer) return http::problemFromError(answer.error());
                return std::move(answer).value();
            }
            case pipeline::DeliveryOutcome::AwaitingAcknowledgement: {
                sdk::Json body = sdk::Json::object();
                body.set("id", stored.id);
                body.set("status_url", "/v1/dossiers/" + stored.id);
                body.set("delivery", "awaiting_acknowledgement");
                return http::jsonResponse(202, body);
            }
            default:
                return syncFailure(route, stored.id, report);
        }
    }
    sdk::Json body = sdk::Json::object();
    body.set("id", stored.id);
    body.set("status_url", "/v1/dossiers/" + stored.id);
    return http::jsonResponse(202, body);
}

http::Response inbound(Context& context, http::Request& request) {
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
    if (batch->dossiers.empty()) {
        return http::problem(400, "Bad Request", "the request carried no dossier");
    }
    // Check every right before writing anything: nothing half-written.
    for (const auto& dossier : batch->dossiers) {
        if (!request.client->mayUseProcedure(dossier.procedure)) {
            return forbidden("client '" + request.client->name() +
                             "' may not submit dossiers of procedure '" + dossier.procedure + "'");
        }
    }
    if (batch->dossiers.size() == 1) {
        return ingestOne(context, request, *adapter, std::move(batch->dossiers.front()),
                         in.content_type);
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
    sdk::Json body = sdk::Json::object();
    body.set("dossiers", std::move(results));
    return http::jsonResponse(207, body);
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
    auto links = context.store.links(dossier->id);
    if (!links) return http::problemFromError(links.error());
    auto jobs = context.store.jobsOfDossier(dossier->id);
    if (!jobs) return http::problemFromError(jobs.error());
    return http::jsonResponse(200, trackingJson(*dossier, *links, *jobs));
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
    router.add({"GET", "/v1/dossiers/{id}", "dossier_get", std::string(http::rights::kDossiersRead),
                [&context](http::Request& request) { return tracking(context, request); }, 0});
    router.add({"GET", "/v1/dossiers/{id}/events", "dossier_events",
                std::string(http::rights::kDossiersRead),
                [&context](http::Request& request) { return events(context, request); }, 0});
}

}  // namespace relais::api
