// SPDX-License-Identifier: AGPL-3.0-or-later
#include "data_check.h"

#include "input_coercion.h"

namespace relais::ds_mock {
namespace {

void check(const Schema& schema, const TypeRef& type, const sdk::Json& value,
           const std::string& path, std::vector<std::string>& problems) {
    if (value.isNull()) {
        if (type.non_null) problems.push_back(path + ": null for " + type.toString());
        return;
    }
    if (type.isList()) {
        if (!value.isArray()) {
            problems.push_back(path + ": not a list for " + type.toString());
            return;
        }
        for (std::size_t i = 0; i < value.size(); ++i) {
            check(schema, *type.item, *value.at(i), path + "[" + std::to_string(i) + "]", problems);
        }
        return;
    }
    const TypeDef* def = schema.type(type.name);
    if (def == nullptr) {
        problems.push_back(path + ": unknown type " + type.name);
        return;
    }
    if (def->kind == TypeKind::Scalar || def->kind == TypeKind::Enum) {
        if (def->name == "Coordinates") return;  // any JSON
        TypeRef nullable = type;
        nullable.non_null = false;
        Coerced coerced = coerceInput(schema, nullable, value);
        if (coerced.problem) problems.push_back(path + ": " + coerced.problem->explanation);
        return;
    }
    if (!value.isObject()) {
        problems.push_back(path + ": not an object for " + type.name);
        return;
    }
    const sdk::Json* type_name = value.find("__typename");
    if (type_name == nullptr) {
        problems.push_back(path + ": no __typename");
        return;
    }
    const TypeDef* runtime = schema.type(type_name->asString());
    if (runtime == nullptr || runtime->kind != TypeKind::Object ||
        !schema.possible(type.name, runtime->name)) {
        problems.push_back(path + ": " + type_name->asString() + " is not a " + type.name);
        return;
    }
    for (const auto& member : *value.objectIf()) {
        if (member.key.rfind("__", 0) == 0) continue;
        const FieldDef* field = runtime->field(member.key);
        const std::string here = path.empty() ? member.key : path + "." + member.key;
        if (field == nullptr) {
            problems.push_back(here + ": no field '" + member.key + "' on " + runtime->name);
            continue;
        }
        check(schema, field->type, member.value, here, problems);
    }
}

}  // namespace

std::vector<std::string> checkData(const Schema& schema, const TypeRef& type,
                                   const sdk::Json& value, const std::string& path) {
    std::vector<std::string> problems;
    check(schema, type, value, path, problems);
    return problems;
}

}  // namespace relais::ds_mock
