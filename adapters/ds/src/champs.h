// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "relais/sdk/dossier.h"
#include "relais/sdk/json.h"
#include "relais/sdk/result.h"

/// @file
/// DS champs (the `champs` or `annotations` array of a dossier, each with its `__typename`)
/// → the canonical `fields` tree. No I/O; thread-safe.
///
/// Keys: `champKey` of the label; a label met again in the same object gets `_2`, `_3`…
/// in document order (the first keeps the bare key). Section headers
/// (`HeaderSectionChamp`) and explanations (`ExplicationChamp`) carry no value and are
/// left out. A champ type this version does not know keeps its `stringValue`.

namespace relais::adapters::ds {

/// The files met while mapping, in document order: `attachments[i]` is the file that a
/// `fields` entry names by `"attachment": i`, and `files[i]` holds what DS said of it that
/// the `Attachment` has no member for: `{champ_id, checksum, filename, byte_size}` (the
/// checksum is ActiveStorage's: base64 of the MD5 of the bytes).
struct FileList {
    std::vector<sdk::Attachment> attachments;
    sdk::Json files = sdk::Json::array();
};

/// What `mapChamps` made of one champs array.
struct MappedChamps {
    sdk::Json fields = sdk::Json::object();          ///< key → typed value (null when empty)
    sdk::Json champ_ids = sdk::Json::object();       ///< key → the champ's `id`
    sdk::Json descriptor_ids = sdk::Json::object();  ///< key → its `champDescriptorId`
};

/// The key of a label: accents folded, ASCII letters lowered, every run of other
/// characters one `_`, none at either end (`Date de naissance` → `date_de_naissance`,
/// `N° SIRET (établissement)` → `n_siret_etablissement`); `champ` when nothing is left.
std::string champKey(std::string_view label);

/// `base`, or `base_2`, `base_3`… the first that `object` does not have yet.
std::string uniqueKey(const std::string& base, const sdk::Json& object);

/// Maps `champs` (a JSON array of champs as DS returns them). Files are appended to
/// `files`, with `kind` `piece_justificative`. `where` prefixes error fields
/// (`fields`, `_ds.annotations`). `InvalidArgument` naming `<where>.<key>` for a value of
/// the wrong type (a date that is not `YYYY-MM-DD`, a datetime without offset, a number
/// that is not one, a file without URL…).
sdk::Result<MappedChamps> mapChamps(const sdk::Json& champs, const std::string& where,
                                    FileList& files);

}  // namespace relais::adapters::ds
