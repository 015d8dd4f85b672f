// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <condition_variable>
#include <mutex>
#include <vector>

#include "relais/store/store.h"

/// @file
/// Internal to the store: the queue that combines concurrent audit appends.

namespace relais::store {

/// Callers of `appendAudit` waiting for their entries to be written.
struct Store::AuditQueue {
    /// One caller. Each has its own condition variable: a finished batch wakes its own
    /// callers and the one caller that writes next, not every waiting thread (which would
    /// all wake to queue again on `mutex`, the thundering herd a profile of workload B
    /// showed).
    struct Pending {
        const std::vector<AuditEntry>* entries = nullptr;
        sdk::Result<void> result;
        bool done = false;
        std::condition_variable wake;
    };
    std::mutex mutex;               ///< guards everything below and each Pending's state
    std::vector<Pending*> waiting;  ///< not yet taken by a writer, in arrival order
    bool writing = false;           ///< a caller is writing a batch
};

}  // namespace relais::store
