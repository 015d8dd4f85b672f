// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>

#include "relais/mapping/mapping.h"
#include "relais/sdk/connector.h"
#include "relais/sdk/dossier.h"
#include "relais/sdk/result.h"
#include "relais/store/store.h"

namespace relais::sdk {
class Clock;
}
namespace relais::log {
class Logger;
}
namespace relais::metrics {
class Registry;
}

/// @file
/// One delivery: map the dossier for its route, hand it to the connector (or the inbox), and
/// record what happened — exactly what the workers and the synchronous routes share.

namespace relais::pipeline {

class RouteTable;
struct Route;
class BlobStore;
class RetryPolicy;

/// What became of a job after one run.
enum class DeliveryOutcome {
    Delivered,                ///< the application took it; link recorded, job done
    AwaitingAcknowledgement,  ///< handed over (file drop, inbox); the application confirms later
    Retrying,                 ///< failed for now; due again at `next_attempt_at`
    Dead,                     ///< failed for good (or out of retries): on the dead-letter list
    NotRecorded,              ///< the store could not record the outcome; the lease will expire
};

std::string_view toString(DeliveryOutcome outcome) noexcept;

struct DeliveryReport {
    DeliveryOutcome outcome = DeliveryOutcome::NotRecorded;
    sdk::DeliveryReceipt receipt;  ///< when delivered or handed over
    sdk::Error error;              ///< when it failed
    std::int64_t next_attempt_at = 0;
};

/// Thread-safety: `run` is called concurrently by every worker and synchronous request.
class DeliveryService {
public:
    DeliveryService(store::Store& store, const RouteTable& routes, const BlobStore& blobs,
                    const sdk::Clock& clock, log::Logger& logger, metrics::Registry& metrics);

    /// Runs a job the caller holds (claimed, or created claimed): loads its dossier, then as
    /// below.
    DeliveryReport run(const store::Job& job);

    /// Runs a held job for `dossier`: maps it with the route's mapping (a mapping error parks
    /// the job on the dead-letter list with the error: retrying cannot fix it, fixing the
    /// mapping and replaying can), delivers it with the job's idempotency key, and records the
    /// outcome. A transient failure is retried per the connector's policy, unless
    /// `fail_dead` (a synchronous route with `on-sync-failure="dead"`).
    DeliveryReport run(const store::Job& job, const sdk::Dossier& dossier, bool fail_dead);

    /// The same with the payload already mapped (a synchronous route maps at ingest).
    DeliveryReport run(const store::Job& job, const sdk::Dossier& dossier,
                       mapping::MappedPayload payload, bool fail_dead);

    /// Records a failed run of a held job of any kind (deliveries, pushes to portals): a
    /// transient error is retried per `retry` (null: never) until its budget is spent, then
    /// — or at once when `dead` or the error is permanent — the job goes to the dead-letter
    /// list with its reason. `what` names the operation in logs (`delivery`, `push`).
    DeliveryReport recordFailure(const store::Job& job, const std::string& target,
                                 const RetryPolicy* retry, sdk::Error error, bool dead,
                                 std::string_view what);

private:
    DeliveryReport fail(const store::Job& job, const Route* route, sdk::Error error, bool dead);
    DeliveryReport record(const store::Job& job, const Route& route,
                          sdk::Result<sdk::DeliveryReceipt> result, bool fail_dead);

    store::Store& store_;
    const RouteTable& routes_;
    const BlobStore& blobs_;
    const sdk::Clock& clock_;
    log::Logger& logger_;
    metrics::Registry& metrics_;
};

}  // namespace relais::pipeline
