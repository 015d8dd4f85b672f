// SPDX-License-Identifier: AGPL-3.0-or-later
// The library's entry point: exports the Publik w.c.s. adapter as plugin `wcs`.

#include "relais/sdk/plugin.h"

#include "config_keys.h"
#include "wcs_adapter.h"

RELAIS_PLUGIN(relais::adapters::wcs::WcsAdapter,
              (relais::sdk::PluginInfo{
                  .id = "wcs",
                  .version = "1.0.0",
                  .summary = "Publik w.c.s.: formdata posted by a webservice action -> "
                             "canonical dossier; status changes through signed jump triggers",
                  .config_keys = relais::adapters::wcs::kConfigKeys,
                  .endpoints = {},
                  .flags = relais::sdk::plugin_flag::kReentrant |
                           relais::sdk::plugin_flag::kPersonalData |
                           relais::sdk::plugin_flag::kPublikAnswers}))
