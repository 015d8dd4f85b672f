// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <optional>
#include <string>

#include "relais/sdk/json.h"

#include "graphql_syntax.h"
#include "schema.h"

/// @file
/// Input values: a literal or variable of a document turned into JSON, and JSON checked and
/// completed (defaults) against an input type, with graphql-ruby's explanations.

namespace relais::ds_mock {

/// Why a value does not fit its type, and where inside it (`["motivation"]`).
struct InputProblem {
    sdk::Json path = sdk::Json::array();
    std::string explanation;

    /// `motivation` or `items.0.name`: the path as graphql-ruby prints it in a message.
    std::string dottedPath() const;
};

struct Coerced {
    sdk::Json value;
    std::optional<InputProblem> problem;
};

/// The JSON of `value`, variables read from `variables` (an absent one is null).
sdk::Json valueToJson(const Value& value, const sdk::Json& variables);

/// Checks `value` (null for absent) against `type` and fills the input objects' defaults.
Coerced coerceInput(const Schema& schema, const TypeRef& type, const sdk::Json& value);

}  // namespace relais::ds_mock
