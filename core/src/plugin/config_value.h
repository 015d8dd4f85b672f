// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "relais/config/config.h"
#include "relais/sdk/descriptor.h"
#include "relais/sdk/settings.h"

/// @file
/// Parsing of one configuration value against its declared type. Shared by the settings
/// validation (values from the config file) and the descriptor checks (a plugin's defaults),
/// so that a default is accepted exactly when the same text in a config file would be.

namespace relais::plugin::detail {

/// Why a text is not a valid value for a key.
struct ValueProblem {
    /// End of a sentence that starts with "key 'x' ", e.g. `must be an integer`.
    std::string what;
    /// Whether the offending text may be quoted back (never for secrets).
    bool echo = true;
    /// Extra explanation after the value, e.g. `out of range`; may be empty.
    std::string detail;
};

/// Parses `text` as a value of `key` into `out` (`name`, `type`, `text` and the typed field
/// are set). Relative `Path` values are resolved against `base_dir`; with an empty
/// `base_dir` they are refused. Returns the problem, or nothing when the value is valid.
/// Never throws except `std::bad_alloc`.
std::optional<ValueProblem> parseValue(const relais_config_key& key, std::string_view text,
                                       const std::string& base_dir, sdk::Setting& out);

/// The words of an `Enum` key's `choices` (`a|b|c`), trimmed, empty ones dropped.
std::vector<std::string> enumChoices(const char* choices);

/// `key 'name' must be …, got 'value' (detail)`: the problem as a sentence fragment, the
/// value quoted only when `problem.echo` (long values are shortened).
std::string describeProblem(std::string_view key_name, std::string_view text,
                            const ValueProblem& problem);

/// True when `type` is one of the `sdk::ConfigType` values.
bool isKnownType(sdk::ConfigType type) noexcept;

/// `file:line` for error messages (`file` alone when the line is unknown, `<config>` when
/// the file is).
std::string locationText(const config::SourceLocation& where);

}  // namespace relais::plugin::detail
