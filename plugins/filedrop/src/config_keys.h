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
    // Status files of an application that does not push its decisions.
    {"return-directory", sdk::ConfigType::Path, false, "",
     "where the software drops status files (*.json, *.xml); empty: none", nullptr},
    {"return-business-id", sdk::ConfigType::String, false, "business_id",
     "JSON files: path of the software's id of the dossier", nullptr},
    {"return-status", sdk::ConfigType::String, false, "status",
     "JSON files: path of the software's status code (looked up in return-table)", nullptr},
    {"return-sub-label", sdk::ConfigType::String, false, "",
     "JSON files: path of the label the citizen sees", nullptr},
    {"return-message", sdk::ConfigType::String, false, "",
     "JSON files: path of a message for the citizen", nullptr},
    {"return-occurred-at", sdk::ConfigType::String, false, "",
     "JSON files: path of the decision's time (RFC 3339 with offset)", nullptr},
    {"return-version", sdk::ConfigType::String, false, "",
     "JSON files: path of the software's version of the dossier", nullptr},
    {"return-xpath-business-id", sdk::ConfigType::String, false, "",
     "XML files: XPath of the software's id of the dossier (with return-xpath-status)", nullptr},
    {"return-xpath-status", sdk::ConfigType::String, false, "",
     "XML files: XPath of the software's status code", nullptr},
    {"return-xpath-sub-label", sdk::ConfigType::String, false, "",
     "XML files: XPath of the label the citizen sees", nullptr},
    {"return-xpath-message", sdk::ConfigType::String, false, "",
     "XML files: XPath of a message for the citizen", nullptr},
    {"return-xpath-occurred-at", sdk::ConfigType::String, false, "",
     "XML files: XPath of the decision's time (RFC 3339 with offset)", nullptr},
    {"return-xpath-version", sdk::ConfigType::String, false, "",
     "XML files: XPath of the software's version of the dossier", nullptr},
    {"return-namespaces", sdk::ConfigType::List, false, "",
     "XML files: prefix=uri bindings for the XPaths, comma-separated", nullptr},
    {"return-table", sdk::ConfigType::List, false, "",
     "the software's codes as canonical statuses, CODE:status[:Label] comma-separated; "
     "empty: the codes are canonical statuses",
     nullptr},
};

}  // namespace relais::plugins::filedrop
