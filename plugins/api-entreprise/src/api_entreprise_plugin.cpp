// SPDX-License-Identifier: AGPL-3.0-or-later
// The library's entry point: exports the API Entreprise provider as plugin `api-entreprise`.

#include "relais/sdk/plugin.h"

#include "api_entreprise_connector.h"
#include "config_keys.h"

RELAIS_PLUGIN(relais::plugins::api_entreprise::ApiEntrepriseConnector,
              (relais::sdk::PluginInfo{
                  .id = "api-entreprise",
                  .version = "1.0.0",
                  .summary = "verified company attributes from API Entreprise (INSEE Sirene "
                             "unité légale and établissement, URSSAF attestation de vigilance) "
                             "by SIREN or SIRET",
                  .config_keys = relais::plugins::api_entreprise::kConfigKeys,
                  .endpoints = {},
                  .flags = relais::sdk::plugin_flag::kReentrant |
                           relais::sdk::plugin_flag::kPersonalData}))
