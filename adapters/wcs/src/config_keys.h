// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <array>

#include "relais/sdk/settings.h"

/// @file
/// The w.c.s. adapter's configuration keys: names, types, defaults and docs in one table (the
/// descriptor exports it; `relais plugins` prints it; the host validates configs with it).

namespace relais::adapters::wcs {

// The plugin's own keys, then the TLS files every HTTPS client reads (sdk::kTlsConfigKeys).
inline constexpr auto kConfigKeys = sdk::joinConfigKeys(
    std::to_array<relais_config_key>({
        {"url", sdk::ConfigType::Url, false, "",
         "w.c.s. base URL (https://demarches.ville.example/): API URLs are built from it; empty: "
         "the api_url each dossier arrived with",
         nullptr},
        {"orig", sdk::ConfigType::String, true, nullptr,
         "Publik orig relais signs its calls to w.c.s. with (declared in w.c.s.'s api-secrets)",
         nullptr},
        {"secret", sdk::ConfigType::Secret, true, nullptr,
         "the key shared with w.c.s. for that orig (a secret reference)", nullptr},
        {"signature-algorithm", sdk::ConfigType::Enum, false, "sha256",
         "HMAC of the Publik signature", "sha256|sha1|sha512"},
        {"time-zone", sdk::ConfigType::String, false, "Europe/Paris",
         "zone of w.c.s.'s naive times (receipt_time, last_update_time), from the system's tz "
         "database",
         nullptr},
        {"procedure", sdk::ConfigType::String, false, "",
         "procedure code of every dossier; empty: the form's slug", nullptr},
        {"status-map", sdk::ConfigType::List, false, "",
         "w.c.s. status id -> canonical status, `[slug/]id:status` entries (2:in_review, "
         "cantine/3:accepted)",
         nullptr},
        {"triggers", sdk::ConfigType::List, false, "",
         "canonical status -> w.c.s. trigger id, `[slug/]status:trigger` entries "
         "(accepted:accepter)",
         nullptr},
        {"message-hook", sdk::ConfigType::String, false, "",
         "global-action webhook id that receives messages (POST hooks/<id>/); empty: messages stay "
         "in relais",
         nullptr},
        {"timeout", sdk::ConfigType::Duration, false, "30s", "timeout of each call to w.c.s.",
         nullptr},
    }),
    sdk::kTlsConfigKeys);

}  // namespace relais::adapters::wcs
