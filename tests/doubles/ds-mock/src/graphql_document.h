// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "relais/sdk/result.h"

#include "graphql_syntax.h"

/// @file
/// An executable GraphQL document as a client sends it: operations (query, mutation) with
/// their variables, selection sets with aliases and arguments, named fragments and inline
/// fragments, `@include` / `@skip`.

namespace relais::ds_mock {

struct Argument {
    std::string name;
    Value value;
};

struct Directive {
    std::string name;
    std::vector<Argument> arguments;
};

struct Selection;
using SelectionSet = std::vector<Selection>;

struct Selection {
    enum class Kind { Field, FragmentSpread, InlineFragment };
    Kind kind = Kind::Field;
    std::string alias;           ///< empty when none
    std::string name;            ///< the field, or the spread fragment's name
    std::string type_condition;  ///< an inline fragment's `on Type` (may be empty)
    std::vector<Argument> arguments;
    std::vector<Directive> directives;
    SelectionSet selections;
    int line = 0;
    int column = 0;

    /// The key of the field in the response: the alias, else the name.
    const std::string& responseKey() const { return alias.empty() ? name : alias; }
};

struct VariableDefinition {
    std::string name;
    TypeRef type;
    std::optional<Value> default_value;
};

struct Operation {
    std::string kind;  ///< query, mutation or subscription
    std::string name;  ///< empty for an anonymous operation
    std::vector<VariableDefinition> variables;
    SelectionSet selections;
    int line = 0;
    int column = 0;
};

struct Fragment {
    std::string name;
    std::string type_condition;
    SelectionSet selections;
    int line = 0;
    int column = 0;
};

struct Document {
    std::vector<Operation> operations;
    std::vector<Fragment> fragments;

    const Fragment* fragment(std::string_view name) const;
};

/// Parses a document. Errors are `InvalidArgument` with graphql-ruby's message.
sdk::Result<Document> parseDocument(std::string_view text);

}  // namespace relais::ds_mock
