// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "relais/config/host_allow_list.h"
#include "relais/pipeline/blob_store.h"
#include "relais/sdk/dossier.h"
#include "relais/sdk/http_client.h"
#include "relais/sdk/result.h"

namespace relais::plugin {
class Instance;
}

/// @file
/// Downloads a new dossier's attachments before it is stored: portal URLs expire, relais
/// keeps the bytes.

namespace relais::pipeline {

/// For each attachment that has a `source_url` and no `storage_ref`: fetch it (through the
/// adapter's `fetchAttachment` when the adapter has one — it knows the portal's
/// credentials —, otherwise with a plain GET), refuse it when it is larger than the limit or
/// does not match its declared size or SHA-256, store it in the blob store and fill
/// `sha256`, `size`, `storage_ref` (and `content_type` when the portal gave none).
///
/// A plain GET only reaches the hosts of `allowed_hosts` (`<delivery attachment-hosts>`,
/// see host_allow_list.h): a URL naming another host, or whose host cannot be read
/// unambiguously, is refused before any connection. Without a list any host is fetched,
/// except link-local IP literals (cloud metadata). An adapter's own `fetchAttachment` is
/// not bound by the list: the adapter decides which hosts it talks to.
///
/// Errors name the attachment (`attachments[i]`): `InvalidArgument` for what the portal
/// sent wrong (scheme other than http/https, a host not allowed, checksum or size mismatch,
/// a 4xx answer),
/// `TooLarge`, `Unavailable`/`Timeout` when the portal could not be reached (the portal should
/// retry its webhook). Nothing is stored for the dossier when this fails; blobs already
/// written stay (content-addressed, harmless, reused by the retry).
///
/// Thread-safety: `fetchAll` may run concurrently for different dossiers.
class AttachmentFetcher {
public:
    /// `http` and `blobs` must outlive it. `allowed_hosts` are patterns as
    /// `config::parseHostPattern` reads them (`DeliveryConfig::attachment_hosts`); throws
    /// `ConfigError` for a bad one.
    AttachmentFetcher(sdk::HttpClient& http, BlobStore& blobs, std::size_t max_bytes,
                      int timeout_ms, const std::vector<std::string>& allowed_hosts = {})
        : http_(http),
          blobs_(blobs),
          max_bytes_(max_bytes),
          timeout_ms_(timeout_ms),
          allowed_hosts_(allowed_hosts) {}

    sdk::Result<void> fetchAll(sdk::Dossier& dossier, plugin::Instance* adapter) const;

private:
    sdk::Result<std::string> download(const sdk::Dossier& dossier,
                                      const sdk::Attachment& attachment, plugin::Instance* adapter,
                                      const std::string& field) const;

    sdk::HttpClient& http_;
    BlobStore& blobs_;
    std::size_t max_bytes_;
    int timeout_ms_;
    config::HostAllowList allowed_hosts_;
};

}  // namespace relais::pipeline
