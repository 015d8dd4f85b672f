// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include "relais/sdk/settings.h"

/// @file
/// The JSON adapter's configuration keys: names, types, defaults and docs in one table (the
/// descriptor exports it; `relais plugins` prints it; the host validates configs with it).

namespace relais::adapters::json {

inline constexpr relais_config_key kConfigKeys[] = {
    {"source-key", sdk::ConfigType::String, false, "",
     "path of the portal's dossier id in the body (e.g. numero_dossier): a replayed webhook "
     "then returns the same dossier; empty: the request's Idempotency-Key header, and without "
     "it every request is a new dossier",
     nullptr},
    {"procedure", sdk::ConfigType::String, false, "",
     "procedure code given to every dossier (or use procedure-field)", nullptr},
    {"procedure-field", sdk::ConfigType::String, false, "",
     "path of the procedure code in the body (or use procedure)", nullptr},
    {"submitted-at", sdk::ConfigType::String, false, "",
     "path of the submission date (RFC 3339, YYYY-MM-DD or DD/MM/YYYY); empty: reception time",
     nullptr},
    {"portal-status", sdk::ConfigType::String, false, "", "path of the portal's own status name",
     nullptr},
    {"required-fields", sdk::ConfigType::List, false, "",
     "comma-separated paths that must be present and not empty", nullptr},
    {"subject-france-connect", sdk::ConfigType::String, false, "",
     "path of the applicant's FranceConnect sub", nullptr},
    {"subject-siret", sdk::ConfigType::String, false, "", "path of the applicant company's SIRET",
     nullptr},
    {"attachments", sdk::ConfigType::String, false, "", "path of the array of attachments",
     nullptr},
    {"attachment-url", sdk::ConfigType::String, false, "url", "attachment member: download URL",
     nullptr},
    {"attachment-name", sdk::ConfigType::String, false, "name", "attachment member: file name",
     nullptr},
    {"attachment-content-type", sdk::ConfigType::String, false, "content_type",
     "attachment member: MIME type", nullptr},
    {"attachment-sha256", sdk::ConfigType::String, false, "sha256",
     "attachment member: SHA-256 (hex)", nullptr},
    {"attachment-size", sdk::ConfigType::String, false, "size", "attachment member: size in bytes",
     nullptr},
    {"attachment-kind", sdk::ConfigType::String, false, "kind",
     "attachment member: the portal's document type", nullptr},
    {"callback-url", sdk::ConfigType::Url, false, "",
     "where status changes are POSTed back (JSON); empty: the portal polls relais instead",
     nullptr},
    {"callback-token", sdk::ConfigType::Secret, false, "",
     "bearer token sent with callbacks (a secret reference)", nullptr},
    {"callback-hmac-secret", sdk::ConfigType::Secret, false, "",
     "key of the X-Relais-Signature HMAC-SHA256 of each callback body (a secret reference)",
     nullptr},
    {"callback-timeout", sdk::ConfigType::Duration, false, "10s", "timeout of a callback", nullptr},
};

}  // namespace relais::adapters::json
