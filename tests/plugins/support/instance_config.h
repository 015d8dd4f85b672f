// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "relais/config/config.h"

/// @file
/// Helpers shared by the plugin logic tests (tests/plugins/*), which run a plugin class
/// without loading its library.

namespace relais::test {

/// `<param name="…">value</param>` pairs of an instance, in declaration order.
using InstanceParams = std::vector<std::pair<std::string, std::string>>;

/// The connector instance `name` of plugin `plugin` as the config loader declares it: the
/// instance element on line 1 of `config_file`, then one `<param>` per line from line 2, in
/// the order of `params` (duplicates kept). What `plugin::validateSettings` takes, so that a
/// test sees the settings the host would build, and its `ConfigError`s name a known
/// `file:line`. `config_file` is only a location: it need not exist.
config::InstanceConfig instanceConfig(const std::string& name, const std::string& plugin,
                                      const InstanceParams& params, const std::string& config_file);

}  // namespace relais::test
