// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "relais/config/xml.h"
#include "relais/mapping/condition.h"
#include "relais/mapping/mapping.h"
#include "relais/sdk/json.h"

#include "mapping/code_table.h"
#include "mapping/source_path.h"
#include "mapping/value_functions.h"

/// @file
/// Internal to the mapping module: the compiled form of a mapping file. Built once by the
/// loader, then read-only: every apply walks it without allocating anything but its output.

namespace relais::mapping::detail {

/// Where a rule writes, split once at load. JSON: member names (`guardian.address.street`).
/// XML: element names relative to the current element (`dem:demandeur/dem:nom`), optionally
/// ending with an attribute (`dem:demandeur/@civilite`). `self` (written `.`) is the current
/// group element itself.
struct Target {
    std::string text;
    std::vector<std::string> steps;
    std::string attribute;  ///< XML only; empty when the target is an element
    bool self = false;
};

/// A value to compute: a source path or a constant, then steps. Used by fields and parts.
struct ValueSpec {
    std::optional<SourcePath> from;
    /// For a constant (`value="…"`): the result of the steps, computed at load.
    std::optional<sdk::Json> constant;
    std::vector<Step> steps;
    std::optional<Condition> when;
};

struct Rule {
    enum class Kind : std::uint8_t { Field, Concat, Group, Section };
    Kind kind = Kind::Field;
    int line = 0;
    std::optional<Condition> when;
    /// Field, Concat, Group: where to write (section targets are folded into their
    /// children's at load).
    Target to;

    // Field
    ValueSpec value;
    std::optional<sdk::Json> default_value;  ///< also Concat

    // Concat
    std::vector<ValueSpec> parts;
    std::string separator;
    bool skip_empty = true;
    bool trim_parts = true;

    // Group, Section
    std::optional<SourcePath> from;
    std::optional<Condition> filter;  ///< Group: per element
    std::vector<Rule> children;
};

struct CompiledMapping {
    std::string path;
    OutputFormat format = OutputFormat::Json;
    bool drop_empty = true;
    std::string content_type;

    // XML output
    std::string root_name;
    std::vector<std::pair<std::string, std::string>> namespaces;  ///< prefix ("" default), URI
    bool indent = false;
    std::unique_ptr<config::XmlSchema> schema;
    std::string schema_name;  ///< the schema file as written in the mapping

    /// Owned here so that `Step::table` pointers stay valid.
    std::vector<std::unique_ptr<CodeTable>> tables;
    std::vector<Rule> rules;
};

/// Reads a validated mapping document into `out` (whose `path` is set). Throws
/// `ConfigError` (`file:line: <element>: what`).
void compileMapping(const xmlDoc& doc, CompiledMapping& out);

}  // namespace relais::mapping::detail
