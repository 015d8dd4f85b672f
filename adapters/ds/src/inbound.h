// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstdint>
#include <string>

#include "relais/sdk/connector.h"
#include "relais/sdk/portal_adapter.h"
#include "relais/sdk/result.h"

#include "dossier_mapping.h"
#include "graphql_client.h"
#include "settings.h"

/// @file
/// The inbound side over any `GraphqlCall`: polling the configured démarches, reading one
/// dossier, and the deprecated webhook (which only triggers a read of that dossier).
/// Thread-safe as long as `call` is.

namespace relais::adapters::ds {

/// Reads dossier `number` (`query Dossier`) and maps it. Errors: `call`'s; `NotFound`
/// (field `dossier_id`) when DS has no such dossier; mapping errors.
sdk::Result<MappedDossier> fetchDossier(const DsSettings& settings, const GraphqlCall& call,
                                        std::int64_t number, const std::string& source);

/// One poll: for each configured démarche, one page of its dossiers updated since the
/// cursor's watermark and one page of its deleted dossiers (see poll_cursor.h). Returns the
/// dossiers, their events (traitements, messages) and a `withdrawn` event per deleted
/// dossier; `more` when a page said `hasNextPage`. `cursor` is what the previous poll
/// returned (empty at first). Errors: a bad cursor (`InvalidArgument`, field `cursor`),
/// `call`'s, mapping errors (naming the dossier number); nothing is returned for a poll
/// that failed half-way, so the next one starts again from the same cursor.
sdk::Result<sdk::PollBatch> pollDemarches(const DsSettings& settings, const GraphqlCall& call,
                                          const std::string& cursor, const std::string& source);

/// DS's webhook: a form-encoded body with `procedure_id`, `dossier_id`, `state`,
/// `updated_at`. Nothing in it is trusted: `procedure_id` must be a configured démarche,
/// then the dossier is read from the API and returned with its events (an early poll of
/// that one dossier); a dossier that DS says belongs to another démarche is refused.
/// `InvalidArgument` naming the field (`Content-Type`, `procedure_id`, `dossier_id`).
sdk::Result<sdk::InboundBatch> parseWebhook(const DsSettings& settings, const GraphqlCall& call,
                                            const sdk::InboundRequest& request,
                                            const std::string& source);

}  // namespace relais::adapters::ds
