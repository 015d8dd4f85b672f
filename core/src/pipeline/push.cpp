// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/pipeline/push.h"

#include <utility>

#include "relais/log/log.h"
#include "relais/pipeline/retry_policy.h"
#include "relais/plugin/instance.h"
#include "relais/sdk/clock.h"
#include "relais/sdk/descriptor.h"

namespace relais::pipeline {

PushService::PushService(store::Store& store, plugin::InstanceManager& instances,
                         DeliveryService& delivery, const sdk::Clock& clock, log::Logger& logger)
    : store_(store), instances_(instances), delivery_(delivery), clock_(clock), logger_(logger) {}

DeliveryReport PushService::run(const store::Job& job) {
    const auto dead = [&](const std::string& why) {
        return delivery_.recordFailure(job, job.target, nullptr,
                                       sdk::fail(sdk::ErrorCode::Permanent, why), true, "push");
    };
    plugin::Instance* adapter = instances_.find(job.target);
    if (adapter == nullptr || adapter->kind() != sdk::PluginKind::Adapter ||
        !adapter->supports(sdk::operation::kPushEvent)) {
        return dead("adapter '" + job.target + "' is not configured or does not push");
    }
    auto dossier = store_.findDossier(job.dossier_id);
    auto event = store_.findEvent(job.event_id);
    if (!dossier || !event) {
        // The store is unwell: leave the job held; its lease expires and it runs again.
        return DeliveryReport{
            DeliveryOutcome::NotRecorded, {}, !dossier ? dossier.error() : event.error(), 0};
    }
    if (!dossier->has_value() || !event->has_value()) {
        return dead("dossier " + job.dossier_id + " or event " + job.event_id + " is gone");
    }
    auto pushed = adapter->pushEvent(**dossier, **event);
    if (!pushed && pushed.error().code == sdk::ErrorCode::Unsupported) {
        // This instance has nowhere to push (PortalAdapter::pushEvent): nothing is owed to
        // the portal, and no more push jobs are made for it until the next start.
        store_.dropPushTarget(job.target);
        if (auto done = store_.completeJob(job.id, store::Link{}, clock_.now().micros); !done) {
            return DeliveryReport{DeliveryOutcome::NotRecorded, {}, done.error(), 0};
        }
        logger_.info("adapter has nowhere to push: no more pushes to it until restart",
                     {{"adapter", job.target}, {"reason", pushed.error().message}});
        return DeliveryReport{DeliveryOutcome::Delivered, {}, {}, 0};
    }
    if (!pushed) {
        const RetryPolicy retry(adapter->retry());
        return delivery_.recordFailure(job, job.target, &retry, std::move(pushed).error(), false,
                                       "push");
    }
    const std::int64_t now = clock_.now().micros;
    if (auto done = store_.completeJob(job.id, store::Link{}, now); !done) {
        // Pushed but not recorded: it runs again; the adapter reads the portal first.
        logger_.error("push not recorded", {{"job_id", job.id}, {"error", done.error().message}});
        return DeliveryReport{DeliveryOutcome::NotRecorded, {}, done.error(), 0};
    }
    logger_.info("event pushed to the portal", {{"dossier_id", job.dossier_id},
                                                {"job_id", job.id},
                                                {"event_id", job.event_id},
                                                {"adapter", job.target},
                                                {"portal_status", pushed->portal_status},
                                                {"attempt", std::to_string(job.attempts)}});
    return DeliveryReport{DeliveryOutcome::Delivered, {}, {}, 0};
}

}  // namespace relais::pipeline
