// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "relais/sdk/json.h"
#include "relais/sdk/status.h"
#include "relais/sdk/subject.h"
#include "relais/sdk/time.h"

/// @file
/// The canonical dossier: what a citizen filed on a portal, whatever the portal.

namespace relais::sdk {

/// A file attached to a dossier. Downloaded at ingest (portal URLs expire), checked against
/// its checksum, stored content-addressed under `storage_ref`.
struct Attachment {
    std::string name;          ///< file name as the portal gave it (never used as a path)
    std::string content_type;  ///< MIME type
    std::int64_t size = 0;     ///< bytes
    std::string sha256;        ///< lowercase hex
    std::string storage_ref;   ///< where relais keeps the bytes (`sha256:<hex>`)
    std::string source_url;    ///< where the portal offered it, if it gave a URL
    std::string kind;          ///< the portal's document type, if any
};

/// A dossier as relais sees it, whichever portal it came from.
struct Dossier {
    std::string id;          ///< relais id (UUID), empty until stored
    std::string source;      ///< adapter instance that brought it
    std::string source_key;  ///< the portal's own id, unique per source
    std::string procedure;   ///< procedure (démarche) code, selects the routes
    std::optional<Subject> subject;
    Timestamp submitted_at;
    Json fields;  ///< the form's fields as the portal sent them
    std::vector<Attachment> attachments;
    Status status = Status::Submitted;
    std::string portal_status;  ///< the portal's own status name, kept as a sub-status
    std::int64_t version = 0;   ///< incremented on every change
};

}  // namespace relais::sdk
