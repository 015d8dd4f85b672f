// SPDX-License-Identifier: AGPL-3.0-or-later
#include "schema.h"

#include <algorithm>
#include <utility>

namespace relais::ds_mock {
namespace {

class SdlParser {
public:
    explicit SdlParser(std::vector<Token> tokens) : in_(std::move(tokens)) {}

    sdk::Result<void> run(std::map<std::string, TypeDef, std::less<>>& types,
                          std::string& query_type, std::string& mutation_type) {
        while (!in_.atEnd()) {
            if (in_.peek().kind == TokenKind::String) {  // a description
                in_.next();
                continue;
            }
            auto keyword = in_.expectName();
            if (!keyword.ok()) return keyword.error();
            sdk::Result<void> done;
            if (*keyword == "schema") {
                done = parseSchemaDefinition(query_type, mutation_type);
            } else if (*keyword == "directive") {
                done = skipDirectiveDefinition();
            } else {
                auto type = parseType(*keyword);
                if (!type.ok()) return type.error();
                std::string name = type->name;
                types[name] = std::move(type).value();
            }
            if (!done.ok()) return done;
        }
        return {};
    }

private:
    sdk::Result<void> parseSchemaDefinition(std::string& query_type, std::string& mutation_type) {
        auto directives = in_.skipDirectives();
        if (!directives.ok()) return directives;
        auto open = in_.expectPunctuator("{");
        if (!open.ok()) return open;
        while (!in_.atPunctuator("}")) {
            auto operation = in_.expectName();
            if (!operation.ok()) return operation.error();
            auto colon = in_.expectPunctuator(":");
            if (!colon.ok()) return colon;
            auto type = in_.expectName();
            if (!type.ok()) return type.error();
            if (*operation == "query") query_type = *type;
            if (*operation == "mutation") mutation_type = *type;
        }
        in_.next();
        return {};
    }

    // `directive @name(args) repeatable? on A | B`
    sdk::Result<void> skipDirectiveDefinition() {
        auto at = in_.expectPunctuator("@");
        if (!at.ok()) return at;
        auto name = in_.expectName();
        if (!name.ok()) return name.error();
        if (in_.atPunctuator("(")) {
            std::vector<InputValue> ignored;
            auto args = parseInputValues(")", ignored);
            if (!args.ok()) return args;
        }
        if (in_.atName("repeatable")) in_.next();
        if (!in_.atName("on")) return in_.unexpected();
        in_.next();
        if (in_.atPunctuator("|")) in_.next();
        in_.next();
        while (in_.atPunctuator("|")) {
            in_.next();
            in_.next();
        }
        return {};
    }

    sdk::Result<TypeDef> parseType(const std::string& keyword) {
        TypeDef type;
        if (keyword == "type")
            type.kind = TypeKind::Object;
        else if (keyword == "interface")
            type.kind = TypeKind::Interface;
        else if (keyword == "union")
            type.kind = TypeKind::Union;
        else if (keyword == "enum")
            type.kind = TypeKind::Enum;
        else if (keyword == "input")
            type.kind = TypeKind::InputObject;
        else if (keyword == "scalar")
            type.kind = TypeKind::Scalar;
        else
            return sdk::fail(sdk::ErrorCode::InvalidArgument, "unknown definition " + keyword);
        auto name = in_.expectName();
        if (!name.ok()) return name.error();
        type.name = std::move(name).value();
        if (in_.atName("implements")) {
            in_.next();
            if (in_.atPunctuator("&")) in_.next();
            while (in_.peek().kind == TokenKind::Name && !in_.atPunctuator("{")) {
                type.interfaces.push_back(in_.next().text);
                if (!in_.atPunctuator("&")) break;
                in_.next();
            }
        }
        auto directives = in_.skipDirectives();
        if (!directives.ok()) return directives.error();
        sdk::Result<void> body;
        switch (type.kind) {
            case TypeKind::Object:
            case TypeKind::Interface:
                body = parseFields(type.fields);
                break;
            case TypeKind::InputObject:
                if (in_.atPunctuator("{")) {
                    in_.next();
                    body = parseInputValues("}", type.input_fields);
                }
                break;
            case TypeKind::Enum:
                body = parseEnumValues(type.enum_values);
                break;
            case TypeKind::Union:
                body = parseUnionMembers(type.members);
                break;
            case TypeKind::Scalar:
                break;
        }
        if (!body.ok()) return body.error();
        return type;
    }

    sdk::Result<void> parseFields(std::vector<FieldDef>& out) {
        if (!in_.atPunctuator("{")) return {};
        in_.next();
        while (!in_.atPunctuator("}")) {
            if (in_.peek().kind == TokenKind::String) in_.next();
            FieldDef field;
            auto name = in_.expectName();
            if (!name.ok()) return name.error();
            field.name = std::move(name).value();
            if (in_.atPunctuator("(")) {
                in_.next();
                auto args = parseInputValues(")", field.arguments);
                if (!args.ok()) return args;
            }
            auto colon = in_.expectPunctuator(":");
            if (!colon.ok()) return colon;
            auto type = in_.parseType();
            if (!type.ok()) return type.error();
            field.type = std::move(type).value();
            auto directives = in_.skipDirectives();
            if (!directives.ok()) return directives;
            out.push_back(std::move(field));
        }
        in_.next();
        return {};
    }

    // Arguments or input fields up to `close` (the opening bracket already read).
    sdk::Result<void> parseInputValues(std::string_view close, std::vector<InputValue>& out) {
        if (close == ")" && in_.atPunctuator("(")) in_.next();
        while (!in_.atPunctuator(close)) {
            if (in_.atEnd()) return in_.unexpected();
            if (in_.peek().kind == TokenKind::String) in_.next();
            InputValue value;
            auto name = in_.expectName();
            if (!name.ok()) return name.error();
            value.name = std::move(name).value();
            auto colon = in_.expectPunctuator(":");
            if (!colon.ok()) return colon;
            auto type = in_.parseType();
            if (!type.ok()) return type.error();
            value.type = std::move(type).value();
            if (in_.atPunctuator("=")) {
                in_.next();
                auto default_value = in_.parseValue(true);
                if (!default_value.ok()) return default_value.error();
                value.default_value = std::move(default_value).value();
            }
            auto directives = in_.skipDirectives();
            if (!directives.ok()) return directives;
            out.push_back(std::move(value));
        }
        in_.next();
        return {};
    }

    sdk::Result<void> parseEnumValues(std::vector<std::string>& out) {
        auto open = in_.expectPunctuator("{");
        if (!open.ok()) return open;
        while (!in_.atPunctuator("}")) {
            if (in_.peek().kind == TokenKind::String) in_.next();
            auto name = in_.expectName();
            if (!name.ok()) return name.error();
            out.push_back(std::move(name).value());
            auto directives = in_.skipDirectives();
            if (!directives.ok()) return directives;
        }
        in_.next();
        return {};
    }

    sdk::Result<void> parseUnionMembers(std::vector<std::string>& out) {
        auto equals = in_.expectPunctuator("=");
        if (!equals.ok()) return equals;
        if (in_.atPunctuator("|")) in_.next();
        while (true) {
            auto name = in_.expectName();
            if (!name.ok()) return name.error();
            out.push_back(std::move(name).value());
            if (!in_.atPunctuator("|")) return {};
            in_.next();
        }
    }

    TokenCursor in_;
};

template <typename T>
const T* findNamed(const std::vector<T>& items, std::string_view name) {
    for (const auto& item : items) {
        if (item.name == name) return &item;
    }
    return nullptr;
}

}  // namespace

const InputValue* FieldDef::argument(std::string_view arg) const {
    return findNamed(arguments, arg);
}

const FieldDef* TypeDef::field(std::string_view field_name) const {
    return findNamed(fields, field_name);
}

const InputValue* TypeDef::inputField(std::string_view field_name) const {
    return findNamed(input_fields, field_name);
}

sdk::Result<Schema> Schema::parse(std::string_view sdl) {
    auto tokens = tokenize(sdl);
    if (!tokens.ok()) return tokens.error();
    Schema schema;
    for (const char* builtin : {"Int", "Float", "String", "Boolean", "ID"}) {
        schema.types_[builtin] = TypeDef{builtin, TypeKind::Scalar, {}, {}, {}, {}, {}};
    }
    auto parsed = SdlParser(std::move(tokens).value())
                      .run(schema.types_, schema.query_type_, schema.mutation_type_);
    if (!parsed.ok()) return parsed.error();
    return schema;
}

const TypeDef* Schema::type(std::string_view name) const {
    const auto found = types_.find(name);
    return found == types_.end() ? nullptr : &found->second;
}

bool Schema::possible(std::string_view abstract_or_object, std::string_view object) const {
    if (abstract_or_object == object) return true;
    const TypeDef* abstract = type(abstract_or_object);
    const TypeDef* concrete = type(object);
    if (abstract == nullptr || concrete == nullptr) return false;
    if (abstract->kind == TypeKind::Union) {
        return std::find(abstract->members.begin(), abstract->members.end(), object) !=
               abstract->members.end();
    }
    return abstract->kind == TypeKind::Interface &&
           std::find(concrete->interfaces.begin(), concrete->interfaces.end(),
                     abstract_or_object) != concrete->interfaces.end();
}

std::vector<std::string> Schema::implementations(std::string_view interface_name) const {
    std::vector<std::string> out;
    for (const auto& [name, def] : types_) {
        if (def.kind == TypeKind::Object && possible(interface_name, name)) out.push_back(name);
    }
    return out;
}

}  // namespace relais::ds_mock
