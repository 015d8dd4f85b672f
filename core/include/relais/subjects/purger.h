// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

namespace relais::store {
class Store;
}
namespace relais::log {
class Logger;
}
namespace relais::metrics {
class Counter;
class Registry;
}  // namespace relais::metrics
namespace relais::sdk {
class Clock;
}

/// @file
/// `Purger`: retention in practice. Fetched attribute values past their contract's
/// retention, superseded values past their validity and expired signature nonces are deleted
/// on a schedule, so that relais keeps no personal data longer than it may.

namespace relais::subjects {

/// Threading: `start`, `stop` and `runOnce` from the control thread; the purge itself runs
/// on the purger's own thread. Every referenced object outlives the purger.
class Purger {
public:
    Purger(store::Store& store, const sdk::Clock& clock, log::Logger& logger,
           metrics::Registry& metrics, std::chrono::milliseconds interval);
    ~Purger();
    Purger(const Purger&) = delete;
    Purger& operator=(const Purger&) = delete;

    /// Purges once at once, then every interval.
    void start();
    /// Wakes the thread and joins it; a purge in progress finishes first.
    void stop();
    /// One purge now, on the calling thread. Returns the number of values deleted, or -1 on
    /// a store error (logged).
    std::int64_t runOnce();

private:
    void run();

    store::Store& store_;
    const sdk::Clock& clock_;
    log::Logger& logger_;
    metrics::Counter& purged_;
    std::chrono::milliseconds interval_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace relais::subjects
