// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include "relais/sdk/settings.h"

/// @file
/// The file-drop connector's configuration keys.

namespace relais::plugins::filedrop {

inline constexpr relais_config_key kConfigKeys[] = {
    {"directory", sdk::ConfigType::Path, true, nullptr,
     "directory the business software imports from (created if missing)", nullptr},
    {"file-name", sdk::ConfigType::String, false, "{procedure}-{source_key}-{dossier_id}",
     "file name template: {dossier_id} {source_key} {procedure} {route} {date}; unsafe "
     "characters become '_'",
     nullptr},
    {"extension", sdk::ConfigType::String, false, "",
     "file extension; empty: from the payload type (json, xml, txt)", nullptr},
    {"manifest", sdk::ConfigType::Boolean, false, "true",
     "write <name>.manifest.json last, so its presence means the drop is complete", nullptr},
    {"acknowledgements", sdk::ConfigType::Boolean, false, "false",
     "the software answers with <name>.ack files in ack-directory; a drop counts as delivered "
     "only then",
     nullptr},
    {"ack-directory", sdk::ConfigType::Path, false, "",
     "where acknowledgement files appear; empty: <directory>/ack", nullptr},
};

}  // namespace relais::plugins::filedrop
