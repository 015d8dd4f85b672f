// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "relais/sdk/result.h"
#include "relais/sdk/settings.h"
#include "relais/sdk/time_zone.h"

#include "reply.h"

/// @file
/// The MDEL adapter's validated settings (README, "Configuration").

namespace relais::adapters::mdel {

struct MdelSettings {
    std::string inbox;
    std::string outbox;
    std::string archive;
    std::string errors;      ///< `<archive>/errors` unless configured
    std::string duplicates;  ///< `<archive>/duplicates`
    std::string procedure;   ///< empty: `procedures`, else the FlowType
    std::vector<std::pair<std::string, std::string>> procedures;  ///< FlowType -> code
    sdk::TimeZone time_zone;
    std::size_t batch = 50;
    std::uint64_t max_uncompressed = std::uint64_t{256} * 1024 * 1024;
    StateCodes state_codes;
    std::string sender_id;  ///< empty: the instance name
    int document_timeout_ms = 30'000;

    /// The procedure of a dossier of flow `flow_type`.
    std::string procedureFor(const std::string& flow_type) const;
};

/// Reads and checks the settings: zone known, tables well formed, `inbox`, `outbox`,
/// `archive` (and `errors`) existing writable directories; creates `errors`, `duplicates`
/// and the MessageId index under `archive` when missing. `InvalidArgument` naming the key.
sdk::Result<MdelSettings> settingsFrom(const sdk::Settings& settings);

}  // namespace relais::adapters::mdel
