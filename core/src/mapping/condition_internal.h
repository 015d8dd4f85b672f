// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <Poco/RegularExpression.h>

#include "relais/mapping/condition.h"

#include "mapping/source_path.h"

/// @file
/// Internal to the mapping module: the parsed form of a `Condition` and its evaluation in a
/// scope (inside a group, plain paths are relative to the current element).

namespace relais::mapping::detail {

struct Literal {
    enum class Kind : std::uint8_t { Null, Bool, Number, String };
    Kind kind = Kind::Null;
    bool boolean = false;
    double number = 0;
    std::string text;
};

/// One node of a parsed condition. Immutable after parsing.
struct ConditionNode {
    enum class Op : std::uint8_t {
        And,
        Or,
        Not,
        Present,
        Empty,
        Equal,
        NotEqual,
        Less,
        LessOrEqual,
        Greater,
        GreaterOrEqual,
        In,
        Matches,
    };
    Op op = Op::And;
    std::vector<std::unique_ptr<ConditionNode>> children;  ///< And, Or, Not
    std::optional<SourcePath> path;                        ///< tests
    std::vector<Literal> literals;                         ///< comparisons, In
    std::shared_ptr<const Poco::RegularExpression> regex;  ///< Matches
};

/// The mapping module's access to `Condition` internals.
struct ConditionAccess {
    /// Evaluates `condition` in `scope`. Never throws.
    static bool evaluate(const Condition& condition, const Scope& scope) noexcept;
};

}  // namespace relais::mapping::detail
