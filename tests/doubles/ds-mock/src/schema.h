// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "relais/sdk/result.h"

#include "graphql_syntax.h"

/// @file
/// A GraphQL schema read from its SDL (DS publishes `app/graphql/schema.graphql`): the
/// object, interface, union, enum, input and scalar types with their fields and arguments,
/// enough to validate a document against it and to coerce arguments.

namespace relais::ds_mock {

enum class TypeKind { Scalar, Object, Interface, Union, Enum, InputObject };

/// An argument of a field, or a field of an input type.
struct InputValue {
    std::string name;
    TypeRef type;
    std::optional<Value> default_value;
};

struct FieldDef {
    std::string name;
    TypeRef type;
    std::vector<InputValue> arguments;

    const InputValue* argument(std::string_view arg) const;
};

struct TypeDef {
    std::string name;
    TypeKind kind = TypeKind::Scalar;
    std::vector<FieldDef> fields;          ///< object and interface types
    std::vector<InputValue> input_fields;  ///< input types
    std::vector<std::string> interfaces;   ///< what an object type implements
    std::vector<std::string> members;      ///< a union's types
    std::vector<std::string> enum_values;

    const FieldDef* field(std::string_view field_name) const;
    const InputValue* inputField(std::string_view field_name) const;
    bool isComposite() const noexcept {
        return kind == TypeKind::Object || kind == TypeKind::Interface || kind == TypeKind::Union;
    }
};

/// Immutable once parsed; safe to share between threads.
class Schema {
public:
    /// Parses SDL. Errors are `InvalidArgument` naming the line.
    static sdk::Result<Schema> parse(std::string_view sdl);

    const TypeDef* type(std::string_view name) const;
    const std::string& queryType() const noexcept { return query_type_; }
    const std::string& mutationType() const noexcept { return mutation_type_; }
    /// Whether object type `object` may be the runtime type of `abstract_or_object` (the
    /// same type, an interface it implements, a union it belongs to).
    bool possible(std::string_view abstract_or_object, std::string_view object) const;
    /// Every object type implementing `interface_name`.
    std::vector<std::string> implementations(std::string_view interface_name) const;

private:
    std::map<std::string, TypeDef, std::less<>> types_;
    std::string query_type_ = "Query";
    std::string mutation_type_ = "Mutation";
};

}  // namespace relais::ds_mock
