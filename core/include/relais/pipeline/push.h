// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include "relais/pipeline/delivery.h"
#include "relais/store/store.h"

namespace relais::plugin {
class InstanceManager;
}

/// @file
/// Pushes towards portals: the `push` jobs that carry a dossier's public events back to the
/// portal it came from, through its adapter's `pushEvent`.

namespace relais::pipeline {

/// Thread-safety: `run` is called concurrently by the workers (the store hands out one push
/// of a dossier at a time, in order).
class PushService {
public:
    /// `delivery` records failures (same retries and dead letters as deliveries).
    PushService(store::Store& store, plugin::InstanceManager& instances, DeliveryService& delivery,
                const sdk::Clock& clock, log::Logger& logger);

    /// Runs a held `push` job: loads its dossier and event and calls the adapter's
    /// `pushEvent`. Success completes the job; a transient error is retried per the
    /// adapter instance's `<retry>`; a permanent one, an adapter no longer configured or a
    /// vanished event parks it on the dead-letter list (replayable).
    DeliveryReport run(const store::Job& job);

private:
    store::Store& store_;
    plugin::InstanceManager& instances_;
    DeliveryService& delivery_;
    const sdk::Clock& clock_;
    log::Logger& logger_;
};

}  // namespace relais::pipeline
