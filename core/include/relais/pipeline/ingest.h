// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "relais/mapping/mapping.h"
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
namespace relais::plugin {
class Instance;
}

/// @file
/// Storing a new dossier with everything that must happen with it: the core of `POST
/// /v1/adapters/{instance}/inbound` and of adapters that poll their portal.

namespace relais::pipeline {

class RouteTable;
struct Route;
class AttachmentFetcher;
class Dispatcher;

struct IngestResult {
    sdk::Dossier dossier;  ///< as stored (id set; attachments with their storage refs)
    bool created = false;  ///< false: a replay of a dossier already stored; nothing written
    /// The synchronous route's job, created already held by the caller, who must run it
    /// (`DeliveryService::run`). Only when created and a sync route matched.
    const Route* sync_route = nullptr;
    store::Job sync_job;
    mapping::MappedPayload sync_payload;  ///< the sync route's payload, already mapped
};

/// Thread-safety: `ingest` runs concurrently for many requests.
class Ingestor {
public:
    Ingestor(store::Store& store, const RouteTable& routes, const AttachmentFetcher& attachments,
             Dispatcher& dispatcher, const sdk::Clock& clock, log::Logger& logger,
             metrics::Registry& metrics, std::int64_t lease_ms, std::string worker_name,
             std::size_t max_identifier_bytes);

    /// 0. Identifiers that become keys and file names (source key, procedure) longer than
    ///    `max_identifier_bytes` are refused (`InvalidArgument` naming the field), before
    ///    anything is read or written.
    /// 1. A dossier already stored under (source, source key) is a replay: its id comes back,
    ///    nothing is fetched or written.
    /// 2. A procedure no route takes is refused (`InvalidArgument`, field `procedure`).
    /// 3. Every matching route's mapping is applied: a dossier a mapping refuses (a date in
    ///    the wrong format…) is refused now, naming the field, rather than stored and parked.
    /// 4. Attachments given by URL are downloaded and checked (see `AttachmentFetcher`).
    /// 5. The dossier, its raw payload, its `submitted` event and one job per matching route
    ///    are stored in one transaction, durable on return; a synchronous route's job is
    ///    created held by this caller. The workers are woken for the others.
    sdk::Result<IngestResult> ingest(sdk::Dossier dossier, const std::string& raw_body,
                                     const std::string& raw_content_type,
                                     plugin::Instance* adapter);

private:
    store::Store& store_;
    const RouteTable& routes_;
    const AttachmentFetcher& attachments_;
    Dispatcher& dispatcher_;
    const sdk::Clock& clock_;
    log::Logger& logger_;
    metrics::Registry& metrics_;
    std::int64_t lease_ms_;
    std::string worker_name_;
    std::size_t max_identifier_bytes_;
};

}  // namespace relais::pipeline
