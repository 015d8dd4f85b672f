// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "relais/common/errors.h"
#include "relais/plugin/instance.h"
#include "relais/sdk/plugin.h"

#include "config_keys.h"
#include "ds_adapter.h"
#include "plugins/support/instance_config.h"

/// @file
/// What the DS adapter's logic tests share: its descriptor and the settings the host would
/// build from `<param>`s.

namespace relais::adapters::ds::test {

using Params = std::vector<std::pair<std::string, std::string>>;

inline constexpr sdk::PluginInfo kTestInfo{
    .id = "ds",
    .version = "1.0.0",
    .summary = "DS adapter (logic tests)",
    .config_keys = kConfigKeys,
    .endpoints = {},
    .flags = sdk::plugin_flag::kReentrant | sdk::plugin_flag::kPersonalData};
inline constexpr relais_plugin_descriptor kDescriptor =
    sdk::detail::makeDescriptor<DsAdapter, kTestInfo>();

/// The settings of instance `ds-ville` with `params`, validated against the descriptor
/// (relative paths against `base_dir`); a `ConfigError` becomes `InvalidArgument` with
/// field `config`.
inline sdk::Result<sdk::Settings> validated(const Params& params, const std::string& base_dir) {
    try {
        return plugin::validateSettings(
            kDescriptor,
            relais::test::instanceConfig("ds-ville", "ds", params, base_dir + "/relais.xml"),
            base_dir);
    } catch (const ConfigError& e) {
        return sdk::fail(sdk::ErrorCode::InvalidArgument, e.message(), "config");
    }
}

}  // namespace relais::adapters::ds::test
