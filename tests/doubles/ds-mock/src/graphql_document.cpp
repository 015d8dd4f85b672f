// SPDX-License-Identifier: AGPL-3.0-or-later
#include "graphql_document.h"

#include <utility>

namespace relais::ds_mock {
namespace {

class DocumentParser {
public:
    explicit DocumentParser(std::vector<Token> tokens) : in_(std::move(tokens)) {}

    sdk::Result<Document> run() {
        Document document;
        if (in_.atEnd()) return in_.unexpected();
        while (!in_.atEnd()) {
            if (in_.atName("fragment")) {
                auto fragment = parseFragment();
                if (!fragment.ok()) return fragment.error();
                document.fragments.push_back(std::move(fragment).value());
            } else {
                auto operation = parseOperation();
                if (!operation.ok()) return operation.error();
                document.operations.push_back(std::move(operation).value());
            }
        }
        return document;
    }

private:
    sdk::Result<Operation> parseOperation() {
        Operation operation;
        operation.line = in_.peek().line;
        operation.column = in_.peek().column;
        if (in_.atPunctuator("{")) {
            operation.kind = "query";
        } else if (in_.atName("query") || in_.atName("mutation") || in_.atName("subscription")) {
            operation.kind = in_.next().text;
            if (in_.peek().kind == TokenKind::Name) operation.name = in_.next().text;
            if (in_.atPunctuator("(")) {
                auto variables = parseVariableDefinitions(operation.variables);
                if (!variables.ok()) return variables.error();
            }
            auto directives = in_.skipDirectives();
            if (!directives.ok()) return directives.error();
        } else {
            return in_.unexpected();
        }
        auto selections = parseSelectionSet();
        if (!selections.ok()) return selections.error();
        operation.selections = std::move(selections).value();
        return operation;
    }

    sdk::Result<void> parseVariableDefinitions(std::vector<VariableDefinition>& out) {
        in_.next();
        while (!in_.atPunctuator(")")) {
            VariableDefinition definition;
            auto dollar = in_.expectPunctuator("$");
            if (!dollar.ok()) return dollar;
            auto name = in_.expectName();
            if (!name.ok()) return name.error();
            definition.name = std::move(name).value();
            auto colon = in_.expectPunctuator(":");
            if (!colon.ok()) return colon;
            auto type = in_.parseType();
            if (!type.ok()) return type.error();
            definition.type = std::move(type).value();
            if (in_.atPunctuator("=")) {
                in_.next();
                auto value = in_.parseValue(true);
                if (!value.ok()) return value.error();
                definition.default_value = std::move(value).value();
            }
            auto directives = in_.skipDirectives();
            if (!directives.ok()) return directives;
            out.push_back(std::move(definition));
        }
        in_.next();
        return {};
    }

    sdk::Result<Fragment> parseFragment() {
        Fragment fragment;
        fragment.line = in_.peek().line;
        fragment.column = in_.peek().column;
        in_.next();
        auto name = in_.expectName();
        if (!name.ok()) return name.error();
        fragment.name = std::move(name).value();
        if (!in_.atName("on")) return in_.unexpected();
        in_.next();
        auto type = in_.expectName();
        if (!type.ok()) return type.error();
        fragment.type_condition = std::move(type).value();
        auto directives = in_.skipDirectives();
        if (!directives.ok()) return directives.error();
        auto selections = parseSelectionSet();
        if (!selections.ok()) return selections.error();
        fragment.selections = std::move(selections).value();
        return fragment;
    }

    sdk::Result<SelectionSet> parseSelectionSet() {
        auto open = in_.expectPunctuator("{");
        if (!open.ok()) return open.error();
        SelectionSet set;
        if (in_.atPunctuator("}")) return in_.unexpected();
        while (!in_.atPunctuator("}")) {
            auto selection = parseSelection();
            if (!selection.ok()) return selection.error();
            set.push_back(std::move(selection).value());
        }
        in_.next();
        return set;
    }

    sdk::Result<Selection> parseSelection() {
        Selection selection;
        selection.line = in_.peek().line;
        selection.column = in_.peek().column;
        if (in_.atPunctuator("...")) {
            in_.next();
            if (in_.peek().kind == TokenKind::Name && in_.peek().text != "on") {
                selection.kind = Selection::Kind::FragmentSpread;
                selection.name = in_.next().text;
                auto directives = parseDirectives(selection.directives);
                if (!directives.ok()) return directives.error();
                return selection;
            }
            selection.kind = Selection::Kind::InlineFragment;
            if (in_.atName("on")) {
                in_.next();
                auto type = in_.expectName();
                if (!type.ok()) return type.error();
                selection.type_condition = std::move(type).value();
            }
        } else {
            auto name = in_.expectName();
            if (!name.ok()) return name.error();
            selection.name = std::move(name).value();
            if (in_.atPunctuator(":")) {
                in_.next();
                auto field = in_.expectName();
                if (!field.ok()) return field.error();
                selection.alias = std::move(selection.name);
                selection.name = std::move(field).value();
            }
            if (in_.atPunctuator("(")) {
                auto arguments = parseArguments(selection.arguments);
                if (!arguments.ok()) return arguments.error();
            }
        }
        auto directives = parseDirectives(selection.directives);
        if (!directives.ok()) return directives.error();
        if (in_.atPunctuator("{") || selection.kind == Selection::Kind::InlineFragment) {
            auto selections = parseSelectionSet();
            if (!selections.ok()) return selections.error();
            selection.selections = std::move(selections).value();
        }
        return selection;
    }

    sdk::Result<void> parseArguments(std::vector<Argument>& out) {
        in_.next();
        if (in_.atPunctuator(")")) return in_.unexpected();
        while (!in_.atPunctuator(")")) {
            Argument argument;
            auto name = in_.expectName();
            if (!name.ok()) return name.error();
            argument.name = std::move(name).value();
            auto colon = in_.expectPunctuator(":");
            if (!colon.ok()) return colon;
            auto value = in_.parseValue(false);
            if (!value.ok()) return value.error();
            argument.value = std::move(value).value();
            out.push_back(std::move(argument));
        }
        in_.next();
        return {};
    }

    sdk::Result<void> parseDirectives(std::vector<Directive>& out) {
        while (in_.atPunctuator("@")) {
            in_.next();
            Directive directive;
            auto name = in_.expectName();
            if (!name.ok()) return name.error();
            directive.name = std::move(name).value();
            if (in_.atPunctuator("(")) {
                auto arguments = parseArguments(directive.arguments);
                if (!arguments.ok()) return arguments;
            }
            out.push_back(std::move(directive));
        }
        return {};
    }

    TokenCursor in_;
};

}  // namespace

const Fragment* Document::fragment(std::string_view name) const {
    for (const auto& candidate : fragments) {
        if (candidate.name == name) return &candidate;
    }
    return nullptr;
}

sdk::Result<Document> parseDocument(std::string_view text) {
    auto tokens = tokenize(text);
    if (!tokens.ok()) return tokens.error();
    return DocumentParser(std::move(tokens).value()).run();
}

}  // namespace relais::ds_mock
