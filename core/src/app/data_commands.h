// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <iosfwd>
#include <string>

#include "relais/config/config.h"

/// @file
/// Commands on the data relais keeps, run against the configured store with the daemon
/// stopped or running (SQLite's WAL lets them read alongside it):
/// `relais audit verify`, `relais keygen FILE`, `relais subjects import FILE`.

namespace relais::app {

/// Recomputes the audit trail's hash chain. Exit 0 and `audit trail intact: N entries` on
/// `out`; 65 and the first broken entry with the reason on `err`; 70 when the store fails.
int runAuditVerify(const config::Config& config, std::ostream& out, std::ostream& err);

/// Writes a new random AES-256 key (64 hex characters) to `path`, readable by its owner
/// only (0400), refusing to overwrite an existing file. Exit 0, or 73 (cannot create).
int runKeygen(const std::string& path, std::ostream& out, std::ostream& err);

struct ImportOptions {
    std::string file;    ///< JSON: an object keyed by FranceConnect `sub`, or an array of records
    std::string source;  ///< the source recorded with every value
    int level = 0;       ///< the certification level recorded with every value
};

/// Imports subjects and their attributes from records in the OpenID Connect userinfo
/// shape (`{"sub": …, "given_name": …, "address": {…}}`): each member but `sub` is an
/// attribute that must be declared in `<attributes>`. Arbitration applies as for any
/// write. Exit 0 with counts on `out`; 65 when the file is refused (`file: key: what` on
/// `err`, nothing written); 70 when the store fails part-way (what was written is kept:
/// re-running the import is harmless).
int runSubjectsImport(const config::Config& config, const ImportOptions& options, std::ostream& out,
                      std::ostream& err);

}  // namespace relais::app
