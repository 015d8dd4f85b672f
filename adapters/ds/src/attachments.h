// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "relais/sdk/dossier.h"
#include "relais/sdk/http_client.h"
#include "relais/sdk/json.h"
#include "relais/sdk/portal_adapter.h"
#include "relais/sdk/result.h"

#include "dossier_mapping.h"
#include "graphql_client.h"
#include "settings.h"

/// @file
/// Pièces justificatives: downloaded at ingest (DS's file URLs expire), checked against
/// what DS said of them (`_ds.files[i]`: byte size and ActiveStorage checksum), and asked
/// again from DS once when the URL has expired.

namespace relais::adapters::ds {

/// The `_ds.files` entry of `attachment`: the one at its position when `attachment` is an
/// element of `dossier.attachments`, else the first whose file name and size match; null
/// when none.
const sdk::Json* fileEntryOf(const sdk::Dossier& dossier, const sdk::Attachment& attachment);

/// Whether `bytes` are the file DS described: its size (`attachment.size`, when not 0) and
/// its checksum (`entry.checksum`, when given). `InvalidArgument` naming the attachment
/// (field `attachment`) on a mismatch.
sdk::Result<void> verifyFile(const sdk::Json* entry, const sdk::Attachment& attachment,
                             std::string_view bytes);

/// In a dossier just read again: the URL DS gives now for the file of `entry` (same champ
/// id and checksum; without checksum, same champ id and file name). nullopt when gone.
std::optional<std::string> freshUrlOf(const MappedDossier& fresh, const sdk::Json& entry);

/// Downloads `attachment` of `dossier` (a DS dossier of this adapter) and checks it. A URL
/// refused as expired (HTTP 401, 403, 404 or 410) makes it read the dossier again through
/// `call` and download the fresh URL of the same file, once. Redirects (301, 302, 303, 307,
/// 308) are followed, three at most. Errors name the attachment: `InvalidArgument` for a
/// mismatch, a file DS no longer has, or a refusal after the refresh; `Unavailable` for a
/// 5xx; the HTTP client's own errors (`Timeout`, `Unavailable`…). Thread-safe.
sdk::Result<sdk::AttachmentContent> fetchDsAttachment(sdk::HttpClient& http,
                                                      const DsSettings& settings,
                                                      const GraphqlCall& call,
                                                      const sdk::Dossier& dossier,
                                                      const sdk::Attachment& attachment);

}  // namespace relais::adapters::ds
