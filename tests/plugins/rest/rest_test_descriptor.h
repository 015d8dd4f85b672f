// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include "relais/sdk/plugin.h"

#include "config_keys.h"

/// @file
/// The REST connector's descriptor as its logic tests build it, without loading the
/// library: the plugin's own key table and flags, the operations of the class under test
/// (`RestConnector` delivers and checks health; `RestFeedConnector`, what the plugin
/// exports, also polls).

namespace relais::plugins::rest {

inline constexpr sdk::PluginInfo kRestTestInfo{
    .id = "rest",
    .version = "1.0.0",
    .summary = "rest connector (logic tests)",
    .config_keys = kConfigKeys,
    .endpoints = {},
    .flags = sdk::plugin_flag::kReentrant | sdk::plugin_flag::kPersonalData};

template <typename Connector>
inline constexpr relais_plugin_descriptor kRestTestDescriptor =
    sdk::detail::makeDescriptor<Connector, kRestTestInfo>();

}  // namespace relais::plugins::rest
