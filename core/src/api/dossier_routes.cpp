// SPDX-License-Identifier: AGPL-3.0-or-later
// Portal-facing dossier routes: webhook ingest through an adapter, tracking, event log.

#include "relais/api/routes.h"
#include "relais/config/config.h"
#include "relais/http/client.h"
#include "relais/http/router.h"
#include "relais/log/log.h"
#include "relais/plugin/instance.h"
#include "relais/store/store.h"

#include "dossier_json.h"

namespace relais::api {
namespace {

http::Response forbidden(std::string_view detail) {
    return http::problem(403, "Forbidden", detail);
}

// Routes of the config that take dossiers of `procedure`, as outbox jobs.
std::vector<store::NewJob> jobsFor(const config::Config& config, const std::string& procedure) {
    std::vector<store::NewJob> jobs;
    for (const auto& route : config.routes) {
        if (route.procedure != procedure && route.procedure != "*") continue;
        store::NewJob job;
        job.kind = "deliver";
        job.route = route.name;
        job.target = route.connector;
        jobs.push_back(std::move(job));
    }
    return jobs;
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

    sdk::Json results = sdk::Json::array();
    bool all_duplicates = true;
    for (auto& dossier : batch->dossiers) {
        store::IngestRequest ingest;
        ingest.jobs = jobsFor(context.config, dossier.procedure);
        ingest.raw_body = request.body;
        ingest.raw_content_type = in.content_type;
        ingest.dossier = std::move(dossier);
        auto outcome = context.store.ingest(std::move(ingest));
        if (!outcome) return http::problemFromError(outcome.error());
        all_duplicates = all_duplicates && !outcome->created;
        sdk::Json item = sdk::Json::object();
        item.set("id", outcome->dossier_id);
        item.set("status_url", "/v1/dossiers/" + outcome->dossier_id);
        if (!outcome->created) item.set("duplicate", true);
        results.push(std::move(item));
        context.logger.info(outcome->created ? "dossier stored" : "dossier replayed",
                            {{"dossier_id", outcome->dossier_id},
                             {"adapter", name},
                             {"request_id", request.request_id}});
    }
    // A replayed webhook is answered like the first time, with the same id: the portal may
    // not have seen the first answer.
    const int status = all_duplicates ? 200 : 202;
    if (results.size() == 1) return http::jsonResponse(status, *results.at(0));
    sdk::Json body = sdk::Json::object();
    body.set("dossiers", std::move(results));
    return http::jsonResponse(status, body);
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
