// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>
#include <vector>

#include "relais/sdk/json.h"

#include "schema.h"

/// @file
/// Checks stored data against the schema, so that the sample dossiers (and what tests add)
/// stay shaped like DS's types: each object's `__typename` fits the field's type, each
/// member is a field of that type, scalars and enum values fit. Members starting with `__`
/// (the double's own, like `__blob`) are skipped.

namespace relais::ds_mock {

/// The problems of `value` as a `type` (a type reference such as `Dossier!`), each naming
/// its path (`champs[3].value: …`).
std::vector<std::string> checkData(const Schema& schema, const TypeRef& type,
                                   const sdk::Json& value, const std::string& path = "");

}  // namespace relais::ds_mock
