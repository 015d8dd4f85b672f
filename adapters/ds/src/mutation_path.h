// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "relais/sdk/result.h"
#include "relais/sdk/status.h"

/// @file
/// Which DS mutations take a dossier from its DS state to a canonical status: pure, no I/O.
///
/// DS (app/models/dossier.rb and app/graphql/mutations/) only decides a dossier that is
/// `en_instruction`, so a decision from `en_construction` is `dossierPasserEnInstruction` then
/// the decision; a decided dossier is reopened with `dossierRepasserEnInstruction`, and going
/// from one decision to another is reopen-then-decide. A correction request is a message with
/// a `correction` reason, which DS only flags on a dossier `en_construction` or
/// `en_instruction` (on a decided one it sends the message and silently drops the flag), so a
/// decided dossier is reopened first.

namespace relais::adapters::ds {

/// A dossier's state on DS (the schema's `DossierState`, without `brouillon`, which the API
/// never shows to an instructeur).
enum class DsState { EnConstruction, EnInstruction, Accepte, Refuse, SansSuite };

/// The schema's enum value (`en_construction`…).
std::string_view toString(DsState state) noexcept;

/// Inverse of `toString`; nullopt for any other name.
std::optional<DsState> parseDsState(std::string_view name) noexcept;

/// The state named by DS's refusal "Le dossier est déjà <état>" (`en construction`,
/// `en instruction`, `accepté`, `refusé`, `classé sans suite`: the French display name,
/// lower-cased, which every state mutation answers when the dossier is not in the state it
/// starts from). nullopt when `message` is not exactly one of those five sentences. The state
/// named is the dossier's current one, not necessarily the one asked for.
std::optional<DsState> alreadyInState(std::string_view message) noexcept;

/// One step of a path.
enum class Mutation {
    PasserEnInstruction,    ///< `dossierPasserEnInstruction` (from en_construction)
    RepasserEnInstruction,  ///< `dossierRepasserEnInstruction` (from a decision)
    Accepter,               ///< `dossierAccepter` (from en_instruction; motivation optional)
    Refuser,                ///< `dossierRefuser` (from en_instruction; motivation required)
    ClasserSansSuite,       ///< `dossierClasserSansSuite` (idem; motivation required)
    DemanderCorrection,     ///< `dossierEnvoyerMessage` with a `correction` reason
};

/// The GraphQL mutation field of `mutation` (`dossierAccepter`…).
std::string_view mutationField(Mutation mutation) noexcept;

/// The DS state of the dossier once `mutation` succeeded (`en_construction` after a
/// correction request).
DsState stateAfter(Mutation mutation) noexcept;

/// What to send to DS to bring a dossier to a canonical status.
struct MutationPath {
    std::vector<Mutation> mutations;              ///< in order; empty: nothing to send
    DsState end_state = DsState::EnConstruction;  ///< DS state once all were applied
    /// When nothing is sent, why (`already accepte`, `DS has no state for …`).
    std::string note;
};

/// For a target DS has no state for and that needs no look at the dossier (`acknowledged`,
/// `awaiting_payment`), why nothing is sent; nullopt for every other target.
std::optional<std::string> nothingToSend(sdk::Status target);

/// Checks what a target needs before anything is sent: `refused` and `closed_no_action` need a
/// motivation (DS's `motivation: String!` for dossierRefuser and dossierClasserSansSuite);
/// `motivation` is the event payload's `message`, blank counting as missing. Error:
/// `InvalidArgument` with field `message`.
sdk::Result<void> checkMotivation(sdk::Status target, std::string_view motivation);

/// The ordered mutations from `current` to `target` (after `checkMotivation`):
/// - `in_review`: en_instruction (passer from en_construction, repasser from a decision);
/// - `accepted`, `refused`, `closed_no_action`: accepte, refuse, sans_suite (passer en
///   instruction first from en_construction, repasser en instruction first from another
///   decision);
/// - `awaiting_applicant`: a correction request (repasser en instruction first from a
///   decision); always sent: whether the same request is already there is the message's
///   business (see push.h);
/// - `acknowledged`, `awaiting_payment`: DS has no such state: nothing to send;
/// - `submitted`: nothing when en_construction; otherwise `Permanent` (relais does not send a
///   dossier back to the applicant without a message: that is `awaiting_applicant`);
/// - `withdrawn`: nothing when sans_suite; otherwise `Permanent`: on DS only the applicant
///   withdraws (deleting a dossier en construction); an instructeur records it as
///   `closed_no_action` with a motivation;
/// - `rejected_technical`: `Permanent`, DS has no such state.
sdk::Result<MutationPath> mutationPath(DsState current, sdk::Status target,
                                       std::string_view motivation);

}  // namespace relais::adapters::ds
