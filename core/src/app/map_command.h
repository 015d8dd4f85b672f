// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>

/// @file
/// `relais map`: applies a mapping file to a portal's JSON body and prints the result, with
/// no store and no network. The integrator's edit-and-try loop.

namespace relais::app {

/// The relais id given to the example dossier (`$dossier.id`).
inline constexpr std::string_view kMapCommandDossierId = "00000000-0000-4000-8000-000000000001";

struct MapCommandOptions {
    std::string mapping;     ///< --mapping FILE (required)
    std::string input;       ///< --input FILE: a portal's JSON body (required)
    std::string procedure;   ///< --procedure CODE; empty: `example`
    std::string source_key;  ///< --source-key PATH: the body's field holding the portal's id
};

/// Builds a canonical dossier from the input (fields = the body, id `kMapCommandDossierId`,
/// source `map`, the procedure, submitted now, the source key read at `source_key`), applies
/// the mapping and prints the payload to `out` (JSON indented, XML as produced). Returns the
/// exit code: 0 done; 64 an option is missing; 65 the input cannot be read, is not a JSON
/// object, or the mapping refuses it (the message and the field go to `err`); 78 the mapping
/// does not load (`file:line: …` on `err`); 70 an internal error.
int runMapCommand(const MapCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace relais::app
