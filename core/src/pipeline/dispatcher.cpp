// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/pipeline/dispatcher.h"

#include <chrono>

#include "relais/log/log.h"
#include "relais/pipeline/delivery.h"
#include "relais/pipeline/push.h"
#include "relais/sdk/clock.h"
#include "relais/store/store.h"

namespace relais::pipeline {

Dispatcher::Dispatcher(store::Store& store, DeliveryService& delivery, const sdk::Clock& clock,
                       log::Logger& logger, DispatcherOptions options)
    : store_(store),
      delivery_(delivery),
      clock_(clock),
      logger_(logger),
      options_(std::move(options)) {}

Dispatcher::~Dispatcher() { stop(); }

void Dispatcher::start() {
    if (running_.exchange(true)) return;
    for (int i = 0; i < options_.workers; ++i) threads_.emplace_back([this, i] { work(i); });
}

void Dispatcher::stop() {
    if (!running_.exchange(false)) return;
    wake();
    for (auto& thread : threads_) thread.join();
    threads_.clear();
}

void Dispatcher::wake() noexcept {
    {
        std::lock_guard lock(mutex_);
        ++wakeups_;
    }
    cv_.notify_all();
}

void Dispatcher::work(int index) {
    const std::string worker = options_.name + "/worker-" + std::to_string(index);
    while (running_.load()) {
        std::uint64_t seen = 0;
        {
            std::lock_guard lock(mutex_);
            seen = wakeups_;
        }
        const std::int64_t now = clock_.now().micros;
        auto jobs = store_.claimJobs(worker, now, now + options_.lease_ms * 1000, options_.batch);
        if (!jobs) {
            logger_.error("cannot claim jobs",
                          {{"worker", worker}, {"error", jobs.error().message}});
        }
        if (!jobs || jobs->empty()) {
            // Nothing due: sleep until woken or until retries may have become due. A wakeup
            // that came while claiming is not lost: `seen` was read before the claim.
            std::unique_lock lock(mutex_);
            cv_.wait_for(lock, std::chrono::milliseconds(options_.idle_poll_ms),
                         [&] { return wakeups_ != seen || !running_.load(); });
            continue;
        }
        std::size_t done = 0;
        for (; done < jobs->size() && running_.load(); ++done) {
            const store::Job& job = (*jobs)[done];
            if (job.kind == "push" && push_ != nullptr) {
                push_->run(job);
            } else {
                delivery_.run(job);
            }
        }
        // Stopping: give back what was claimed and not started.
        for (std::size_t i = done; i < jobs->size(); ++i) {
            const std::int64_t at = clock_.now().micros;
            (void)store_.retryJob((*jobs)[i].id, at, "released at shutdown", at);
        }
    }
}

}  // namespace relais::pipeline
