// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/pipeline/status_sync.h"

#include <utility>

#include "relais/log/log.h"
#include "relais/pipeline/dispatcher.h"
#include "relais/store/store.h"

namespace relais::pipeline {

StatusSync::StatusSync(store::Store& store, Dispatcher& dispatcher, log::Logger& logger)
    : store_(store), dispatcher_(dispatcher), logger_(logger) {}

sdk::Result<store::EventRecord> StatusSync::record(store::EventWrite write) {
    const std::string dossier_id = write.event.dossier_id;
    const std::string source = write.source;
    auto recorded = store_.recordEvent(std::move(write));
    if (!recorded) return recorded;
    if (!recorded->push_job_id.empty()) dispatcher_.wake();
    // A portal read again and again reports the same events: only news is worth a line.
    if (!recorded->replayed && recorded->outcome != store::EventOutcome::Duplicate) {
        logger_.info("event recorded", {{"dossier_id", dossier_id},
                                        {"source", source},
                                        {"event_id", recorded->event_id},
                                        {"outcome", std::string(toString(recorded->outcome))},
                                        {"status", std::string(sdk::toString(recorded->status))}});
    }
    return recorded;
}

sdk::Result<store::EventRecord> StatusSync::applyInbound(sdk::InboundEvent inbound,
                                                         sdk::EventSide side,
                                                         const std::string& source) {
    std::string dossier_id = inbound.dossier_id;
    if (dossier_id.empty() && !inbound.source_key.empty()) {
        auto found = store_.findDossierId(source, inbound.source_key);
        if (!found) return std::move(found).error();
        if (*found) dossier_id = **found;
    }
    if (dossier_id.empty() && !inbound.business_id.empty()) {
        auto found = store_.findDossierByLink(source, inbound.business_id);
        if (!found) return std::move(found).error();
        if (*found) dossier_id = **found;
    }
    if (dossier_id.empty()) {
        return sdk::fail(sdk::ErrorCode::NotFound,
                         "the event names no dossier known to '" + source + "'", "dossier_id");
    }
    store::EventWrite write;
    write.event = std::move(inbound.event);
    write.event.dossier_id = dossier_id;
    write.event.side = side;
    if (write.event.actor.empty()) write.event.actor = source;
    write.source = source;
    return record(std::move(write));
}

sdk::Result<store::EventRecord> StatusSync::resolveConflict(
    const std::string& id, const store::ConflictResolution& resolution) {
    auto resolved = store_.resolveConflict(id, resolution);
    if (resolved && !resolved->push_job_id.empty()) dispatcher_.wake();
    return resolved;
}

}  // namespace relais::pipeline
