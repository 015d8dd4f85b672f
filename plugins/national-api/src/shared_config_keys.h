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

inline constexpr std::array<relais_config_key, 6> kSharedConfigKeys = {{
    {"recipient", sdk::ConfigType::String, true, nullptr,
     "SIRET (14 digits) of the administration the data is for, sent as recipient on every call",
     nullptr},
    {"timeout", sdk::ConfigType::Duration, false, "10s",
     "time allowed to send a call and receive the whole answer", nullptr},
    {"connect-timeout", sdk::ConfigType::Duration, false, "5s",
     "time allowed to connect (TLS handshake included)", nullptr},
    {"ca-file", sdk::ConfigType::Path, false, "",
     "PEM bundle of the CAs trusted for https; empty: the system's trust store", nullptr},
    {"client-certificate", sdk::ConfigType::Path, false, "",
     "PEM client certificate, when an outbound proxy asks for mutual TLS", nullptr},
    {"client-key", sdk::ConfigType::Path, false, "", "PEM private key of client-certificate",
     nullptr},
}};

/// A plugin's own keys followed by `kSharedConfigKeys`: the list its `PluginInfo` declares.
template <std::size_t N>
constexpr std::array<relais_config_key, N + kSharedConfigKeys.size()> withSharedConfigKeys(
    const std::array<relais_config_key, N>& own) {
    std::array<relais_config_key, N + kSharedConfigKeys.size()> all{};
    std::size_t at = 0;
    for (const relais_config_key& key : own) all[at++] = key;
    for (const relais_config_key& key : kSharedConfigKeys) all[at++] = key;
    return all;
}

}  // namespace relais::plugins::apistration
