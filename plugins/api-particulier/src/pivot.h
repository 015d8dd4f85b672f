// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include "relais/sdk/result.h"
#include "relais/sdk/subject.h"

#include "apistration.h"

/// @file
/// The identity pivot as API Particulier's `/identite` calls take it. Pure functions.

namespace relais::plugins::api_particulier {

/// Most given names the API takes (`prenoms[]`, OpenAPI `maxItems: 3`).
inline constexpr std::size_t kMaxGivenNames = 3;

/// Adds the pivot's params to `query`, in this order: `nomNaissance`, one `prenoms[]` per
/// given name (names holding spaces are split, at most `kMaxGivenNames`),
/// `anneeDateNaissance`, `moisDateNaissance`, `jourDateNaissance` (a `YYYY-MM-DD`, `YYYY-MM`
/// or `YYYY` date; `00` stands for an unknown month or day, which is then not sent),
/// `sexeEtatCivil` (`male`/`female` → `M`/`F`), `codeCogInseePaysNaissance` and, for a
/// person born in France (`99100`), `codeCogInseeCommuneNaissance` (left out for a person
/// born abroad, as the API requires).
///
/// Errors: `InvalidArgument` whose field is `subject.pivot.<name>` (and whose message names
/// it and the API parameter) when a part is missing or malformed: family name, given names,
/// birth date (its year at least: without it the API may match a namesake), gender, birth
/// country (5 digits), birth place for a person born in France (5 characters, digits or the
/// Corsican 2A/2B).
sdk::Result<void> addPivot(const sdk::IdentityPivot& pivot, apistration::Query& query);

}  // namespace relais::plugins::api_particulier
