// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/pipeline/sync_delivery.h"

#include <utility>

#include "relais/pipeline/ingest.h"
#include "relais/pipeline/routes.h"
#include "relais/store/store.h"

namespace relais::pipeline {
namespace {

// A delivered dossier's answer: the route's response mapping applied to the delivery's
// outcome (ids and the application's response), or the ids alone.
sdk::Result<SyncAnswer> deliveredAnswer(const Route& route, const sdk::Dossier& dossier,
                                        const std::string& business_id,
                                        const std::string& display_id,
                                        const sdk::Json& application_response) {
    SyncAnswer answer;
    answer.kind = SyncAnswer::Kind::Delivered;
    answer.business_id = business_id;
    answer.display_id = display_id;
    if (!route.response_mapping) return answer;
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
    answer.mapped = std::move(mapped).value();
    return answer;
}

}  // namespace

sdk::Result<SyncAnswer> answerForDelivery(const Route& route, const sdk::Dossier& dossier,
                                          const DeliveryReport& report) {
    SyncAnswer answer;
    switch (report.outcome) {
        case DeliveryOutcome::Delivered:
            return deliveredAnswer(route, dossier, report.receipt.business_id,
                                   report.receipt.display_id, report.receipt.response);
        case DeliveryOutcome::AwaitingAcknowledgement:
            answer.kind = SyncAnswer::Kind::AwaitingAcknowledgement;
            return answer;
        case DeliveryOutcome::Retrying:
        case DeliveryOutcome::NotRecorded:
            answer.retrying = true;
            break;
        case DeliveryOutcome::Dead:
            break;
    }
    answer.kind = SyncAnswer::Kind::Failed;
    answer.target = route.target;
    answer.failure = report.error.message;
    return answer;
}

sdk::Result<SyncAnswer> deliverSync(DeliveryService& delivery, IngestResult& result) {
    const Route& route = *result.sync_route;
    const DeliveryReport report =
        delivery.run(result.sync_job, result.dossier, std::move(result.sync_payload),
                     route.dead_on_sync_failure);
    return answerForDelivery(route, result.dossier, report);
}

sdk::Result<std::optional<SyncAnswer>> replaySync(store::Store& store, const RouteTable& routes,
                                                  const sdk::Dossier& dossier) {
    for (const Route* route : routes.matching(dossier)) {
        if (!route->sync) continue;
        auto links = store.links(dossier.id);
        if (!links) return std::move(links).error();
        for (const auto& link : *links) {
            if (link.target != route->target) continue;
            auto answer = deliveredAnswer(*route, dossier, link.business_id, link.display_id, {});
            if (!answer) return std::move(answer).error();
            return std::optional<SyncAnswer>(std::move(answer).value());
        }
        SyncAnswer pending;
        pending.kind = SyncAnswer::Kind::DeliveryPending;
        return std::optional<SyncAnswer>(std::move(pending));
    }
    return std::optional<SyncAnswer>();
}

}  // namespace relais::pipeline
