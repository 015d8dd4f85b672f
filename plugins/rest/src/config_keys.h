// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <array>

#include "relais/sdk/settings.h"

/// @file
/// The REST connector's configuration keys (README.md explains each with examples).

namespace relais::plugins::rest {

// The plugin's own keys, then the TLS files every HTTPS client reads (sdk::kTlsConfigKeys).
inline constexpr auto kConfigKeys = sdk::joinConfigKeys(
    std::to_array<relais_config_key>({
        // Where and how.
        {"url", sdk::ConfigType::Url, true, nullptr,
         "where to send each dossier; {dossier_id} {source_key} {procedure} {route} {business_id} "
         "in the path or query are replaced, percent-encoded",
         nullptr},
        {"method", sdk::ConfigType::Enum, false, "POST", "HTTP method of a delivery",
         "POST|PUT|PATCH"},
        {"content-type", sdk::ConfigType::String, false, "",
         "Content-Type of the body; empty: the mapping's content type", nullptr},
        {"headers", sdk::ConfigType::List, false, "",
         "extra request headers 'Name: value', comma-separated (a comma inside a value: '\\,'); "
         "never credentials (use auth)",
         nullptr},
        {"idempotency-header", sdk::ConfigType::String, false, "Idempotency-Key",
         "header carrying the delivery's idempotency key (stable across retries)", nullptr},
        {"timeout", sdk::ConfigType::Duration, false, "30s",
         "time allowed to send the request and receive the whole response", nullptr},
        {"connect-timeout", sdk::ConfigType::Duration, false, "5s",
         "time allowed to connect (TLS handshake included)", nullptr},
        // Authentication.
        {"auth", sdk::ConfigType::Enum, false, "none",
         "authentication: none, bearer (token), basic (username, password), hmac (hmac-secret: "
         "X-Relais-Signature over the body), api-key (token in api-key-header), publik "
         "(publik-orig, publik-secret: the URL's query signed as w.c.s. and Passerelle expect)",
         "none|bearer|basic|hmac|api-key|publik"},
        {"token", sdk::ConfigType::Secret, false, "",
         "secret reference of the bearer token (auth=bearer) or API key (auth=api-key)", nullptr},
        {"username", sdk::ConfigType::String, false, "", "user name for auth=basic", nullptr},
        {"password", sdk::ConfigType::Secret, false, "",
         "secret reference of the password for auth=basic", nullptr},
        {"hmac-secret", sdk::ConfigType::Secret, false, "",
         "secret reference of the HMAC-SHA256 key for auth=hmac", nullptr},
        {"api-key-header", sdk::ConfigType::String, false, "X-API-Key",
         "header carrying the API key for auth=api-key", nullptr},
        {"publik-orig", sdk::ConfigType::String, false, "",
         "auth=publik: the name relais signs as (orig=), as declared with its key on the Publik "
         "side",
         nullptr},
        {"publik-secret", sdk::ConfigType::Secret, false, "",
         "secret reference of the key shared with the Publik site for auth=publik", nullptr},
        {"publik-algo", sdk::ConfigType::Enum, false, "sha256", "HMAC algorithm for auth=publik",
         "sha256|sha1|sha512"},
        // TLS.
        {"verify-peer", sdk::ConfigType::Boolean, false, "true",
         "check the server's certificate and host name (turn off for tests only)", nullptr},
        // What the answer means.
        {"success-codes", sdk::ConfigType::List, false, "200,201,202,204",
         "HTTP statuses meaning delivered", nullptr},
        {"retry-codes", sdk::ConfigType::List, false, "408,425,429,500,502,503,504",
         "HTTP statuses retried later (Retry-After honoured); any other status is a permanent "
         "failure",
         nullptr},
        {"business-id", sdk::ConfigType::String, false, "",
         "where the application's id for the dossier is in a success: json:<path> or "
         "header:<Name>; required in the answer when set",
         nullptr},
        {"display-id", sdk::ConfigType::String, false, "",
         "where the number shown to the citizen is: json:<path> or header:<Name>; optional in the "
         "answer",
         nullptr},
        {"health-url", sdk::ConfigType::Url, false, "",
         "URL answering 2xx when the application is up (GET); empty: no health check", nullptr},
        // The status feed of an application that does not push its decisions (poll).
        {"status-url", sdk::ConfigType::Url, false, "",
         "status feed polled for the application's decisions (GET, same auth and TLS); {since} "
         "in the path or query is the cursor of the previous poll, percent-encoded; empty: no "
         "feed",
         nullptr},
        {"status-items", sdk::ConfigType::String, false, "",
         "JSON path of the array of decisions in the feed's answer; empty: the answer itself",
         nullptr},
        {"status-business-id", sdk::ConfigType::String, false, "business_id",
         "JSON path, in a decision, of the application's id of the dossier", nullptr},
        {"status-value", sdk::ConfigType::String, false, "status",
         "JSON path, in a decision, of the application's status code (looked up in status-table)",
         nullptr},
        {"status-sub-code", sdk::ConfigType::String, false, "",
         "JSON path of the sub-status code; empty: the status code", nullptr},
        {"status-sub-label", sdk::ConfigType::String, false, "",
         "JSON path of the label shown to the citizen; empty: status-table's label, else the code",
         nullptr},
        {"status-message", sdk::ConfigType::String, false, "",
         "JSON path of a message for the citizen", nullptr},
        {"status-occurred-at", sdk::ConfigType::String, false, "",
         "JSON path of the decision's time (RFC 3339 with offset); empty: the time of the poll",
         nullptr},
        {"status-version", sdk::ConfigType::String, false, "",
         "JSON path of the application's version of the dossier (ordering)", nullptr},
        {"status-event-id", sdk::ConfigType::String, false, "",
         "JSON path of the decision's own id (deduplication); empty: derived from its values",
         nullptr},
        {"status-cursor", sdk::ConfigType::String, false, "",
         "JSON path, in the whole answer, of the cursor for the next poll; empty: unchanged",
         nullptr},
        {"status-table", sdk::ConfigType::List, false, "",
         "the application's codes as canonical statuses, CODE:status[:Label] comma-separated "
         "(ACC:accepted:Accordé, REF:refused); empty: the codes are canonical statuses",
         nullptr},
    }),
    sdk::kTlsConfigKeys);

}  // namespace relais::plugins::rest
