// SPDX-License-Identifier: AGPL-3.0-or-later
// The library's entry point: exports the Démarches Simplifiées adapter as plugin `ds`.

#include "relais/sdk/plugin.h"

#include "config_keys.h"
#include "ds_adapter.h"

RELAIS_PLUGIN(relais::adapters::ds::DsAdapter,
              (relais::sdk::PluginInfo{
                  .id = "ds",
                  .version = "1.0.0",
                  .summary = "Démarches Simplifiées / Démarche Numérique (GraphQL API v2): "
                             "polled dossiers -> canonical dossiers and events; decisions "
                             "through mutations",
                  .config_keys = relais::adapters::ds::kConfigKeys,
                  .endpoints = {},
                  .flags = relais::sdk::plugin_flag::kReentrant |
                           relais::sdk::plugin_flag::kPersonalData}))
