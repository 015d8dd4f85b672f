// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

namespace relais::store {
class Store;
}
namespace relais::sdk {
class Clock;
struct Dossier;
}  // namespace relais::sdk
namespace relais::log {
class Logger;
}
namespace relais::plugin {
class Instance;
class InstanceManager;
}  // namespace relais::plugin
namespace relais::metrics {
class Registry;
}

/// @file
/// Polling of connectors that report back by being asked (acknowledgement files, business
/// applications without webhooks), and of portal adapters that read their portal (Démarches
/// Simplifiées' GraphQL API, MDEL's delivery directory).

namespace relais::pipeline {

class StatusSync;
class Ingestor;
class DeliveryService;

/// One thread per connector instance that declares `poll`: every `poll_interval` it calls
/// `poll(cursor)` with the cursor stored for the instance, applies what comes back, then
/// stores the new cursor. Applying is idempotent, so a crash between the two repeats work
/// without effect: a `delivered` event completes the job of that dossier and connector that
/// awaits an acknowledgement (nothing if it is already done); other events (status changes
/// from the back office…) go through status sync (`StatusSync::applyInbound`, side
/// backoffice: ordering, deduplication on their source key, the lifecycle, pushes to the
/// portal), their dossier named by relais id or by the application's id. Events naming an
/// unknown dossier, or a refused transition, are logged and skipped. When `more` is set the
/// next poll follows at once.
///
/// Adapter instances that declare `poll` are polled the same way, with their portal's side:
/// new dossiers go through the ingest path first (stored durably with their jobs, a replay
/// being a no-op), then events, named by the portal's id (`source_key`), through status sync
/// as side `portal`. The cursor is stored only when every dossier of the batch was stored or
/// refused for good: a transient failure (store busy, portal attachment unreachable) leaves
/// it where it was, so the same batch comes again. A dossier refused for good (no route for
/// its procedure, a field its mapping refuses) is logged as an error and counted in
/// `relais_poll_refusals_total`, once per run however often the portal brings it back; the
/// portal keeps it.
///
/// Threading: `start` and `stop` on the control thread.
class Poller {
public:
    Poller(store::Store& store, plugin::InstanceManager& instances, const sdk::Clock& clock,
           log::Logger& logger, metrics::Registry& metrics);
    ~Poller();
    Poller(const Poller&) = delete;
    Poller& operator=(const Poller&) = delete;

    void start();
    void stop();

    /// Where polled events go; without it they are appended to the log as they are (no
    /// status change). Set before `start`.
    void setStatusSync(StatusSync* sync) noexcept { sync_ = sync; }

    /// Where adapters' polled dossiers go (and the synchronous routes' deliveries); without
    /// it adapters are not polled. Set before `start`.
    void setIngest(Ingestor* ingestor, DeliveryService* delivery) noexcept {
        ingestor_ = ingestor;
        delivery_ = delivery;
    }

    /// One poll of `instance` (the loop body; tests call it directly). Returns whether the
    /// instance said more was waiting.
    bool pollOnce(plugin::Instance& instance);

private:
    void loop(plugin::Instance& instance, std::int64_t interval_ms);
    /// Stores the batch's new dossiers; false when one failed in a way that may pass later.
    bool ingestPolled(plugin::Instance& instance, std::vector<sdk::Dossier>& dossiers);
    /// True the first time (in this run) a dossier of `instance` is refused for good.
    bool firstRefusal(const std::string& instance, const std::string& source_key);

    static constexpr std::size_t kMaxRememberedRefusals = 10'000;

    store::Store& store_;
    plugin::InstanceManager& instances_;
    const sdk::Clock& clock_;
    log::Logger& logger_;
    metrics::Registry& metrics_;
    StatusSync* sync_ = nullptr;
    Ingestor* ingestor_ = nullptr;
    DeliveryService* delivery_ = nullptr;
    std::vector<std::thread> threads_;
    std::atomic<bool> running_{false};
    std::mutex refused_mutex_;  // guards refused_ (one poll thread per instance)
    std::unordered_set<std::string> refused_;
    std::mutex mutex_;  // with cv_, for interruptible sleeps
    std::condition_variable cv_;
};

}  // namespace relais::pipeline
