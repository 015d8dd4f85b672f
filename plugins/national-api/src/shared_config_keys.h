// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <array>
#include <cstddef>

#include "relais/sdk/settings.h"

/// @file
/// The configuration keys every national-API plugin reads through `buildApiConfig`
/// (apistration.h) besides its own `base-url` and `token`, described once so that the two
/// plugins document them alike.

namespace relais::plugins::apistration {

inline constexpr auto kSharedConfigKeys = sdk::joinConfigKeys(
    std::array<relais_config_key, 3>{{
        {"recipient", sdk::ConfigType::String, true, nullptr,
         "SIRET (14 digits) of the administration the data is for, sent as recipient on every "
         "call",
         nullptr},
        {"timeout", sdk::ConfigType::Duration, false, "10s",
         "time allowed to send a call and receive the whole answer", nullptr},
        {"connect-timeout", sdk::ConfigType::Duration, false, "5s",
         "time allowed to connect (TLS handshake included)", nullptr},
    }},
    sdk::kTlsConfigKeys);

/// A plugin's own keys followed by `kSharedConfigKeys`: the list its `PluginInfo` declares.
template <std::size_t N>
constexpr auto withSharedConfigKeys(const std::array<relais_config_key, N>& own) {
    return sdk::joinConfigKeys(own, kSharedConfigKeys);
}

}  // namespace relais::plugins::apistration
