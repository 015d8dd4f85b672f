// SPDX-License-Identifier: AGPL-3.0-or-later
#include "input_coercion.h"

#include <cstdlib>

#include "relais/sdk/time.h"

namespace relais::ds_mock {
namespace {

Coerced problem(std::string explanation) {
    Coerced out;
    out.problem = InputProblem{sdk::Json::array(), std::move(explanation)};
    return out;
}

Coerced prefixed(Coerced inner, const sdk::Json& step) {
    if (inner.problem) {
        sdk::Json path = sdk::Json::array();
        path.push(step);
        for (const auto& part : *inner.problem->path.arrayIf()) path.push(part);
        inner.problem->path = std::move(path);
    }
    return inner;
}

Coerced coerceScalar(const TypeDef& type, const sdk::Json& value) {
    const std::string& name = type.name;
    const std::string shown = value.dump();
    const bool ok = name == "Int"       ? value.isInt()
                    : name == "Float"   ? value.isNumber()
                    : name == "Boolean" ? value.isBool()
                    : name == "ID"      ? value.isString() || value.isInt()
                    : name == "BigInt"  ? value.isString() || value.isInt()
                                        : value.isString();
    if (!ok) return problem("Could not coerce value " + shown + " to " + name);
    if ((name == "ISO8601DateTime" || name == "ISO8601Date") &&
        !sdk::Timestamp::parse(value.asString()).ok()) {
        return problem("Could not coerce value " + shown + " to " + name);
    }
    if (name == "ID" && value.isInt()) return {sdk::Json(std::to_string(value.asInt())), {}};
    return {value, {}};
}

Coerced coerceEnum(const TypeDef& type, const sdk::Json& value) {
    for (const auto& candidate : type.enum_values) {
        if (value.isString() && value.asString() == candidate) return {value, {}};
    }
    std::string all;
    for (const auto& candidate : type.enum_values) all += (all.empty() ? "" : ", ") + candidate;
    return problem("Expected " + value.dump() + " to be one of: " + all);
}

Coerced coerceInputObject(const Schema& schema, const TypeDef& type, const sdk::Json& value) {
    if (!value.isObject()) return problem("Expected " + value.dump() + " to be a key-value object");
    for (const auto& member : *value.objectIf()) {
        if (type.inputField(member.key) == nullptr) {
            return prefixed(problem("Field is not defined on " + type.name), member.key);
        }
    }
    sdk::Json out = sdk::Json::object();
    for (const auto& field : type.input_fields) {
        const sdk::Json* given = value.find(field.name);
        sdk::Json input = given != nullptr ? *given : sdk::Json();
        if (given == nullptr && field.default_value) {
            input = valueToJson(*field.default_value, sdk::Json::object());
        }
        Coerced inner = coerceInput(schema, field.type, input);
        if (inner.problem) return prefixed(std::move(inner), field.name);
        if (given != nullptr || field.default_value) out.set(field.name, std::move(inner.value));
    }
    return {std::move(out), {}};
}

}  // namespace

std::string InputProblem::dottedPath() const {
    std::string out;
    for (const auto& step : *path.arrayIf()) {
        if (!out.empty()) out += '.';
        out += step.isString() ? step.asString() : std::to_string(step.asInt());
    }
    return out;
}

sdk::Json valueToJson(const Value& value, const sdk::Json& variables) {
    switch (value.kind) {
        case Value::Kind::Null:
            return {};
        case Value::Kind::Int:
            return sdk::Json(std::strtoll(value.text.c_str(), nullptr, 10));
        case Value::Kind::Float:
            return sdk::Json(std::strtod(value.text.c_str(), nullptr));
        case Value::Kind::Boolean:
            return sdk::Json(value.text == "true");
        case Value::Kind::String:
        case Value::Kind::Enum:
            return sdk::Json(value.text);
        case Value::Kind::Variable: {
            const sdk::Json* found = variables.find(value.text);
            return found != nullptr ? *found : sdk::Json();
        }
        case Value::Kind::List: {
            sdk::Json out = sdk::Json::array();
            for (const auto& item : value.items) out.push(valueToJson(item, variables));
            return out;
        }
        case Value::Kind::Object: {
            sdk::Json out = sdk::Json::object();
            for (std::size_t i = 0; i < value.field_names.size(); ++i) {
                out.set(value.field_names[i], valueToJson(value.field_values[i], variables));
            }
            return out;
        }
    }
    return {};
}

Coerced coerceInput(const Schema& schema, const TypeRef& type, const sdk::Json& value) {
    if (value.isNull()) {
        if (type.non_null) return problem("Expected value to not be null");
        return {sdk::Json(), {}};
    }
    if (type.isList()) {
        sdk::Json out = sdk::Json::array();
        if (!value.isArray()) {  // a single value stands for a list of one (spec §3.11)
            Coerced inner = coerceInput(schema, *type.item, value);
            if (inner.problem) return inner;
            out.push(std::move(inner.value));
            return {std::move(out), {}};
        }
        for (std::size_t i = 0; i < value.size(); ++i) {
            Coerced inner = coerceInput(schema, *type.item, *value.at(i));
            if (inner.problem) return prefixed(std::move(inner), static_cast<std::int64_t>(i));
            out.push(std::move(inner.value));
        }
        return {std::move(out), {}};
    }
    const TypeDef* def = schema.type(type.name);
    if (def == nullptr) return problem("No such type " + type.name);
    switch (def->kind) {
        case TypeKind::Scalar:
            return coerceScalar(*def, value);
        case TypeKind::Enum:
            return coerceEnum(*def, value);
        case TypeKind::InputObject:
            return coerceInputObject(schema, *def, value);
        default:
            return problem(type.name + " is not an input type");
    }
}

}  // namespace relais::ds_mock
