// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <libxml/tree.h>

#include "relais/config/config.h"

#include "config/element_reader.h"

/// @file
/// Internal to the config module: the `<server>` section (listen address, `<tls>`,
/// `<limits>`, `<signatures>`).

namespace relais::config::detail {

/// Reads `<server>` into `server`, over its defaults. Throws `ConfigError` (`file:line`).
void readServer(const ElementReader& in, const xmlNode* element, ServerConfig& server);

}  // namespace relais::config::detail
