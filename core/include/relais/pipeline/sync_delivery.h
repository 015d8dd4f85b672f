// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <optional>
#include <string>

#include "relais/mapping/mapping.h"
#include "relais/pipeline/delivery.h"
#include "relais/sdk/dossier.h"
#include "relais/sdk/json.h"
#include "relais/sdk/result.h"

namespace relais::store {
class Store;
}  // namespace relais::store

/// @file
/// The decisions of synchronous delivery: a dossier ingested on a route with `sync="true"`
/// is delivered while the portal waits, and the portal is told what became of it. This
/// says which answer goes with which delivery outcome, and what a replayed webhook gets;
/// the API turns the answer into an HTTP response (core/src/api/dossier_routes.cpp).

namespace relais::pipeline {

struct IngestResult;
class RouteTable;
struct Route;

/// What a portal is told about a dossier of a synchronous route.
struct SyncAnswer {
    enum class Kind {
        Delivered,                ///< the application took it (or took it the first time)
        AwaitingAcknowledgement,  ///< handed over (file drop, inbox); confirmed later
        DeliveryPending,          ///< a replayed webhook whose first delivery is not done
        Failed,                   ///< the delivery failed; the dossier is stored
    };
    Kind kind = Kind::Delivered;
    /// Delivered: the route's response mapping applied to the delivery's outcome; nothing
    /// when the route has none (the portal then gets relais's own shape, with the ids).
    std::optional<mapping::MappedPayload> mapped;
    std::string business_id;  ///< Delivered: the application's id of the dossier
    std::string display_id;   ///< Delivered: the id it shows people; may be empty
    std::string target;       ///< Failed: the route's connector instance
    std::string failure;      ///< Failed: why the delivery failed
    bool retrying = false;    ///< Failed: retried later (false: on the dead-letter list)
};

/// The answer for `report`, the outcome of delivering `dossier` on synchronous `route`:
/// delivered, awaiting acknowledgement, or failed (retrying when the job is due again or
/// its outcome could not be recorded, else dead). Errors only when the route's response
/// mapping refuses the outcome.
sdk::Result<SyncAnswer> answerForDelivery(const Route& route, const sdk::Dossier& dossier,
                                          const DeliveryReport& report);

/// Runs the synchronous route's job that `Ingestor::ingest` created held
/// (`result.sync_route` set; `result.sync_payload` is consumed), honouring the route's
/// `on-sync-failure`, and answers as `answerForDelivery`.
sdk::Result<SyncAnswer> deliverSync(DeliveryService& delivery, IngestResult& result);

/// A replayed webhook for `dossier` (already stored): for the first synchronous route that
/// matches it, the first delivery's answer when its link is recorded (mapped with an empty
/// application response, the original one not being kept), else `DeliveryPending`. Nothing
/// when no synchronous route matches. Errors: the store's, or the response mapping's.
sdk::Result<std::optional<SyncAnswer>> replaySync(store::Store& store, const RouteTable& routes,
                                                  const sdk::Dossier& dossier);

}  // namespace relais::pipeline
