// SPDX-License-Identifier: AGPL-3.0-or-later
#include "executor.h"

#include <utility>
#include <vector>

#include "graphql_document.h"
#include "input_coercion.h"
#include "validation.h"

namespace relais::ds_mock {
namespace {

// The field nodes of one response key, in document order (fragments flattened).
struct FieldGroup {
    std::string key;
    std::vector<const Selection*> nodes;
};

class Execution {
public:
    Execution(const Schema& schema, const Document& document, sdk::Json variables,
              Resolver& resolver)
        : schema_(schema),
          document_(document),
          variables_(std::move(variables)),
          resolver_(resolver) {}

    sdk::Json run(const Operation& operation) {
        const TypeDef* root = schema_.type(operation.kind == "mutation" ? schema_.mutationType()
                                                                        : schema_.queryType());
        std::vector<const Selection*> nodes;
        Selection top;
        top.selections = operation.selections;
        nodes.push_back(&top);
        sdk::Json body = sdk::Json::object();
        body.set("data", objectValue(*root, sdk::Json::object(), nodes, sdk::Json::array()));
        if (!errors_.empty()) {
            sdk::Json errors = sdk::Json::array();
            for (auto& error : errors_) errors.push(std::move(error));
            body.set("errors", std::move(errors));
        }
        return body;
    }

private:
    bool included(const Selection& selection) const {
        for (const auto& directive : selection.directives) {
            if (directive.name != "include" && directive.name != "skip") continue;
            bool condition = false;
            for (const auto& arg : directive.arguments) {
                if (arg.name == "if") condition = valueToJson(arg.value, variables_).asBool();
            }
            if ((directive.name == "include") != condition) return false;
        }
        return true;
    }

    void collect(const std::string& runtime, const SelectionSet& set,
                 std::vector<FieldGroup>& groups) const {
        for (const auto& selection : set) {
            if (!included(selection)) continue;
            if (selection.kind == Selection::Kind::Field) {
                FieldGroup* group = nullptr;
                for (auto& candidate : groups) {
                    if (candidate.key == selection.responseKey()) group = &candidate;
                }
                if (group == nullptr) {
                    groups.push_back({selection.responseKey(), {}});
                    group = &groups.back();
                }
                group->nodes.push_back(&selection);
            } else if (selection.kind == Selection::Kind::InlineFragment) {
                if (selection.type_condition.empty() ||
                    schema_.possible(selection.type_condition, runtime)) {
                    collect(runtime, selection.selections, groups);
                }
            } else if (const Fragment* fragment = document_.fragment(selection.name)) {
                if (schema_.possible(fragment->type_condition, runtime) &&
                    depth_guard_ < kMaxFragmentDepth) {
                    ++depth_guard_;
                    collect(runtime, fragment->selections, groups);
                    --depth_guard_;
                }
            }
        }
    }

    sdk::Json objectValue(const TypeDef& type, const sdk::Json& parent,
                          const std::vector<const Selection*>& nodes, const sdk::Json& path) {
        std::vector<FieldGroup> groups;
        for (const Selection* node : nodes) collect(type.name, node->selections, groups);
        sdk::Json out = sdk::Json::object();
        for (const auto& group : groups) {
            out.set(group.key, fieldValue(type, parent, group, path));
        }
        return out;
    }

    sdk::Json fieldValue(const TypeDef& type, const sdk::Json& parent, const FieldGroup& group,
                         const sdk::Json& path) {
        const Selection& node = *group.nodes.front();
        sdk::Json here = path;
        here.push(group.key);
        if (node.name == "__typename") return sdk::Json(type.name);
        const FieldDef* def = type.field(node.name);
        if (def == nullptr) {
            errors_.push_back(
                graphqlError("Field '" + node.name + "' doesn't exist on type '" + type.name + "'",
                             node.line, node.column, here));
            return {};
        }
        sdk::Json arguments = sdk::Json::object();
        for (const auto& argument : def->arguments) {
            sdk::Json given;
            bool present = false;
            for (const auto& arg : node.arguments) {
                if (arg.name != argument.name) continue;
                given = valueToJson(arg.value, variables_);
                present = true;
            }
            if (!present && argument.default_value) {
                given = valueToJson(*argument.default_value, variables_);
                present = true;
            }
            Coerced coerced = coerceInput(schema_, argument.type, given);
            if (coerced.problem) {
                errors_.push_back(graphqlError(
                    "Argument '" + argument.name + "' on Field '" + node.name +
                        "' has an invalid value (" + given.dump() + "). Expected type '" +
                        argument.type.toString() + "'." +
                        (coerced.problem->path.size() > 0 ? " " + coerced.problem->dottedPath() +
                                                                ": " + coerced.problem->explanation
                                                          : ""),
                    node.line, node.column, here));
                return {};
            }
            if (present) arguments.set(argument.name, std::move(coerced.value));
        }
        const FieldCall call{type.name, node.name, parent, arguments};
        std::optional<Resolved> resolved = resolver_.resolve(call);
        if (resolved && !resolved->error.empty()) {
            errors_.push_back(
                graphqlError(resolved->error, node.line, node.column, here, resolved->extensions));
            return {};
        }
        if (resolved) return complete(def->type, resolved->value, group.nodes, here);
        const sdk::Json* member = parent.find(node.name);
        return complete(def->type, member != nullptr ? *member : sdk::Json(), group.nodes, here);
    }

    sdk::Json complete(const TypeRef& type, const sdk::Json& value,
                       const std::vector<const Selection*>& nodes, const sdk::Json& path) {
        if (value.isNull()) return {};
        if (type.isList()) {
            sdk::Json out = sdk::Json::array();
            if (!value.isArray()) return out;
            for (std::size_t i = 0; i < value.size(); ++i) {
                sdk::Json here = path;
                here.push(static_cast<std::int64_t>(i));
                out.push(complete(*type.item, *value.at(i), nodes, here));
            }
            return out;
        }
        const TypeDef* def = schema_.type(type.name);
        if (def == nullptr || !def->isComposite()) return value;
        const sdk::Json* typename_member = value.find("__typename");
        const std::string runtime =
            typename_member != nullptr ? typename_member->asString() : def->name;
        const TypeDef* runtime_def = schema_.type(runtime);
        if (runtime_def == nullptr || runtime_def->kind != TypeKind::Object ||
            !schema_.possible(def->name, runtime)) {
            errors_.push_back(graphqlError(
                "The value of type " + runtime + " could not be resolved to " + def->name, 0, 0,
                path));
            return {};
        }
        return objectValue(*runtime_def, value, nodes, path);
    }

    static constexpr int kMaxFragmentDepth = 32;

    const Schema& schema_;
    const Document& document_;
    sdk::Json variables_;
    Resolver& resolver_;
    std::vector<sdk::Json> errors_;
    mutable int depth_guard_ = 0;
};

sdk::Json errorsOnly(std::vector<sdk::Json> errors) {
    sdk::Json list = sdk::Json::array();
    for (auto& error : errors) list.push(std::move(error));
    sdk::Json body = sdk::Json::object();
    body.set("errors", std::move(list));
    return body;
}

const Operation* pickOperation(const Document& document, std::string_view name,
                               std::vector<sdk::Json>& errors) {
    if (name.empty() && document.operations.size() == 1) return &document.operations.front();
    if (name.empty()) {
        errors.push_back(graphqlError(document.operations.empty() ? "No operations in query string"
                                                                  : "An operation name is required",
                                      0, 0));
        return nullptr;
    }
    for (const auto& operation : document.operations) {
        if (operation.name == name) return &operation;
    }
    errors.push_back(graphqlError("No operation named \"" + std::string(name) + "\"", 0, 0));
    return nullptr;
}

// The variables of the operation, defaults applied, or graphql-ruby's errors.
sdk::Json coerceVariables(const Schema& schema, const Operation& operation, const sdk::Json& given,
                          std::vector<sdk::Json>& errors) {
    sdk::Json out = sdk::Json::object();
    for (const auto& definition : operation.variables) {
        const sdk::Json* value = given.isObject() ? given.find(definition.name) : nullptr;
        sdk::Json input = value != nullptr ? *value : sdk::Json();
        if (value == nullptr && definition.default_value) {
            input = valueToJson(*definition.default_value, sdk::Json::object());
        }
        Coerced coerced = coerceInput(schema, definition.type, input);
        if (!coerced.problem) {
            if (value != nullptr || definition.default_value) {
                out.set(definition.name, std::move(coerced.value));
            }
            continue;
        }
        std::string message = "Variable $" + definition.name + " of type " +
                              definition.type.toString() + " was provided invalid value";
        if (coerced.problem->path.size() > 0) {
            message +=
                " for " + coerced.problem->dottedPath() + " (" + coerced.problem->explanation + ")";
        }
        sdk::Json problem = sdk::Json::object();
        problem.set("path", coerced.problem->path);
        problem.set("explanation", coerced.problem->explanation);
        sdk::Json problems = sdk::Json::array();
        problems.push(std::move(problem));
        sdk::Json extensions = sdk::Json::object();
        extensions.set("value", input);
        extensions.set("problems", std::move(problems));
        errors.push_back(graphqlError(message, operation.line, operation.column, {}, extensions));
    }
    return out;
}

}  // namespace

ExecutionResult Executor::execute(std::string_view query, const sdk::Json& variables,
                                  std::string_view operation_name, Resolver& resolver) const {
    ExecutionResult result;
    auto document = parseDocument(query);
    if (!document.ok()) {
        result.body = errorsOnly({graphqlError(document.error().message, 0, 0)});
        return result;
    }
    std::vector<sdk::Json> errors;
    const Operation* operation = pickOperation(*document, operation_name, errors);
    if (operation == nullptr) {
        result.body = errorsOnly(std::move(errors));
        return result;
    }
    errors = validate(schema_, *document, *operation);
    if (errors.empty()) {
        sdk::Json coerced = coerceVariables(schema_, *operation, variables, errors);
        if (errors.empty()) {
            result.operation_kind = operation->kind;
            result.body =
                Execution(schema_, *document, std::move(coerced), resolver).run(*operation);
            return result;
        }
    }
    result.body = errorsOnly(std::move(errors));
    return result;
}

}  // namespace relais::ds_mock
