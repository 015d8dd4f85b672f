// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/pipeline/delivery.h"

#include <random>

#include "relais/log/log.h"
#include "relais/mapping/mapping.h"
#include "relais/metrics/registry.h"
#include "relais/pipeline/blob_store.h"
#include "relais/pipeline/retry_policy.h"
#include "relais/pipeline/routes.h"
#include "relais/plugin/instance.h"
#include "relais/sdk/clock.h"

namespace relais::pipeline {
namespace {

double random01() {
    thread_local std::mt19937_64 generator{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(generator);
}

// The payload for a route: the mapping's output, or the fields as the portal sent them.
sdk::Result<mapping::MappedPayload> payloadFor(const Route& route, const sdk::Dossier& dossier) {
    if (route.mapping) return route.mapping->apply(dossier);
    return mapping::MappedPayload{dossier.fields.dump(), "application/json"};
}

}  // namespace

std::string_view toString(DeliveryOutcome outcome) noexcept {
    switch (outcome) {
        case DeliveryOutcome::Delivered:
            return "delivered";
        case DeliveryOutcome::AwaitingAcknowledgement:
            return "awaiting_ack";
        case DeliveryOutcome::Retrying:
            return "retrying";
        case DeliveryOutcome::Dead:
            return "dead";
        case DeliveryOutcome::NotRecorded:
            return "not_recorded";
    }
    return "not_recorded";
}

DeliveryService::DeliveryService(store::Store& store, const RouteTable& routes,
                                 const BlobStore& blobs, const sdk::Clock& clock,
                                 log::Logger& logger, metrics::Registry& metrics)
    : store_(store),
      routes_(routes),
      blobs_(blobs),
      clock_(clock),
      logger_(logger),
      metrics_(metrics) {}

DeliveryReport DeliveryService::run(const store::Job& job) {
    auto dossier = store_.findDossier(job.dossier_id);
    if (!dossier) {
        // The store is unwell: leave the job held; its lease expires and it is retried.
        logger_.error("cannot load the dossier of a job", {{"job_id", job.id},
                                                           {"dossier_id", job.dossier_id},
                                                           {"error", dossier.error().message}});
        return DeliveryReport{DeliveryOutcome::NotRecorded, {}, dossier.error(), 0};
    }
    if (!dossier->has_value()) {
        return fail(job, nullptr,
                    sdk::fail(sdk::ErrorCode::Permanent, "dossier " + job.dossier_id + " is gone"),
                    true);
    }
    return run(job, **dossier, false);
}

DeliveryReport DeliveryService::run(const store::Job& job, const sdk::Dossier& dossier,
                                    bool fail_dead) {
    const Route* route = routes_.find(job.route);
    if (route == nullptr) {
        return fail(job, nullptr,
                    sdk::fail(sdk::ErrorCode::Permanent,
                              "route '" + job.route + "' is no longer configured"),
                    true);
    }
    auto payload = payloadFor(*route, dossier);
    if (!payload) {
        sdk::Error error = std::move(payload).error();
        error.message = "mapping: " + error.message;
        return fail(job, route, std::move(error), true);
    }
    return run(job, dossier, std::move(payload).value(), fail_dead);
}

DeliveryReport DeliveryService::run(const store::Job& job, const sdk::Dossier& dossier,
                                    mapping::MappedPayload payload, bool fail_dead) {
    const Route* route = routes_.find(job.route);
    if (route == nullptr) {
        return fail(job, nullptr,
                    sdk::fail(sdk::ErrorCode::Permanent,
                              "route '" + job.route + "' is no longer configured"),
                    true);
    }
    if (route->isInbox()) {
        const std::int64_t now = clock_.now().micros;
        auto put = store_.putInInbox(job.id, payload.content_type, payload.body, now);
        if (!put) return DeliveryReport{DeliveryOutcome::NotRecorded, {}, put.error(), 0};
        metrics_
            .counter("relais_deliveries_total", "deliveries, by target and outcome",
                     {{"target", route->target}, {"outcome", "awaiting_ack"}})
            .increment();
        return DeliveryReport{DeliveryOutcome::AwaitingAcknowledgement, {}, {}, 0};
    }

    sdk::Delivery delivery;
    delivery.dossier = &dossier;
    delivery.payload = std::move(payload.body);
    delivery.content_type = std::move(payload.content_type);
    delivery.idempotency_key = job.idempotency_key;
    delivery.route = route->name;
    delivery.attempt = job.attempts;
    if (auto links = store_.links(job.dossier_id)) {
        for (const auto& link : *links) {
            if (link.target == route->target) delivery.business_id = link.business_id;
        }
    }
    for (const auto& attachment : dossier.attachments) {
        // One entry per attachment, in the dossier's order: connectors match paths and
        // attachments by position. Attachments kept by reference only (no bytes downloaded)
        // have no file: an empty path.
        auto path = blobs_.pathOf(attachment.storage_ref);
        delivery.attachment_paths.push_back(path ? std::move(*path) : std::string());
    }
    const std::int64_t started = clock_.monotonicMicros();
    auto result = route->connector->deliver(delivery);
    metrics_
        .histogram("relais_delivery_duration_seconds", "time a connector took to deliver",
                   {{"target", route->target}})
        .observe(static_cast<double>(clock_.monotonicMicros() - started) / 1e6);
    return record(job, *route, std::move(result), fail_dead);
}

DeliveryReport DeliveryService::record(const store::Job& job, const Route& route,
                                       sdk::Result<sdk::DeliveryReceipt> result, bool fail_dead) {
    if (!result) return fail(job, &route, std::move(result).error(), fail_dead);
    const std::int64_t now = clock_.now().micros;
    store::Link link;
    link.business_id = result->business_id;
    link.display_id = result->display_id;
    const bool later = result->awaits_acknowledgement;
    auto recorded = later ? store_.awaitAcknowledgement(job.id, link, now)
                          : store_.completeJob(job.id, link, now);
    if (!recorded) {
        // Delivered but not recorded: the job will run again and the idempotency key lets
        // the application recognise it.
        logger_.error("delivery not recorded", {{"job_id", job.id},
                                                {"dossier_id", job.dossier_id},
                                                {"error", recorded.error().message}});
        return DeliveryReport{DeliveryOutcome::NotRecorded, std::move(result).value(),
                              recorded.error(), 0};
    }
    const DeliveryOutcome outcome =
        later ? DeliveryOutcome::AwaitingAcknowledgement : DeliveryOutcome::Delivered;
    metrics_
        .counter("relais_deliveries_total", "deliveries, by target and outcome",
                 {{"target", route.target}, {"outcome", std::string(toString(outcome))}})
        .increment();
    logger_.info(later ? "dossier handed over" : "dossier delivered",
                 {{"dossier_id", job.dossier_id},
                  {"job_id", job.id},
                  {"route", route.name},
                  {"target", route.target},
                  {"business_id", link.business_id},
                  {"attempt", std::to_string(job.attempts)}});
    return DeliveryReport{outcome, std::move(result).value(), {}, 0};
}

DeliveryReport DeliveryService::fail(const store::Job& job, const Route* route, sdk::Error error,
                                     bool dead) {
    const std::string target = route != nullptr ? route->target : job.target;
    return recordFailure(job, target, route != nullptr ? &route->retry : nullptr, std::move(error),
                         dead, "delivery");
}

DeliveryReport DeliveryService::recordFailure(const store::Job& job, const std::string& target,
                                              const RetryPolicy* retry, sdk::Error error, bool dead,
                                              std::string_view what) {
    const std::int64_t now = clock_.now().micros;
    const std::string noun(what);
    if (!dead && sdk::isTransient(error.code) && retry != nullptr) {
        const auto next = retry->nextAttempt(job.attempts, job.created_at, now,
                                             error.retry_after_seconds, random01());
        if (next) {
            auto retried = store_.retryJob(job.id, *next, error.message, now);
            if (!retried) return DeliveryReport{DeliveryOutcome::NotRecorded, {}, error, 0};
            metrics_
                .counter("relais_deliveries_total", "deliveries, by target and outcome",
                         {{"target", target}, {"outcome", "retrying"}})
                .increment();
            logger_.warn(noun + " failed, will retry",
                         {{"dossier_id", job.dossier_id},
                          {"job_id", job.id},
                          {"target", target},
                          {"attempt", std::to_string(job.attempts)},
                          {"next_attempt_at", sdk::Timestamp{*next, 0}.toUtcString()},
                          {"error", error.message}});
            return DeliveryReport{DeliveryOutcome::Retrying, {}, std::move(error), *next};
        }
        error.message = "gave up after " + std::to_string(job.attempts) +
                        " attempts (retry budget spent): " + error.message;
    }
    auto killed = store_.killJob(job.id, error.message, now);
    if (!killed) return DeliveryReport{DeliveryOutcome::NotRecorded, {}, error, 0};
    metrics_
        .counter("relais_deliveries_total", "deliveries, by target and outcome",
                 {{"target", target}, {"outcome", "dead"}})
        .increment();
    logger_.error(noun + " failed for good, job on the dead-letter list",
                  {{"dossier_id", job.dossier_id},
                   {"job_id", job.id},
                   {"target", target},
                   {"attempt", std::to_string(job.attempts)},
                   {"error", error.message}});
    return DeliveryReport{DeliveryOutcome::Dead, {}, std::move(error), 0};
}

}  // namespace relais::pipeline
