// SPDX-License-Identifier: AGPL-3.0-or-later
// The library's entry point: exports the file-drop connector as plugin `filedrop`.

#include "relais/sdk/plugin.h"

#include "config_keys.h"
#include "file_drop.h"

RELAIS_PLUGIN(relais::plugins::filedrop::FileDrop,
              (relais::sdk::PluginInfo{
                  .id = "filedrop",
                  .version = "1.0.0",
                  .summary = "writes each mapped dossier and its attachments atomically into a "
                             "directory; reads acknowledgement and status files back",
                  .config_keys = relais::plugins::filedrop::kConfigKeys,
                  .endpoints = {},
                  .flags = relais::sdk::plugin_flag::kReentrant |
                           relais::sdk::plugin_flag::kPersonalData}))
