// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/pipeline/ingest.h"

#include <algorithm>
#include <optional>
#include <string_view>

#include "relais/common/crypto.h"
#include "relais/log/log.h"
#include "relais/metrics/registry.h"
#include "relais/pipeline/attachment_fetcher.h"
#include "relais/pipeline/dispatcher.h"
#include "relais/pipeline/routes.h"
#include "relais/sdk/clock.h"

namespace relais::pipeline {
namespace {

bool hasControlCharacter(std::string_view text) noexcept {
    return std::any_of(text.begin(), text.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

}  // namespace

Ingestor::Ingestor(store::Store& store, const RouteTable& routes,
                   const AttachmentFetcher& attachments, Dispatcher& dispatcher,
                   const sdk::Clock& clock, log::Logger& logger, metrics::Registry& metrics,
                   std::int64_t lease_ms, std::string worker_name, std::size_t max_identifier_bytes)
    : store_(store),
      routes_(routes),
      attachments_(attachments),
      dispatcher_(dispatcher),
      clock_(clock),
      logger_(logger),
      metrics_(metrics),
      lease_ms_(lease_ms),
      worker_name_(std::move(worker_name)),
      max_identifier_bytes_(max_identifier_bytes) {}

sdk::Result<IngestResult> Ingestor::ingest(sdk::Dossier dossier, const std::string& raw_body,
                                           const std::string& raw_content_type,
                                           plugin::Instance* adapter) {
    const auto counted = [&](std::string_view outcome) -> metrics::Counter& {
        return metrics_.counter("relais_ingest_total", "dossiers received, by adapter and outcome",
                                {{"adapter", dossier.source}, {"outcome", std::string(outcome)}});
    };

    // Identifiers become index keys and file names: a 100 kB dossier id is an attack or a
    // bug, never a dossier. (Attachment names are the citizen's file names, kept as given
    // and reduced to a safe base name wherever they become a file: not bounded here.)
    const auto tooLong = [&](const std::string& value, const std::string& field,
                             std::string_view what) -> std::optional<sdk::Error> {
        if (value.size() <= max_identifier_bytes_) return std::nullopt;
        counted("refused").increment();
        return sdk::fail(sdk::ErrorCode::InvalidArgument,
                         std::string(what) + " is " + std::to_string(value.size()) +
                             " bytes long; at most " + std::to_string(max_identifier_bytes_) +
                             " are accepted (limits max-identifier)",
                         field);
    };
    if (auto refused = tooLong(dossier.source_key, "source_key", "the portal's dossier id")) {
        return *refused;
    }
    if (auto refused = tooLong(dossier.procedure, "procedure", "the procedure code")) {
        return *refused;
    }

    // Names a connector may turn into file names or keys: a control character has no
    // business there (a NUL is cut on the way through the store, so two keys could become
    // one; a newline splits manifests and log lines).
    if (hasControlCharacter(dossier.source_key)) {
        counted("refused").increment();
        return sdk::fail(sdk::ErrorCode::InvalidArgument,
                         "the portal's dossier id has a control character", "source_key");
    }
    for (std::size_t i = 0; i < dossier.attachments.size(); ++i) {
        if (hasControlCharacter(dossier.attachments[i].name)) {
            counted("refused").increment();
            const std::string field = "attachments[" + std::to_string(i) + "].name";
            return sdk::fail(sdk::ErrorCode::InvalidArgument, field + " has a control character",
                             field);
        }
    }

    // A portal that gives no key for its dossiers: each request is a new dossier, keyed by
    // relais (nothing to deduplicate on).
    if (dossier.source_key.empty()) dossier.source_key = "relais:" + common::uuidV7();

    // A replay costs one read, not a download of every attachment again.
    auto known = store_.findDossierId(dossier.source, dossier.source_key);
    if (!known) return std::move(known).error();
    if (known->has_value()) {
        counted("duplicate").increment();
        IngestResult result;
        result.dossier = std::move(dossier);
        result.dossier.id = **known;
        return result;
    }

    if (!routes_.knowsProcedure(dossier.procedure)) {
        counted("refused").increment();
        return sdk::fail(
            sdk::ErrorCode::InvalidArgument,
            "unknown procedure '" + dossier.procedure + "': no route takes its dossiers",
            "procedure");
    }

    // Mappings may read $dossier.id (the example cantine-soap.xml puts it in a required
    // attribute): the dossier gets its id before they run; the store keeps an id it is given.
    if (dossier.id.empty()) dossier.id = common::uuidV7();

    const std::vector<const Route*> matched = routes_.matching(dossier);
    // Map now, for every route: what a mapping refuses is the portal's to fix, and must be
    // refused before anything is stored. The sync route's output is kept for its delivery.
    mapping::MappedPayload sync_payload;
    bool sync_mapped = false;
    for (const Route* route : matched) {
        if (!route->mapping) continue;
        auto mapped = route->mapping->apply(dossier);
        if (!mapped) {
            counted("refused").increment();
            return std::move(mapped).error();
        }
        if (route->sync && !sync_mapped) {
            sync_payload = std::move(mapped).value();
            sync_mapped = true;
        }
    }

    if (auto fetched = attachments_.fetchAll(dossier, adapter); !fetched) {
        counted("refused").increment();
        return std::move(fetched).error();
    }

    const std::int64_t now = clock_.now().micros;
    store::IngestRequest request;
    const Route* sync_route = nullptr;
    std::size_t sync_index = 0;
    for (const Route* route : matched) {
        store::NewJob job;
        job.kind = "deliver";
        job.route = route->name;
        job.target = route->target;
        if (route->sync && sync_route == nullptr) {
            sync_route = route;
            sync_index = request.jobs.size();
            job.claimed_by = worker_name_ + "/sync";
            job.lease_until = now + lease_ms_ * 1000;
        }
        request.jobs.push_back(std::move(job));
    }
    request.raw_body = raw_body;
    request.raw_content_type = raw_content_type;
    request.dossier = dossier;
    auto stored = store_.ingest(std::move(request));
    if (!stored) return std::move(stored).error();

    IngestResult result;
    result.dossier = std::move(dossier);
    result.dossier.id = stored->dossier_id;
    result.created = stored->created;
    if (!stored->created) {
        // Lost a race with a concurrent replay of the same webhook.
        counted("duplicate").increment();
        return result;
    }
    counted("stored").increment();
    if (matched.empty()) {
        logger_.warn("dossier stored but no route condition matched it",
                     {{"dossier_id", result.dossier.id}, {"procedure", result.dossier.procedure}});
    }
    if (sync_route != nullptr) {
        // The job as the store just created it (held by this caller), without reading it
        // back: this is the hot path of synchronous routes.
        store::Job& job = result.sync_job;
        job.id = stored->job_ids[sync_index];
        job.kind = "deliver";
        job.dossier_id = result.dossier.id;
        job.route = sync_route->name;
        job.target = sync_route->target;
        job.idempotency_key = store::idempotencyKey(job.id);
        job.state = store::JobState::Running;
        job.attempts = 1;
        job.claimed_by = worker_name_ + "/sync";
        job.lease_until = now + lease_ms_ * 1000;
        job.created_at = now;
        job.updated_at = now;
        result.sync_route = sync_route;
        if (sync_mapped) {
            result.sync_payload = std::move(sync_payload);
        } else {
            result.sync_payload = {result.dossier.fields.dump(), "application/json"};
        }
    }
    if (matched.size() > (sync_route != nullptr ? 1U : 0U)) dispatcher_.wake();
    return result;
}

}  // namespace relais::pipeline
