// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/subjects/purger.h"

#include <string>

#include "relais/log/log.h"
#include "relais/metrics/registry.h"
#include "relais/sdk/clock.h"
#include "relais/store/store.h"

namespace relais::subjects {

Purger::Purger(store::Store& store, const sdk::Clock& clock, log::Logger& logger,
               metrics::Registry& metrics, std::chrono::milliseconds interval)
    : store_(store),
      clock_(clock),
      logger_(logger),
      purged_(metrics.counter("relais_attributes_purged_total",
                              "attribute values deleted past their retention or validity")),
      interval_(interval) {}

Purger::~Purger() { stop(); }

void Purger::start() {
    std::lock_guard lock(mutex_);
    if (thread_.joinable()) return;
    stopping_ = false;
    thread_ = std::thread([this] { run(); });
}

void Purger::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

std::int64_t Purger::runOnce() {
    auto outcome = store_.purge(clock_.now().micros);
    if (!outcome) {
        logger_.error("purge failed", {{"error", outcome.error().message}});
        return -1;
    }
    const std::int64_t values = outcome->past_retention + outcome->expired;
    purged_.increment(static_cast<double>(values));
    if (values > 0 || outcome->nonces > 0) {
        logger_.info("purged", {{"past_retention", std::to_string(outcome->past_retention)},
                                {"expired", std::to_string(outcome->expired)},
                                {"nonces", std::to_string(outcome->nonces)}});
    }
    return values;
}

void Purger::run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        lock.unlock();
        runOnce();
        lock.lock();
        cv_.wait_for(lock, interval_, [this] { return stopping_; });
    }
}

}  // namespace relais::subjects
