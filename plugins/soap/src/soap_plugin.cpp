// SPDX-License-Identifier: AGPL-3.0-or-later
// The library's entry point: exports the SOAP connector as plugin `soap`.

#include "relais/sdk/plugin.h"

#include "config_keys.h"
#include "soap_connector.h"

RELAIS_PLUGIN(relais::plugins::soap::SoapConnector,
              (relais::sdk::PluginInfo{
                  .id = "soap",
                  .version = "1.0.0",
                  .summary = "sends each mapped dossier as the Body of a SOAP 1.1/1.2 call "
                             "(XSD check, WS-Security UsernameToken, faults classified)",
                  .config_keys = relais::plugins::soap::kConfigKeys,
                  .endpoints = {},
                  .flags = relais::sdk::plugin_flag::kReentrant |
                           relais::sdk::plugin_flag::kPersonalData}))
