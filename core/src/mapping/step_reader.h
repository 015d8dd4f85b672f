// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <vector>

#include <libxml/tree.h>

#include "mapping/mapping_reader.h"
#include "mapping/value_functions.h"

/// @file
/// Internal to the mapping module: the steps that transform a value (trim, case,
/// substring, replace, date, lookup, number, text, boolean).

namespace relais::mapping::detail {

/// The steps of `node`: the shorthand attributes, in their fixed order, then the step
/// elements (`<part>` children skipped). Regexes, date patterns and table references are
/// checked now; a bad one is a `ConfigError` at the element's line.
std::vector<Step> readSteps(const MappingReader& in, const xmlNode* node);

}  // namespace relais::mapping::detail
