// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "relais/sdk/http_client.h"
#include "relais/sdk/json.h"
#include "relais/sdk/result.h"

#include "graphql_call.h"

/// @file
/// Files sent to DS: fetched from the URL an event names, then uploaded the way DS's
/// ActiveStorage expects (`createDirectUpload`, then an HTTP PUT of the bytes to the URL it
/// gives); the mutation that uses the file (a decision's `justificatif`, a message's
/// `attachment`) names it by its signed blob id.

namespace relais::adapters::ds {

/// A file to upload.
struct UploadFile {
    std::string filename;
    std::string content_type;
    std::string bytes;
};

/// Fetches one event document `{name, url, content_type, sha256}` with a GET through `http`
/// (`timeout_ms`, at most `max_bytes`). `field` names the document in errors
/// (`documents[0]`). A document without `url` or `name` is `InvalidArgument` naming
/// `<field>.url` / `<field>.name`; bytes that do not match a given `sha256` are `Permanent`;
/// an HTTP status that is not 2xx is `Retryable` (408, 425, 429, 5xx, with Retry-After) or
/// `Permanent`; transport errors are `http`'s. `content_type` defaults to the answer's
/// Content-Type, then `application/octet-stream`.
sdk::Result<UploadFile> fetchDocument(sdk::HttpClient& http, const sdk::Json& document,
                                      const std::string& field, int timeout_ms,
                                      std::size_t max_bytes);

/// Uploads `file` for dossier `dossier_id` (its GraphQL id): `createDirectUpload(input:
/// {dossierId, filename, byteSize, checksum, contentType, clientMutationId})`, then a PUT of
/// the bytes to `directUpload.url` with the headers of `directUpload.headers` (a JSON object
/// encoded as a string) through `http` (`timeout_ms`). Returns `signedBlobId`.
///
/// Errors: `call`'s; a payload without `directUpload`, or headers that are not a JSON object
/// of strings, is `Permanent`; a PUT answered with a status that is not 2xx is `Retryable`
/// or `Permanent` as for `fetchDocument`. A retry makes a new blob (DS forgets the unused
/// one), so it is safe.
sdk::Result<std::string> directUpload(const GraphqlCall& call, sdk::HttpClient& http,
                                      const std::string& dossier_id, const UploadFile& file,
                                      const std::string& client_mutation_id, int timeout_ms);

}  // namespace relais::adapters::ds
