// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <array>

#include "relais/sdk/settings.h"

#include "shared_config_keys.h"

/// @file
/// The API Entreprise provider's configuration keys (README.md explains each): its own,
/// then those every national-API plugin shares (shared_config_keys.h).

namespace relais::plugins::api_entreprise {

inline constexpr auto kConfigKeys =
    apistration::withSharedConfigKeys(std::array<relais_config_key, 4>{{
        {"base-url", sdk::ConfigType::Url, true, nullptr,
         "root of the API: https://entreprise.api.gouv.fr (production), "
         "https://staging.entreprise.api.gouv.fr (sandbox) or a local mock",
         nullptr},
        {"token", sdk::ConfigType::Secret, true, nullptr,
         "secret reference of the API Entreprise bearer token (JWT from the API's portal)",
         nullptr},
        {"context", sdk::ConfigType::String, true, nullptr,
         "framework of the calls, sent as context (e.g. 'Marchés publics'); {procedure} and "
         "{purpose} are replaced by the query's",
         nullptr},
        {"object", sdk::ConfigType::String, true, nullptr,
         "reason of the calls or procedure id, sent as object (under 50 characters); {procedure} "
         "and {purpose} are replaced by the query's",
         nullptr},
    }});

}  // namespace relais::plugins::api_entreprise
