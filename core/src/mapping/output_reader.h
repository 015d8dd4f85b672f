// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string_view>

#include <libxml/tree.h>

#include "mapping/mapping_reader.h"

/// @file
/// Internal to the mapping module: the `<output>` element (JSON or XML, root element,
/// namespaces, the target's XSD) and the XML names that targets write.

namespace relais::mapping::detail {

/// Reads `<output>` into the mapping: format, `drop-empty`, `indent`, content type; for XML
/// the root name, the namespaces (a reserved or repeated prefix, or a URI libxml2 would
/// refuse, is an error at its line) and the schema (read and compiled now). Throws
/// `ConfigError` (`file:line: <output>: …`).
void readOutput(MappingReader& in, const xmlNode* node);

/// Refuses `name` (what `what` names in the message) unless it is an XML name whose prefix
/// is declared in `<output>` (`xml:` allowed for an attribute name).
void checkQName(const MappingReader& in, const xmlNode* node, std::string_view name,
                std::string_view what, bool attribute_name);

}  // namespace relais::mapping::detail
