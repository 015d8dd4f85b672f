// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <vector>

#include <libxml/tree.h>

#include "mapping/compiled_mapping.h"
#include "mapping/mapping_reader.h"
#include "mapping/target_reader.h"

/// @file
/// Internal to the mapping module: the rules (`<field>`, `<concat>`, `<group>`,
/// `<section>`) that write the output.

namespace relais::mapping::detail {

/// Reads the rule `node` (a section: its rules, recursively) into `rules`. `prefix` is the
/// target of the enclosing sections; `registry` holds the targets of the current output
/// object (the document, or one group's items); `conditional`: an enclosing section has a
/// `when`; `in_group`: the rule is inside a `<group>`. Throws `ConfigError` at its line.
void readRule(MappingReader& in, const xmlNode* node, std::vector<Rule>& rules,
              const Target& prefix, TargetRegistry& registry, bool conditional, bool in_group);

}  // namespace relais::mapping::detail
