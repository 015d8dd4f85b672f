// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "relais/sdk/http_client.h"
#include "relais/sdk/result.h"
#include "relais/sdk/settings.h"

/// @file
/// The DS adapter's validated settings, read once at configure time and immutable after.

namespace relais::adapters::ds {

/// Most dossiers DS returns per page (the API's own limit).
inline constexpr int kMaxPageSize = 100;

/// The validated settings. Shared read-only by every operation (thread-safe).
struct DsSettings {
    std::string endpoint = "https://demarche.numerique.gouv.fr/api/v2/graphql";
    std::string token_reference;          ///< `env:NAME` or `file:/path`, resolved per call
    std::string instructeur_id;           ///< empty: decisions and messages cannot be sent
    std::vector<std::int64_t> demarches;  ///< in configuration order
    std::map<std::int64_t, std::string> procedure_codes;  ///< from `procedure`
    int page_size = kMaxPageSize;
    bool disable_notification = false;
    int timeout_ms = 30'000;
    sdk::TlsOptions tls;

    /// Whether `number` is one of the configured démarches.
    bool hasDemarche(std::int64_t number) const;
    /// The procedure code of démarche `number`: its `procedure` entry, else `ds-<number>`.
    std::string procedureOf(std::int64_t number) const;
};

/// Reads and checks the settings. `InvalidArgument` naming the key (`demarches`,
/// `procedure`, `page-size`, `timeout`, `endpoint`, the TLS keys) with the offending entry.
sdk::Result<DsSettings> settingsFrom(const sdk::Settings& settings);

/// A démarche or dossier number: decimal digits, 1 to 2^31-1 (GraphQL `Int`); nullopt
/// otherwise (signs, spaces, letters, empty).
std::optional<std::int64_t> parseNumber(std::string_view text);

}  // namespace relais::adapters::ds
