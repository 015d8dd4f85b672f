// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <array>

#include "relais/sdk/settings.h"

/// @file
/// The SOAP connector's configuration keys (README.md explains each one with an example).

namespace relais::plugins::soap {

// The plugin's own keys, then the TLS files every HTTPS client reads (sdk::kTlsConfigKeys).
inline constexpr auto kConfigKeys = sdk::joinConfigKeys(
    std::to_array<relais_config_key>({
        {"url", sdk::ConfigType::Url, true, nullptr, "the SOAP service's endpoint address",
         nullptr},
        {"soap-version", sdk::ConfigType::Enum, false, "1.1",
         "1.1: text/xml + SOAPAction header; 1.2: application/soap+xml with an action parameter",
         "1.1|1.2"},
        {"action", sdk::ConfigType::String, false, "",
         "the operation's SOAP action URI (SOAPAction header in 1.1, action parameter in 1.2)",
         nullptr},
        {"timeout", sdk::ConfigType::Duration, false, "30s",
         "time allowed to send the request and receive the whole response", nullptr},
        {"connect-timeout", sdk::ConfigType::Duration, false, "5s",
         "time allowed to open the connection (TLS handshake included)", nullptr},
        {"verify-peer", sdk::ConfigType::Boolean, false, "true",
         "check the service's certificate and host name (turn off only for tests)", nullptr},
        {"schema", sdk::ConfigType::Path, false, "",
         "XSD the payload must match before it is sent (compiled once at start-up)", nullptr},
        {"username", sdk::ConfigType::String, false, "",
         "WS-Security UsernameToken user name; empty: no wsse:Security header", nullptr},
        {"password", sdk::ConfigType::Secret, false, "",
         "UsernameToken password reference (env:NAME or file:/path), read at start-up", nullptr},
        {"password-type", sdk::ConfigType::Enum, false, "digest",
         "digest: PasswordDigest with Nonce and Created; text: PasswordText", "text|digest"},
        {"retry-faults", sdk::ConfigType::List, false, "Server,Receiver",
         "fault codes (local names, 1.2 subcodes included), codes as written or exact fault "
         "strings that are retried; every other fault is permanent",
         nullptr},
        {"business-id-xpath", sdk::ConfigType::String, true, nullptr,
         "XPath 1.0 over the response envelope that gives the application's id for the dossier",
         nullptr},
        {"display-id-xpath", sdk::ConfigType::String, false, "",
         "XPath 1.0 giving the number shown to the citizen, when it differs from the id", nullptr},
        {"namespaces", sdk::ConfigType::List, false, "",
         "prefix=uri bindings for the XPaths and idempotency-element ('env' is the envelope's)",
         nullptr},
        {"idempotency-header", sdk::ConfigType::String, false, "Idempotency-Key",
         "HTTP header carrying the delivery's idempotency key; empty: not sent", nullptr},
        {"idempotency-element", sdk::ConfigType::String, false, "",
         "SOAP header element carrying the idempotency key: {uri}Name or prefix:Name; empty: none",
         nullptr},
        {"health-url", sdk::ConfigType::Url, false, "",
         "address fetched (GET) by health checks, e.g. the WSDL; empty: always healthy", nullptr},
    }),
    sdk::kTlsConfigKeys);

}  // namespace relais::plugins::soap
