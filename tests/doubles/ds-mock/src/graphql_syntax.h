// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "relais/sdk/result.h"

/// @file
/// The syntax of GraphQL (October 2021 spec) that the DS double needs: a lexer shared by the
/// executable documents that clients send and the SDL of DS's schema, and the syntax tree of
/// values and types common to both.

namespace relais::ds_mock {

enum class TokenKind { End, Punctuator, Name, Int, Float, String };

struct Token {
    TokenKind kind = TokenKind::End;
    std::string text;  ///< a string's value without quotes or escapes
    int line = 1;
    int column = 1;
};

/// Splits `source` into tokens (commas, white space and `#` comments dropped). Errors are
/// `InvalidArgument` with graphql-ruby's wording (`Parse error on "…" … at [line, column]`).
sdk::Result<std::vector<Token>> tokenize(std::string_view source);

/// A type reference: `String`, `[Champ!]!`… `item` is set for a list.
struct TypeRef {
    std::string name;  ///< the named type, for a list the innermost one
    std::shared_ptr<const TypeRef> item;
    bool non_null = false;

    bool isList() const noexcept { return item != nullptr; }
    /// As written in GraphQL (`[Champ!]!`).
    std::string toString() const;
};

/// A literal or a `$variable` as written in a document or a default value.
struct Value {
    enum class Kind { Null, Int, Float, String, Boolean, Enum, List, Object, Variable };
    Kind kind = Kind::Null;
    std::string text;                      ///< the literal, the enum value or variable name
    std::vector<Value> items;              ///< a list's elements
    std::vector<std::string> field_names;  ///< an object's fields, in order, with
    std::vector<Value> field_values;       ///< their values
};

/// Reads tokens one at a time, for the two parsers (documents and SDL).
class TokenCursor {
public:
    explicit TokenCursor(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

    const Token& peek(std::size_t ahead = 0) const;
    bool atPunctuator(std::string_view p) const;
    bool atName(std::string_view name) const;
    bool atEnd() const { return peek().kind == TokenKind::End; }
    Token next();

    /// The error graphql-ruby gives for the token at the cursor.
    sdk::Error unexpected() const;
    sdk::Result<void> expectPunctuator(std::string_view p);
    sdk::Result<std::string> expectName();
    sdk::Result<TypeRef> parseType();
    /// A value; `constant` refuses variables (default values, SDL).
    sdk::Result<Value> parseValue(bool constant);
    /// Skips `@name(args)` directives.
    sdk::Result<void> skipDirectives();

private:
    std::vector<Token> tokens_;
    std::size_t at_ = 0;
};

}  // namespace relais::ds_mock
