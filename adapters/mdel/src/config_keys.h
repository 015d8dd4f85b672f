// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <array>

#include "relais/sdk/settings.h"

/// @file
/// The MDEL adapter's configuration keys: names, types, defaults and docs in one table (the
/// descriptor exports it; `relais plugins` prints it; the host validates configs with it).

namespace relais::adapters::mdel {

inline constexpr auto kConfigKeys = std::to_array<relais_config_key>({
    {"inbox", sdk::ConfigType::Path, true, nullptr,
     "directory where the platform's transfer agent drops the delivery zips (message.xml and "
     "the files); must exist and be writable (handled zips are moved out of it)",
     nullptr},
    {"outbox", sdk::ConfigType::Path, true, nullptr,
     "directory where the reply zips (reply envelope and optional document) are written for the "
     "transfer agent to send back",
     nullptr},
    {"archive", sdk::ConfigType::Path, true, nullptr,
     "directory where zips go once their dossier is stored (also holds the index of MessageIds "
     "seen, `.message-ids/`, and replays, `duplicates/`)",
     nullptr},
    {"errors", sdk::ConfigType::Path, false, "",
     "directory for zips that cannot be read, each with a `.reason.txt`; empty: "
     "`<archive>/errors`",
     nullptr},
    {"procedure", sdk::ConfigType::String, false, "",
     "procedure code of every dossier; empty: from `procedures`, else the envelope's FlowType",
     nullptr},
    {"procedures", sdk::ConfigType::List, false, "",
     "FlowType -> procedure code, `FLOW:code` entries (DAUA:declaration-travaux, "
     "DIA:droit-preemption)",
     nullptr},
    {"time-zone", sdk::ConfigType::String, false, "Europe/Paris",
     "zone of the envelope's times written without an offset", nullptr},
    {"batch", sdk::ConfigType::Integer, false, "50", "zips read per poll at most (1-1000)",
     nullptr},
    {"max-uncompressed-bytes", sdk::ConfigType::Integer, false, "268435456",
     "largest total uncompressed size of one zip (zip bombs are refused before anything is "
     "inflated)",
     nullptr},
    {"status-codes", sdk::ConfigType::List, false, "",
     "canonical status -> MDEL state code of the reply, `status:CODE` entries replacing the "
     "defaults (`status:` sends nothing for that status)",
     nullptr},
    {"sender-id", sdk::ConfigType::String, false, "",
     "prefix of the MessageIds of our replies; empty: the instance name", nullptr},
    {"document-timeout", sdk::ConfigType::Duration, false, "30s",
     "timeout of the download of a reply's document (the event's documents[0].url)", nullptr},
});

}  // namespace relais::adapters::mdel
