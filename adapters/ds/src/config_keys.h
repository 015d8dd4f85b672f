// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <array>

#include "relais/sdk/settings.h"

/// @file
/// The Démarches Simplifiées (Démarche Numérique) adapter's configuration keys: names, types,
/// defaults and docs in one table (the descriptor exports it; `relais plugins` prints it; the
/// host validates configs with it).

namespace relais::adapters::ds {

// The plugin's own keys, then the TLS files every HTTPS client reads (sdk::kTlsConfigKeys).
inline constexpr auto kConfigKeys = sdk::joinConfigKeys(
    std::to_array<relais_config_key>({
        {"endpoint", sdk::ConfigType::Url, false,
         "https://demarche.numerique.gouv.fr/api/v2/graphql", "DS GraphQL API v2 endpoint",
         nullptr},
        {"token", sdk::ConfigType::Secret, true, nullptr,
         "the instructeur's API token (\"Jeton d'API\", read-write to send decisions; a secret "
         "reference)",
         nullptr},
        {"instructeur-id", sdk::ConfigType::String, false, "",
         "the instructeur's GraphQL id (needed to send decisions and messages)", nullptr},
        {"demarches", sdk::ConfigType::List, true, nullptr,
         "numbers of the démarches polled and accepted from the webhook (12345, 67890)", nullptr},
        {"procedure", sdk::ConfigType::List, false, "",
         "procedure code of each démarche, `<number>:<code>` entries; a démarche not listed is "
         "`ds-<number>`",
         nullptr},
        {"page-size", sdk::ConfigType::Integer, false, "100",
         "dossiers asked per page when polling (1-100)", nullptr},
        {"disable-notification", sdk::ConfigType::Boolean, false, "false",
         "decisions sent without DS's e-mail to the citizen", nullptr},
        {"timeout", sdk::ConfigType::Duration, false, "30s",
         "timeout of each call to DS (GraphQL and file downloads)", nullptr},
    }),
    sdk::kTlsConfigKeys);

}  // namespace relais::adapters::ds
