// SPDX-License-Identifier: AGPL-3.0-or-later
// The library's entry point: exports the generic JSON adapter as plugin `json`.

#include "relais/sdk/plugin.h"

#include "config_keys.h"
#include "json_adapter.h"

RELAIS_PLUGIN(relais::adapters::json::JsonAdapter,
              (relais::sdk::PluginInfo{
                  .id = "json",
                  .version = "1.0.0",
                  .summary = "generic JSON portal: webhook body -> canonical dossier; status "
                             "changes POSTed to a callback URL",
                  .config_keys = relais::adapters::json::kConfigKeys,
                  .endpoints = {},
                  .flags = relais::sdk::plugin_flag::kReentrant |
                           relais::sdk::plugin_flag::kPersonalData}))
