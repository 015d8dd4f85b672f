// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include "relais/sdk/settings.h"

/// @file
/// The API Entreprise provider's configuration keys (README.md explains each).

namespace relais::plugins::api_entreprise {

inline constexpr relais_config_key kConfigKeys[] = {
    {"base-url", sdk::ConfigType::Url, true, nullptr,
     "root of the API: https://entreprise.api.gouv.fr (production), "
     "https://staging.entreprise.api.gouv.fr (sandbox) or a local mock",
     nullptr},
    {"token", sdk::ConfigType::Secret, true, nullptr,
     "secret reference of the API Entreprise bearer token (JWT from the API's portal)", nullptr},
    {"recipient", sdk::ConfigType::String, true, nullptr,
     "SIRET (14 digits) of the administration the data is for, sent as recipient on every call",
     nullptr},
    {"context", sdk::ConfigType::String, true, nullptr,
     "framework of the calls, sent as context (e.g. 'Marchés publics'); {procedure} and "
     "{purpose} are replaced by the query's",
     nullptr},
    {"object", sdk::ConfigType::String, true, nullptr,
     "reason of the calls or procedure id, sent as object (under 50 characters); {procedure} "
     "and {purpose} are replaced by the query's",
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
};

}  // namespace relais::plugins::api_entreprise
