// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>

#include "relais/sdk/connector.h"
#include "relais/sdk/result.h"
#include "relais/store/event_log.h"

namespace relais::store {
class Store;
}
namespace relais::log {
class Logger;
}

/// @file
/// Status sync: every event from a portal adapter, a connector's poll or the API goes
/// through `StatusSync` into the store's one path (`Store::recordEvent`), and the workers
/// are woken for the push jobs it creates.

namespace relais::pipeline {

class Dispatcher;

/// Thread-safety: every method may run concurrently.
class StatusSync {
public:
    StatusSync(store::Store& store, Dispatcher& dispatcher, log::Logger& logger);

    /// Records `write` (see `Store::recordEvent`); wakes the workers when a push job was
    /// created.
    sdk::Result<store::EventRecord> record(store::EventWrite write);

    /// An event an adapter (`side` portal) or a connector's poll (`side` backoffice)
    /// brought, from instance `source`: its dossier is found by relais id, else by the
    /// portal's id (`source_key`, for an adapter), else by the application's id through the
    /// link the delivery recorded for `source` (`business_id`). `NotFound` (field
    /// `dossier_id`) when none names a known dossier.
    sdk::Result<store::EventRecord> applyInbound(sdk::InboundEvent inbound, sdk::EventSide side,
                                                 const std::string& source);

    /// Resolves a conflict (`Store::resolveConflict`) and wakes the workers.
    sdk::Result<store::EventRecord> resolveConflict(const std::string& id,
                                                    const store::ConflictResolution& resolution);

private:
    store::Store& store_;
    Dispatcher& dispatcher_;
    log::Logger& logger_;
};

}  // namespace relais::pipeline
