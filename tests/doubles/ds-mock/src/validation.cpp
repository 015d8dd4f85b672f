// SPDX-License-Identifier: AGPL-3.0-or-later
#include "validation.h"

#include <set>
#include <string>

#include "input_coercion.h"

namespace relais::ds_mock {
namespace {

sdk::Json extensions(std::initializer_list<std::pair<const char*, sdk::Json>> members) {
    sdk::Json out = sdk::Json::object();
    for (const auto& [key, value] : members) out.set(key, value);
    return out;
}

class Validator {
public:
    Validator(const Schema& schema, const Document& document, const Operation& operation)
        : schema_(schema), document_(document), operation_(operation) {
        for (const auto& variable : operation.variables) declared_.insert(variable.name);
    }

    std::vector<sdk::Json> run() {
        const std::string& root =
            operation_.kind == "mutation" ? schema_.mutationType() : schema_.queryType();
        const TypeDef* root_type = schema_.type(root);
        sdk::Json path = sdk::Json::array();
        path.push(operation_.kind + (operation_.name.empty() ? "" : " " + operation_.name));
        if (root_type == nullptr || operation_.kind == "subscription") {
            errors_.push_back(graphqlError("Schema is not configured for " + operation_.kind + "s",
                                           operation_.line, operation_.column, path));
            return errors_;
        }
        selectionSet(*root_type, operation_.selections, path);
        for (const auto& fragment : document_.fragments) {
            if (used_fragments_.count(fragment.name) == 0) {
                errors_.push_back(graphqlError(
                    "Fragment " + fragment.name + " was defined, but not used", fragment.line,
                    fragment.column, {}, extensions({{"code", "useAndDefineFragment"}})));
            }
        }
        return errors_;
    }

private:
    void selectionSet(const TypeDef& parent, const SelectionSet& set, const sdk::Json& path) {
        for (const auto& selection : set) {
            switch (selection.kind) {
                case Selection::Kind::Field:
                    field(parent, selection, path);
                    break;
                case Selection::Kind::InlineFragment:
                    inlineFragment(parent, selection, path);
                    break;
                case Selection::Kind::FragmentSpread:
                    spread(selection, path);
                    break;
            }
        }
    }

    void inlineFragment(const TypeDef& parent, const Selection& selection, const sdk::Json& path) {
        const TypeDef* type =
            selection.type_condition.empty() ? &parent : schema_.type(selection.type_condition);
        sdk::Json here = path;
        here.push("... on " + selection.type_condition);
        if (type == nullptr || !type->isComposite()) {
            noSuchType(selection.type_condition, selection.line, selection.column, here);
            return;
        }
        selectionSet(*type, selection.selections, here);
    }

    void spread(const Selection& selection, const sdk::Json& path) {
        const Fragment* fragment = document_.fragment(selection.name);
        sdk::Json here = path;
        here.push("... " + selection.name);
        if (fragment == nullptr) {
            errors_.push_back(graphqlError(
                "Fragment " + selection.name + " was used, but not defined", selection.line,
                selection.column, here,
                extensions({{"code", "useAndDefineFragment"}, {"fragmentName", selection.name}})));
            return;
        }
        used_fragments_.insert(fragment->name);
        if (!visiting_.insert(fragment->name).second) return;  // a cycle: checked once
        const TypeDef* type = schema_.type(fragment->type_condition);
        if (type == nullptr || !type->isComposite()) {
            noSuchType(fragment->type_condition, fragment->line, fragment->column, here);
        } else {
            selectionSet(*type, fragment->selections, here);
        }
        visiting_.erase(fragment->name);
    }

    void noSuchType(const std::string& name, int line, int column, const sdk::Json& path) {
        errors_.push_back(graphqlError(
            "No such type " + name + ", so it can't be a fragment condition", line, column, path,
            extensions({{"code", "undefinedType"}, {"typeName", name}})));
    }

    void field(const TypeDef& parent, const Selection& selection, const sdk::Json& path) {
        sdk::Json here = path;
        here.push(selection.responseKey());
        if (selection.name == "__typename") {
            if (!selection.selections.empty()) leafWithSelections(selection, "String", here);
            return;
        }
        const FieldDef* def =
            parent.kind == TypeKind::Union ? nullptr : parent.field(selection.name);
        if (def == nullptr) {
            const std::string message =
                parent.kind == TypeKind::Union
                    ? "Selections can't be made directly on unions (see selections on " +
                          parent.name + ")"
                    : "Field '" + selection.name + "' doesn't exist on type '" + parent.name + "'";
            errors_.push_back(graphqlError(message, selection.line, selection.column, here,
                                           extensions({{"code", "undefinedField"},
                                                       {"typeName", parent.name},
                                                       {"fieldName", selection.name}})));
            return;
        }
        arguments(*def, selection, here);
        const TypeDef* result = schema_.type(def->type.name);
        if (result == nullptr) return;
        if (result->isComposite() && selection.selections.empty()) {
            errors_.push_back(
                graphqlError("Field must have selections (field '" + selection.name + "' returns " +
                                 result->name + " but has no selections. Did you mean '" +
                                 selection.name + " { ... }'?)",
                             selection.line, selection.column, here,
                             extensions({{"code", "selectionMismatch"},
                                         {"nodeName", "field '" + selection.name + "'"},
                                         {"typeName", result->name}})));
        } else if (!result->isComposite() && !selection.selections.empty()) {
            leafWithSelections(selection, def->type.toString(), here);
        } else if (result->isComposite()) {
            selectionSet(*result, selection.selections, here);
        }
    }

    void leafWithSelections(const Selection& selection, const std::string& type,
                            const sdk::Json& path) {
        std::string names;
        for (const auto& sub : selection.selections) {
            names += (names.empty() ? "" : ", ") + sub.name;
        }
        errors_.push_back(graphqlError("Selections can't be made on scalars (field '" +
                                           selection.name + "' returns " + type +
                                           " but has selections [" + names + "])",
                                       selection.line, selection.column, path,
                                       extensions({{"code", "selectionMismatch"},
                                                   {"nodeName", "field '" + selection.name + "'"},
                                                   {"typeName", type}})));
    }

    void arguments(const FieldDef& def, const Selection& selection, const sdk::Json& path) {
        for (const auto& arg : selection.arguments) {
            const InputValue* argument = def.argument(arg.name);
            if (argument == nullptr) {
                errors_.push_back(graphqlError(
                    "Field '" + selection.name + "' doesn't accept argument '" + arg.name + "'",
                    selection.line, selection.column, path,
                    extensions({{"code", "argumentNotAccepted"},
                                {"name", selection.name},
                                {"typeName", "Field"},
                                {"argumentName", arg.name}})));
                continue;
            }
            variablesDeclared(arg.value, selection, path);
            literal(argument->type, arg.value, selection, path);
        }
        std::string missing;
        for (const auto& argument : def.arguments) {
            bool given = false;
            for (const auto& arg : selection.arguments) given = given || arg.name == argument.name;
            if (!given && argument.type.non_null && !argument.default_value) {
                missing += (missing.empty() ? "" : ", ") + argument.name;
            }
        }
        if (!missing.empty()) {
            errors_.push_back(graphqlError(
                "Field '" + selection.name + "' is missing required arguments: " + missing,
                selection.line, selection.column, path,
                extensions({{"code", "missingRequiredArguments"},
                            {"className", "Field"},
                            {"name", selection.name},
                            {"arguments", missing}})));
        }
    }

    void variablesDeclared(const Value& value, const Selection& selection, const sdk::Json& path) {
        if (value.kind == Value::Kind::Variable && declared_.count(value.text) == 0) {
            errors_.push_back(graphqlError(
                "Variable $" + value.text + " is used by " +
                    (operation_.name.empty() ? "anonymous " + operation_.kind : operation_.name) +
                    " but not declared",
                selection.line, selection.column, path,
                extensions({{"code", "variableNotDefined"}, {"variableName", value.text}})));
        }
        for (const auto& item : value.items) variablesDeclared(item, selection, path);
        for (const auto& item : value.field_values) variablesDeclared(item, selection, path);
    }

    // A literal input object must name its required fields (variables are checked when
    // they are coerced).
    void literal(const TypeRef& type, const Value& value, const Selection& selection,
                 const sdk::Json& path) {
        const TypeDef* def = schema_.type(type.name);
        if (value.kind != Value::Kind::Object || def == nullptr ||
            def->kind != TypeKind::InputObject || type.isList()) {
            return;
        }
        for (const auto& field : def->input_fields) {
            bool given = false;
            for (std::size_t i = 0; i < value.field_names.size(); ++i) {
                if (value.field_names[i] != field.name) continue;
                given = true;
                literal(field.type, value.field_values[i], selection, path);
            }
            if (!given && field.type.non_null && !field.default_value) {
                errors_.push_back(
                    graphqlError("Argument '" + field.name + "' on InputObject '" + def->name +
                                     "' is required. Expected type " + field.type.toString(),
                                 selection.line, selection.column, path,
                                 extensions({{"code", "missingRequiredInputObjectAttribute"},
                                             {"argumentName", field.name},
                                             {"argumentType", field.type.toString()},
                                             {"inputObjectType", def->name}})));
            }
        }
        for (const auto& name : value.field_names) {
            if (def->inputField(name) == nullptr) {
                errors_.push_back(graphqlError(
                    "InputObject '" + def->name + "' doesn't accept argument '" + name + "'",
                    selection.line, selection.column, path,
                    extensions({{"code", "argumentNotAccepted"},
                                {"name", def->name},
                                {"typeName", "InputObject"},
                                {"argumentName", name}})));
            }
        }
    }

    const Schema& schema_;
    const Document& document_;
    const Operation& operation_;
    std::set<std::string> declared_;
    std::set<std::string> used_fragments_;
    std::set<std::string> visiting_;
    std::vector<sdk::Json> errors_;
};

}  // namespace

sdk::Json graphqlError(const std::string& message, int line, int column, const sdk::Json& path,
                       const sdk::Json& extensions) {
    sdk::Json error = sdk::Json::object();
    error.set("message", message);
    if (line > 0) {
        sdk::Json location = sdk::Json::object();
        location.set("line", line);
        location.set("column", column);
        sdk::Json locations = sdk::Json::array();
        locations.push(std::move(location));
        error.set("locations", std::move(locations));
    }
    if (!path.isNull()) error.set("path", path);
    if (!extensions.isNull()) error.set("extensions", extensions);
    return error;
}

std::vector<sdk::Json> validate(const Schema& schema, const Document& document,
                                const Operation& operation) {
    return Validator(schema, document, operation).run();
}

}  // namespace relais::ds_mock
