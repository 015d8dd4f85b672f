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
    struct Pending {
        const std::vector<AuditEntry>* entries = nullptr;
        sdk::Result<void> result;
        bool done = false;
    };
    std::mutex mutex;
    std::condition_variable written;
    std::vector<Pending*> waiting;  ///< not yet taken by a writer
    bool writing = false;           ///< a caller is writing a batch
};

}  // namespace relais::store
