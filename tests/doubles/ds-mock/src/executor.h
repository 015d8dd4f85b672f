// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "relais/sdk/json.h"

#include "schema.h"

/// @file
/// A GraphQL executor of the double's own: validates a document against the schema (as
/// graphql-ruby does, with its messages: `Field 'x' doesn't exist on type 'Y'`…), coerces
/// variables and arguments (required input fields, enums, defaults), and returns exactly the
/// selected fields (aliases, fragments, `__typename`) of the data a `Resolver` gives.

namespace relais::ds_mock {

/// One field being resolved on a parent object.
struct FieldCall {
    const std::string& type;   ///< the parent's runtime (object) type
    const std::string& field;  ///< the schema field, not the alias
    const sdk::Json& parent;
    const sdk::Json& arguments;  ///< coerced, defaults applied
};

/// What a resolver gives for a field: a value, or an error placed at the field (the field is
/// then null, as graphql-ruby does with a `GraphQL::ExecutionError`).
struct Resolved {
    sdk::Json value;
    std::string error;
    sdk::Json extensions;  ///< the error's `extensions`, when any
};

/// The data behind the schema. Objects carry `__typename` so interfaces and unions resolve.
class Resolver {
public:
    virtual ~Resolver() = default;
    /// The value of a field with arguments or behaviour; `nullopt` for a plain read of the
    /// parent's member of that name (absent: null).
    virtual std::optional<Resolved> resolve(const FieldCall& call) = 0;
};

struct ExecutionResult {
    sdk::Json body;              ///< `{"data": …, "errors": […]}` as graphql-ruby answers
    std::string operation_kind;  ///< query or mutation; empty when nothing was executed
};

/// Stateless apart from the schema it reads; `execute` may run on several threads if the
/// resolver allows it.
class Executor {
public:
    explicit Executor(const Schema& schema) : schema_(schema) {}

    ExecutionResult execute(std::string_view query, const sdk::Json& variables,
                            std::string_view operation_name, Resolver& resolver) const;

private:
    const Schema& schema_;
};

}  // namespace relais::ds_mock
