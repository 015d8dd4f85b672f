// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <array>

#include "relais/sdk/settings.h"

#include "shared_config_keys.h"

/// @file
/// The API Particulier provider's configuration keys (README.md explains each): its own,
/// then those every national-API plugin shares (shared_config_keys.h).

namespace relais::plugins::api_particulier {

inline constexpr auto kConfigKeys =
    apistration::withSharedConfigKeys(std::array<relais_config_key, 2>{{
        {"base-url", sdk::ConfigType::Url, true, nullptr,
         "root of the API: https://particulier.api.gouv.fr (production), "
         "https://staging.particulier.api.gouv.fr (sandbox) or a local mock",
         nullptr},
        {"token", sdk::ConfigType::Secret, true, nullptr,
         "secret reference of the API Particulier bearer token (JWT from the API's portal)",
         nullptr},
    }});

}  // namespace relais::plugins::api_particulier
