// SPDX-License-Identifier: AGPL-3.0-or-later
// Operator routes on the outbox: list jobs (the dead-letter list first of all), replay one,
// redeliver a dossier along its routes.

#include <optional>

#include "relais/api/routes.h"
#include "relais/http/authenticator.h"
#include "relais/http/router.h"
#include "relais/log/log.h"
#include "relais/pipeline/dispatcher.h"
#include "relais/pipeline/routes.h"
#include "relais/sdk/clock.h"
#include "relais/store/store.h"

#include "dossier_json.h"
#include "query_params.h"

namespace relais::api {
namespace {

constexpr int kDefaultLimit = 100;
constexpr int kMaxLimit = 1000;

http::Response listJobs(Context& context, const http::Request& request) {
    std::optional<store::JobState> state;
    if (request.hasQueryParam("state")) {
        state = store::parseJobState(request.queryParam("state"));
        if (!state) {
            return http::problem(400, "Bad Request",
                                 "'state' must be pending, running, done, dead or awaiting_ack",
                                 "state");
        }
    }
    auto limit = limitParam(request, kDefaultLimit, kMaxLimit);
    if (!limit) return http::problemFromError(limit.error());
    auto jobs = context.store.jobs(state, *limit);
    if (!jobs) return http::problemFromError(jobs.error());
    sdk::Json items = sdk::Json::array();
    for (const auto& job : *jobs) {
        if (!request.client->mayUseInstance(job.target)) continue;
        items.push(jobJson(job));
    }
    sdk::Json body = sdk::Json::object();
    body.set("jobs", std::move(items));
    return http::jsonResponse(200, body);
}

http::Response getJob(Context& context, const http::Request& request) {
    auto job = context.store.findJob(request.param("id"));
    if (!job) return http::problemFromError(job.error());
    if (!job->has_value() || !request.client->mayUseInstance((*job)->target)) {
        return http::problem(404, "Not Found", "no job '" + request.param("id") + "'", "id");
    }
    return http::jsonResponse(200, jobJson(**job));
}

http::Response replay(Context& context, const http::Request& request) {
    const std::string id = request.param("id");
    auto job = context.store.findJob(id);
    if (!job) return http::problemFromError(job.error());
    if (!job->has_value() || !request.client->mayUseInstance((*job)->target)) {
        return http::problem(404, "Not Found", "no job '" + id + "'", "id");
    }
    auto replayed = context.store.replayJob(id, context.clock.now().micros);
    if (!replayed) return http::problemFromError(replayed.error());
    if (!*replayed) {
        return http::problem(409, "Conflict",
                             "job '" + id + "' is " + std::string(store::toString((*job)->state)) +
                                 ": only dead or done jobs can be replayed",
                             "id");
    }
    context.dispatcher.wake();
    context.logger.info(
        "job replayed",
        {{"job_id", id}, {"dossier_id", (*job)->dossier_id}, {"client", request.client->name()}});
    auto after = context.store.findJob(id);
    if (!after || !after->has_value()) return http::problemFromError(after.error());
    return http::jsonResponse(202, jobJson(**after));
}

http::Response redeliver(Context& context, const http::Request& request) {
    const std::string id = request.param("id");
    auto dossier = context.store.findDossier(id);
    if (!dossier) return http::problemFromError(dossier.error());
    if (!dossier->has_value()) {
        return http::problem(404, "Not Found", "no dossier '" + id + "'", "id");
    }
    if (!request.client->mayUseProcedure((*dossier)->procedure)) {
        return http::problem(403, "Forbidden",
                             "client '" + request.client->name() +
                                 "' may not act on dossiers of procedure '" +
                                 (*dossier)->procedure + "'");
    }
    std::vector<store::NewJob> jobs;
    for (const pipeline::Route* route : context.routes.matching(**dossier)) {
        if (!request.client->mayUseInstance(route->target)) continue;
        store::NewJob job;
        job.route = route->name;
        job.target = route->target;
        jobs.push_back(std::move(job));
    }
    if (jobs.empty()) {
        return http::problem(409, "Conflict",
                             "no route (that this client may use) takes dossier '" + id + "'");
    }
    auto created = context.store.addJobs(id, jobs, context.clock.now().micros);
    if (!created) return http::problemFromError(created.error());
    context.dispatcher.wake();
    context.logger.info("dossier redelivered", {{"dossier_id", id},
                                                {"client", request.client->name()},
                                                {"jobs", std::to_string(created->size())}});
    sdk::Json ids = sdk::Json::array();
    for (const auto& job_id : *created) ids.push(job_id);
    sdk::Json body = sdk::Json::object();
    body.set("dossier_id", id);
    body.set("jobs", std::move(ids));
    return http::jsonResponse(202, body);
}

}  // namespace

void addJobRoutes(http::Router& router, Context& context) {
    const std::string right(http::rights::kJobsAdmin);
    router.add({"GET", "/v1/jobs", "jobs_list", right,
                [&context](http::Request& request) { return listJobs(context, request); }, 0});
    router.add({"GET", "/v1/jobs/{id}", "job_get", right,
                [&context](http::Request& request) { return getJob(context, request); }, 0});
    router.add({"POST", "/v1/jobs/{id}/replay", "job_replay", right,
                [&context](http::Request& request) { return replay(context, request); }, 0});
    router.add({"POST", "/v1/dossiers/{id}/redeliver", "dossier_redeliver", right,
                [&context](http::Request& request) { return redeliver(context, request); }, 0});
}

}  // namespace relais::api
