// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace relais::store {
class Store;
}
namespace relais::sdk {
class Clock;
}
namespace relais::log {
class Logger;
}

/// @file
/// The delivery workers.

namespace relais::pipeline {

class DeliveryService;
class PushService;

struct DispatcherOptions {
    int workers = 4;
    int batch = 16;
    std::int64_t lease_ms = 300'000;
    std::int64_t idle_poll_ms = 1'000;
    std::string name = "relais";  ///< prefix of worker names in `jobs.claimed_by`
};

/// Worker threads that claim due jobs from the store and run them through the delivery
/// service. A worker that finds nothing sleeps until `wake()` (a dossier was stored) or the
/// idle poll interval (retries that became due). `stop()` lets each worker finish the job in
/// hand and releases the jobs it had claimed but not started, so another run picks them up
/// at once instead of waiting for their lease to expire.
///
/// Threading: `start` and `stop` on the control thread; `wake` from any thread.
class Dispatcher {
public:
    Dispatcher(store::Store& store, DeliveryService& delivery, const sdk::Clock& clock,
               log::Logger& logger, DispatcherOptions options);
    ~Dispatcher();
    Dispatcher(const Dispatcher&) = delete;
    Dispatcher& operator=(const Dispatcher&) = delete;

    void start();
    void stop();
    /// Runs `push` jobs through `push` (null: push jobs are left to another process). Set
    /// before `start`.
    void setPushService(PushService* push) noexcept { push_ = push; }

    /// New work may be due: wake the idle workers.
    void wake() noexcept;

private:
    void work(int index);

    store::Store& store_;
    DeliveryService& delivery_;
    PushService* push_ = nullptr;
    const sdk::Clock& clock_;
    log::Logger& logger_;
    DispatcherOptions options_;
    std::vector<std::thread> threads_;
    std::atomic<bool> running_{false};
    std::mutex mutex_;  // guards wakeups_ with cv_
    std::condition_variable cv_;
    std::uint64_t wakeups_ = 0;
};

}  // namespace relais::pipeline
