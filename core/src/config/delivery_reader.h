// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <libxml/tree.h>

#include "relais/config/config.h"

#include "config/element_reader.h"

/// @file
/// Internal to the config module: the `<delivery>` section (workers, leases, attachment
/// downloads and the hosts they may reach).

namespace relais::config::detail {

/// Reads `<delivery>` into `delivery`, over its defaults. Throws `ConfigError`
/// (`file:line`, naming the attribute and, for `attachment-hosts`, the bad pattern).
void readDelivery(const ElementReader& in, const xmlNode* element, DeliveryConfig& delivery);

}  // namespace relais::config::detail
