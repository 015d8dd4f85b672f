// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <optional>
#include <string>
#include <string_view>

/// @file
/// DS's dossier state machine as its API v2 mutations enforce it
/// (`app/graphql/mutations/dossier_*.rb` and the `Dossier` model): which mutation may run
/// from which state, the state it leads to, the traitement event it records, and the exact
/// French refusal ("Le dossier est déjà en instruction").

namespace relais::ds_mock {

enum class Decision {
    PasserEnInstruction,
    Accepter,
    Refuser,
    ClasserSansSuite,
    RepasserEnInstruction,
    RepasserEnConstruction,
};

/// The decision a mutation makes (`dossierAccepter` → Accepter); nullopt for the others.
std::optional<Decision> decisionOfMutation(std::string_view mutation);

/// The state a decision leads to (`accepte`…).
std::string targetState(Decision decision);

/// The traitement event DS records (`passe_en_instruction`, `accepte`…).
std::string traitementEvent(Decision decision);

/// What DS answers when `decision` is asked of a dossier in `state` (empty when allowed):
/// `Le dossier est déjà <état>` with the state as DS displays it in lower case, or
/// `Le dossier est en attente de correction` for an instruction while a correction is pending.
std::string refusal(Decision decision, std::string_view state, bool pending_correction);

/// A state as DS shows it (`Classé sans suite`); lower case when `lower`.
std::string displayState(std::string_view state, bool lower);

/// Whether `state` is one of DossierState's values.
bool knownState(std::string_view state);

}  // namespace relais::ds_mock
