// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>

#include <libxml/tree.h>

#include "relais/config/config.h"

#include "config/element_reader.h"

/// @file
/// Internal to the config module: where relais keeps things, the `<store>` section (engine,
/// database, blob directory) and the data directory's default.

namespace relais::config::detail {

/// Reads `<store>` into `store`: the engine's own attributes are required, the other
/// engine's refused; a PostgreSQL DSN must be a secret reference (its value is never
/// quoted in a message). Throws `ConfigError` (`file:line`).
void readStore(const ElementReader& in, const xmlNode* element, StoreConfig& store);

/// The data directory when there is no `<data>` element: beside the SQLite database.
/// `element` is the `<store>` element, named in the error for an engine without a
/// database file.
std::string defaultDataDirectory(const ElementReader& in, const xmlNode* element,
                                 const StoreConfig& store);

}  // namespace relais::config::detail
