// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "relais/sdk/dossier.h"
#include "relais/sdk/result.h"

/// @file
/// `Condition`: the small boolean language of mapping `when`/`filter` attributes and of
/// route conditions in the configuration (`<route … condition="…"/>`).
///
/// Syntax (keywords are lower case; see mappings/README.md for the reference):
///
/// ```
/// condition := or
/// or        := and ("or" and)*
/// and       := unary ("and" unary)*
/// unary     := "not" unary | "(" condition ")" | test
/// test      := PATH "present" | PATH "empty"
///            | PATH ("=" | "!=" | "<" | "<=" | ">" | ">=") LITERAL
///            | PATH ("eq" | "ne" | "lt" | "le" | "gt" | "ge") LITERAL
///            | PATH "in" "(" LITERAL ("," LITERAL)* ")"
///            | PATH "matches" STRING
/// LITERAL   := STRING | NUMBER | "true" | "false" | "null"
/// ```
///
/// `PATH` is a source path (`foyer.quotient_familial`, `enfants[0].prenom`,
/// `$dossier.procedure`…) written without spaces. Strings take single or double quotes with
/// backslash escapes. Example: `foyer.quotient_familial < 1000 and demandeur.courriel present`
/// (in an XML attribute, write `lt` or `&lt;` for `<`).
///
/// Semantics: `empty` holds for an absent value, `null`, `""`, `[]` and `{}`; `present` is
/// its negation. `=` compares numbers numerically (a string holding a decimal number counts
/// as that number), strings exactly, booleans and `null` by identity (`= null` also holds for
/// an absent value); `!=` is the negation of `=`. `<`… compare two numbers numerically or two
/// strings byte-wise; any other pair is false. `in` is `=` against each literal. `matches`
/// searches the value's text (strings, numbers, booleans) with a PCRE regular expression,
/// compiled once at parse time; anchor it with `^…$` to match the whole value.

namespace relais::mapping {

namespace detail {
struct ConditionNode;
struct ConditionAccess;
}  // namespace detail

/// A parsed condition. Immutable and cheap to copy (the parsed tree is shared); `evaluate`
/// may be called from any number of threads at once.
class Condition {
public:
    /// Parses `text`. On error, an `InvalidArgument` whose message starts with
    /// `column N: ` (1-based, in characters) and says what was expected. Never throws for
    /// any input (except `std::bad_alloc`); nesting deeper than 32 levels is refused.
    static sdk::Result<Condition> parse(std::string_view text);

    /// Evaluates against a dossier: plain paths address `dossier.fields`, `$dossier.…`,
    /// `$subject.…` and `$attachments` the canonical metadata. Never throws; a regular
    /// expression that fails to run (PCRE's match limit) counts as not matching.
    bool evaluate(const sdk::Dossier& dossier) const noexcept;

    /// The text it was parsed from.
    const std::string& text() const noexcept { return text_; }

private:
    friend struct detail::ConditionAccess;
    Condition(std::shared_ptr<const detail::ConditionNode> root, std::string text)
        : root_(std::move(root)), text_(std::move(text)) {}

    std::shared_ptr<const detail::ConditionNode> root_;
    std::string text_;
};

}  // namespace relais::mapping
