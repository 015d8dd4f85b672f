// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "relais/sdk/connector.h"
#include "relais/sdk/dossier.h"
#include "relais/sdk/json.h"
#include "relais/sdk/result.h"
#include "relais/sdk/status.h"

#include "settings.h"

/// @file
/// A DS dossier (as `DossierFields` in queries.cpp asks it) → the canonical dossier and the
/// events it carries (traitements, messages). No I/O; thread-safe.

namespace relais::adapters::ds {

/// Member of a dossier's fields holding what DS says about the dossier rather than in its
/// champs: `number`, `id`, `state`, `demarche {number, title}`, `date_depot`,
/// `date_derniere_modification`, `usager_email`, `demandeur`, `champ_ids` and
/// `descriptor_ids` (field key → the champ's id / its `champDescriptorId`), `annotations`
/// (annotations privées, mapped like the champs) with `annotation_ids`, and `files` (one
/// entry per `dossier.attachments[i]`: `{champ_id, checksum, filename, byte_size}`).
inline constexpr std::string_view kMetaKey = "_ds";

/// The canonical status of a DS state: en_construction → submitted, en_instruction →
/// in_review, accepte → accepted, refuse → refused, sans_suite → closed_no_action.
std::optional<sdk::Status> canonicalStatus(std::string_view ds_state);

/// DS's French label of a state (`en_instruction` → `En instruction`); the state itself
/// when unknown.
std::string stateLabel(std::string_view ds_state);

/// A dossier and its events, every event naming the dossier by `source_key`, in the order
/// they happened.
struct MappedDossier {
    sdk::Dossier dossier;
    std::vector<sdk::InboundEvent> events;
};

/// Maps one dossier node. `source` is the adapter instance. `source_key` is the dossier
/// number; `procedure` `settings.procedureOf(demarche.number)`. Events:
/// - each traitement → `status_changed` (`traitement:<id>`), public, `source_version` its
///   `dateTraitement`, payload `status`, `sub_status {code: <state>, label}`, `message`
///   (the motivation, when any); `repasse_en_construction` is `awaiting_applicant` (DS
///   gives the dossier back to the citizen);
/// - each message not discarded → `message` (`message:<id>`), public, actor the sender's
///   e-mail, payload `message`, `author` (`usager` or `instructeur`), `documents`
///   (`[{name, url, content_type}]`) and `correction` (its reason) when any.
/// `InvalidArgument` naming the member (`number`, `state`, `dateDepot`, `demarche.number`,
/// `fields.<key>`, `traitements[i].dateTraitement`…).
sdk::Result<MappedDossier> mapDossier(const DsSettings& settings, const sdk::Json& node,
                                      const std::string& source);

/// A deleted dossier (`DeletedDossier`) → a public `withdrawn` status change keyed
/// `deleted:<id>`, dated `dateSupression`, `sub_status {code: "supprime", label}` with the
/// reason. `InvalidArgument` naming the member.
sdk::Result<sdk::InboundEvent> deletedDossierEvent(const sdk::Json& node);

}  // namespace relais::adapters::ds
