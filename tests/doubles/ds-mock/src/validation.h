// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <vector>

#include "relais/sdk/json.h"

#include "graphql_document.h"
#include "schema.h"

/// @file
/// Static validation of an operation against the schema, before anything runs, with
/// graphql-ruby's messages and `extensions.code`s: unknown fields and arguments, missing
/// required arguments and input fields, selections on leaves, missing selections on objects,
/// unknown fragments and types, undeclared variables.

namespace relais::ds_mock {

/// A GraphQL error object: `{"message", "locations": [{line, column}], "path", "extensions"}`.
sdk::Json graphqlError(const std::string& message, int line, int column, const sdk::Json& path = {},
                       const sdk::Json& extensions = {});

/// The errors of `operation` (empty when valid).
std::vector<sdk::Json> validate(const Schema& schema, const Document& document,
                                const Operation& operation);

}  // namespace relais::ds_mock
