// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>

#include <libxml/tree.h>

#include "mapping/mapping_reader.h"

/// @file
/// Internal to the mapping module: code tables (`<table>`), inline entries or a CSV file.

namespace relais::mapping::detail {

/// Reads one `<table>` and adds it to the mapping (a name or a code given twice, an
/// unreadable or malformed CSV file is a `ConfigError` at the element's line).
void readTable(MappingReader& in, const xmlNode* node);

/// The table declared as `name`; a `ConfigError` listing the declared tables otherwise.
const CodeTable* findTable(const MappingReader& in, const xmlNode* node, const std::string& name);

}  // namespace relais::mapping::detail
