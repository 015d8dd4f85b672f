// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include "relais/sdk/portal_adapter.h"
#include "relais/sdk/settings.h"

#include "graphql_client.h"
#include "settings.h"

/// @file
/// The Démarches Simplifiées / Démarche Numérique adapter (GraphQL API v2). Inbound: polling
/// the configured démarches (dossiers updated since the last pass, deleted dossiers), and
/// DS's deprecated webhook as a trigger to read one dossier at once. Pièces justificatives
/// are downloaded at ingest and checked against DS's checksum. Outbound: the mutation path
/// to a target state, messages and correction requests (push.h).

namespace relais::adapters::ds {

class DsAdapter : public sdk::PortalAdapter {
public:
    explicit DsAdapter(sdk::Host& host);

    /// Validates the settings and resolves the token once, so that a missing secret stops
    /// the start.
    sdk::Result<void> configure(const sdk::Settings& settings) override;
    sdk::Result<sdk::InboundBatch> parseInbound(const sdk::InboundRequest& request) override;
    sdk::Result<sdk::PollBatch> poll(const std::string& cursor) override;
    sdk::Result<sdk::PushReceipt> pushEvent(const sdk::Dossier& dossier,
                                            const sdk::Event& event) override;
    sdk::Result<sdk::AttachmentContent> fetchAttachment(const sdk::Dossier& dossier,
                                                        const sdk::Attachment& attachment) override;

    /// A `GraphqlCall` to this instance's DS with its token (resolved on each call, so a
    /// rotated file is picked up), timeout and TLS, through the host's HTTP client. Valid
    /// while the adapter lives; thread-safe.
    GraphqlCall graphql() const;
    const DsSettings& settings() const noexcept { return settings_; }

private:
    DsSettings settings_;
};

}  // namespace relais::adapters::ds
