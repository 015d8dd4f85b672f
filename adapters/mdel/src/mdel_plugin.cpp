// SPDX-License-Identifier: AGPL-3.0-or-later
// The library's entry point: exports the service-public.fr MDEL adapter as plugin `mdel`.

#include "relais/sdk/plugin.h"

#include "config_keys.h"
#include "mdel_adapter.h"

RELAIS_PLUGIN(relais::adapters::mdel::MdelAdapter,
              (relais::sdk::PluginInfo{
                  .id = "mdel",
                  .version = "1.0.0",
                  .summary = "service-public.fr MDEL: delivery zips (PEC envelope and files) "
                             "polled from a directory -> canonical dossiers; status changes "
                             "written back as reply envelopes",
                  .config_keys = relais::adapters::mdel::kConfigKeys,
                  .endpoints = {},
                  .flags = relais::sdk::plugin_flag::kReentrant |
                           relais::sdk::plugin_flag::kPersonalData}))
