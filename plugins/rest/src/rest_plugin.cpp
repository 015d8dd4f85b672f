// SPDX-License-Identifier: AGPL-3.0-or-later
// The library's entry point: exports the REST connector as plugin `rest`.

#include "relais/sdk/plugin.h"

#include "config_keys.h"
#include "rest_feed_connector.h"

RELAIS_PLUGIN(relais::plugins::rest::RestFeedConnector,
              (relais::sdk::PluginInfo{
                  .id = "rest",
                  .version = "1.0.0",
                  .summary = "sends each mapped dossier to a business application over HTTP(S) "
                             "(idempotency key, bearer/basic/HMAC/API-key/Publik auth, mutual TLS) "
                             "and links the id it answers; polls its decision feed (status-url)",
                  .config_keys = relais::plugins::rest::kConfigKeys,
                  .endpoints = {},
                  .flags = relais::sdk::plugin_flag::kReentrant |
                           relais::sdk::plugin_flag::kPersonalData}))
