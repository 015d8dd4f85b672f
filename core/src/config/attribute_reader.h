// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <libxml/tree.h>

#include "relais/config/config.h"

#include "config/element_reader.h"

/// @file
/// Internal to the config module: the `<attributes>` section (sealing keys, certification
/// levels, the catalogue of attributes relais may hold).

namespace relais::config::detail {

/// Reads `<attributes>` into `attributes` (and marks the store enabled): each key id and
/// attribute name once, levels in increasing order, `current-key` naming a declared key.
/// The default level scale is not filled in here. Throws `ConfigError` (`file:line`).
void readAttributes(const ElementReader& in, const xmlNode* element, AttributesConfig& attributes);

}  // namespace relais::config::detail
