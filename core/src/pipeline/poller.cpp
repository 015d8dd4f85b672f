// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/pipeline/poller.h"

#include <chrono>

#include "relais/config/config.h"
#include "relais/log/log.h"
#include "relais/metrics/registry.h"
#include "relais/pipeline/ingest.h"
#include "relais/pipeline/status_sync.h"
#include "relais/pipeline/sync_delivery.h"
#include "relais/plugin/instance.h"
#include "relais/sdk/clock.h"
#include "relais/sdk/descriptor.h"
#include "relais/store/store.h"

namespace relais::pipeline {

Poller::Poller(store::Store& store, plugin::InstanceManager& instances, const sdk::Clock& clock,
               log::Logger& logger, metrics::Registry& metrics)
    : store_(store), instances_(instances), clock_(clock), logger_(logger), metrics_(metrics) {}

Poller::~Poller() { stop(); }

void Poller::start() {
    if (running_.exchange(true)) return;
    for (const auto& instance : instances_.instances()) {
        const bool polls = instance->supports(sdk::operation::kPoll) &&
                           (instance->kind() == sdk::PluginKind::Connector ||
                            (instance->kind() == sdk::PluginKind::Adapter && ingestor_ != nullptr));
        if (!polls) continue;
        plugin::Instance* target = instance.get();
        const std::int64_t interval = instance->pollIntervalMs();
        threads_.emplace_back([this, target, interval] { loop(*target, interval); });
    }
}

void Poller::stop() {
    if (!running_.exchange(false)) return;
    cv_.notify_all();
    for (auto& thread : threads_) thread.join();
    threads_.clear();
}

void Poller::loop(plugin::Instance& instance, std::int64_t interval_ms) {
    while (running_.load()) {
        const bool more = pollOnce(instance);
        if (more) continue;
        std::unique_lock lock(mutex_);
        cv_.wait_for(lock, std::chrono::milliseconds(interval_ms),
                     [&] { return !running_.load(); });
    }
}

bool Poller::pollOnce(plugin::Instance& instance) {
    const std::string& name = instance.name();
    auto& polls = metrics_.counter("relais_polls_total", "connector polls, by outcome",
                                   {{"connector", name}, {"outcome", "ok"}});
    auto& failures = metrics_.counter("relais_polls_total", "connector polls, by outcome",
                                      {{"connector", name}, {"outcome", "error"}});
    auto cursor = store_.cursor(name);
    if (!cursor) {
        failures.increment();
        logger_.error("cannot read the poll cursor",
                      {{"connector", name}, {"error", cursor.error().message}});
        return false;
    }
    auto batch = instance.poll(*cursor);
    if (!batch) {
        failures.increment();
        logger_.warn("poll failed", {{"connector", name}, {"error", batch.error().message}});
        return false;
    }
    polls.increment();
    const bool portal = instance.kind() == sdk::PluginKind::Adapter;
    // Dossiers before events: a batch's events may be about its own new dossiers.
    if (portal && !ingestPolled(instance, batch->dossiers)) return false;
    const std::int64_t now = clock_.now().micros;
    for (auto& inbound : batch->events) {
        if (portal) {
            if (sync_ == nullptr) continue;
            // A portal names its own id, never an application's.
            inbound.business_id.clear();
            const std::string key =
                inbound.source_key.empty() ? inbound.dossier_id : inbound.source_key;
            auto applied = sync_->applyInbound(std::move(inbound), sdk::EventSide::Portal, name);
            if (!applied) {
                logger_.warn(
                    "polled portal event not applied",
                    {{"adapter", name}, {"source_key", key}, {"error", applied.error().message}});
            }
            continue;
        }
        if (inbound.dossier_id.empty() &&
            (sync_ == nullptr || inbound.event.type == sdk::event_type::kDelivered ||
             inbound.business_id.empty())) {
            logger_.warn("polled event without a dossier id skipped",
                         {{"connector", name}, {"type", inbound.event.type}});
            continue;
        }
        if (inbound.event.type == sdk::event_type::kDelivered) {
            store::Link link;
            link.business_id = inbound.business_id;
            if (const sdk::Json* display = inbound.event.payload.find("display_id")) {
                link.display_id = display->asString();
            }
            auto acknowledged = store_.acknowledge(inbound.dossier_id, name, link, now);
            if (!acknowledged) {
                logger_.warn("acknowledgement not applied",
                             {{"connector", name},
                              {"dossier_id", inbound.dossier_id},
                              {"error", acknowledged.error().message}});
            } else if (*acknowledged) {
                logger_.info("delivery acknowledged", {{"connector", name},
                                                       {"dossier_id", inbound.dossier_id},
                                                       {"business_id", inbound.business_id}});
            }
            continue;
        }
        if (sync_ != nullptr) {
            const std::string dossier = inbound.dossier_id.empty()
                                            ? "business id " + inbound.business_id
                                            : inbound.dossier_id;
            auto applied =
                sync_->applyInbound(std::move(inbound), sdk::EventSide::Backoffice, name);
            if (!applied) {
                logger_.warn("polled event not applied", {{"connector", name},
                                                          {"dossier", dossier},
                                                          {"error", applied.error().message}});
            }
            continue;
        }
        inbound.event.dossier_id = inbound.dossier_id;
        inbound.event.side = sdk::EventSide::Backoffice;
        if (inbound.event.actor.empty()) inbound.event.actor = name;
        auto appended = store_.appendEvent(inbound.event, name);
        if (!appended) {
            logger_.warn("polled event not stored", {{"connector", name},
                                                     {"dossier_id", inbound.dossier_id},
                                                     {"error", appended.error().message}});
        }
    }
    if (auto saved = store_.setCursor(name, batch->next_cursor); !saved) {
        logger_.error("cannot store the poll cursor",
                      {{"connector", name}, {"error", saved.error().message}});
        return false;
    }
    return batch->more;
}

bool Poller::firstRefusal(const std::string& instance, const std::string& source_key) {
    const std::lock_guard lock(refused_mutex_);
    // Bounded: past the cap, refusals are said again rather than remembered forever.
    if (refused_.size() >= kMaxRememberedRefusals) refused_.clear();
    return refused_.insert(instance + '\n' + source_key).second;
}

bool Poller::ingestPolled(plugin::Instance& instance, std::vector<sdk::Dossier>& dossiers) {
    const std::string& name = instance.name();
    for (auto& dossier : dossiers) {
        dossier.source = name;
        const std::string key = dossier.source_key;
        const std::string raw = dossier.fields.dump();
        auto result = ingestor_->ingest(std::move(dossier), raw, "application/json", &instance);
        if (!result) {
            const sdk::Error& error = result.error();
            if (sdk::isTransient(error.code) || error.code == sdk::ErrorCode::Internal) {
                logger_.warn("polled dossier not stored yet; the batch will be read again",
                             {{"adapter", name}, {"source_key", key}, {"error", error.message}});
                return false;
            }
            // A portal read again and again (DS's watermark is inclusive) brings a refused
            // dossier back: said and counted once per run, not at every poll.
            if (firstRefusal(name, key)) {
                metrics_
                    .counter("relais_poll_refusals_total",
                             "dossiers read from a portal and refused for good, by adapter",
                             {{"adapter", name}})
                    .increment();
                logger_.error("polled dossier refused",
                              {{"adapter", name}, {"source_key", key}, {"error", error.message}});
            }
            continue;
        }
        if (!result->created) continue;
        logger_.info("dossier stored",
                     {{"dossier_id", result->dossier.id}, {"adapter", name}, {"source_key", key}});
        // Nobody waits on a polled dossier: a synchronous route's held job runs now, and
        // what became of it is in the job, as for any other delivery.
        if (result->sync_route != nullptr && delivery_ != nullptr) {
            auto answer = deliverSync(*delivery_, *result);
            if (!answer) {
                logger_.warn(
                    "synchronous delivery of a polled dossier not answered",
                    {{"dossier_id", result->dossier.id}, {"error", answer.error().message}});
            }
        }
    }
    return true;
}

}  // namespace relais::pipeline
