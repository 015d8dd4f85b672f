// SPDX-License-Identifier: AGPL-3.0-or-later
// The library's entry point: exports the API Particulier provider as plugin `api-particulier`.

#include "relais/sdk/plugin.h"

#include "api_particulier_connector.h"
#include "config_keys.h"

RELAIS_PLUGIN(relais::plugins::api_particulier::ApiParticulierConnector,
              (relais::sdk::PluginInfo{
                  .id = "api-particulier",
                  .version = "1.0.0",
                  .summary = "verified person attributes from API Particulier v3 (family "
                             "quotient, RSA, student and job-seeker status) by identity pivot, "
                             "FranceConnect token, INE or France Travail id",
                  .config_keys = relais::plugins::api_particulier::kConfigKeys,
                  .endpoints = {},
                  .flags = relais::sdk::plugin_flag::kReentrant |
                           relais::sdk::plugin_flag::kPersonalData}))
