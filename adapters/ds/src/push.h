// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstddef>
#include <string>

#include "relais/sdk/dossier.h"
#include "relais/sdk/event.h"
#include "relais/sdk/http_client.h"
#include "relais/sdk/json.h"
#include "relais/sdk/portal_adapter.h"
#include "relais/sdk/result.h"

#include "graphql_call.h"

/// @file
/// The outbound side of the DS adapter: a relais event carried to DS through GraphQL
/// mutations, idempotent by outcome (see `sdk::PortalAdapter::pushEvent`).

namespace relais::adapters::ds {

/// What a push needs besides the GraphQL client. Immutable once built.
struct PushSettings {
    /// GraphQL id of the instructeur who acts (`instructeurId` of every mutation); they must
    /// follow the dossier's groupe instructeur on DS.
    std::string instructeur_id;
    /// `disableNotification` of the state mutations: DS sends the applicant no e-mail.
    bool disable_notification = false;
    /// Per request, for fetching an event's document and for the PUT of a direct upload.
    int timeout_ms = 30000;
    /// Largest document fetched for DS (a decision's justificatif, a message's attachment).
    std::size_t max_document_bytes = std::size_t{20} * 1024 * 1024;
};

/// The `CorrectionReason` of an `awaiting_applicant` push: the payload's `correction` when
/// present (it must then be `incomplete`, `incorrect` or `outdated`: `InvalidArgument` naming
/// `correction` otherwise); else `sub_status.code` when it is one of those three; else
/// `incomplete` (a dossier waiting for its applicant usually misses a piece).
sdk::Result<std::string> correctionReason(const sdk::Json& payload);

/// Tells DS about `event` of `dossier` (its DS number is `dossier.source_key`), calling DS
/// through `call` and fetching/uploading documents through `http`:
/// - `status_changed`: reads the dossier's `id` and `state`, then runs `mutationPath` (see
///   mutation_path.h). A decision carries the payload's `message` as `motivation` and
///   `documents[0]` as `justificatif` (fetched from its `url`, uploaded by direct upload
///   before the first mutation); `awaiting_applicant` sends `message` (required) as a
///   `dossierEnvoyerMessage` with `correctionReason`, and `documents[0]` as its attachment.
/// - `message`, `document_added`: a `dossierEnvoyerMessage` without correction, body the
///   payload's `message` (or, when blank, `documents[0].name`), attachment `documents[0]`.
/// - any other type: nothing sent, success.
///
/// Idempotent by outcome: a state already reached sends nothing; an answer "Le dossier est
/// déjà <état>" naming the state the step leads to (or the state the push ends in) counts as
/// done; a message whose body (trimmed, without the control characters DS strips) is already
/// among the dossier's messages is not sent again (a timeout after DS took it). DS takes one
/// file per message or decision: documents after the first are not sent (the receipt says).
///
/// Errors, all before any call: a missing or unknown `payload.status` (`InvalidArgument`,
/// `status`), `refused` / `closed_no_action` or `awaiting_applicant` without a `message`
/// (`InvalidArgument`, `message`), a bad `correction`, a `source_key` that is not a DS number
/// (`InvalidArgument`, `source_key`), no `instructeur_id`. Then `call`'s and `http`'s errors
/// as they come; a mutation's `errors` are `Permanent` with DS's words (`Retryable` for DS's
/// "Les informations du SIRET du dossier ne sont pas complètes…", which asks to retry later).
/// `PushReceipt::portal_status` is the DS state at the end (`accepte`…).
sdk::Result<sdk::PushReceipt> pushEvent(const GraphqlCall& call, const PushSettings& settings,
                                        const sdk::Dossier& dossier, const sdk::Event& event,
                                        sdk::HttpClient& http);

}  // namespace relais::adapters::ds
