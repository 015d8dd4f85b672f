// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>
#include <string_view>

#include "relais/sdk/http_client.h"
#include "relais/sdk/portal_adapter.h"
#include "relais/sdk/settings.h"
#include "relais/sdk/time_zone.h"

#include "status_tables.h"

/// @file
/// The Publik w.c.s. adapter. Inbound: the formdata export that a workflow "webservice
/// call" action with "send the form" posts becomes one dossier. Outbound: a status change
/// reads the dossier's current w.c.s. status, then fires the trigger that leads to the
/// wanted status, both calls signed with the Publik scheme.

namespace relais::adapters::wcs {

/// Member of a dossier's fields holding what the export says about the dossier rather than in
/// its fields (the SDK's `Dossier` has no metadata): `id`, `display_id`, `url`, `api_url`,
/// `status {id, name}`, `user`, `extra` (the action's POST-data table).
inline constexpr std::string_view kMetaKey = "_wcs";

/// The validated settings.
struct WcsSettings {
    std::string base_url;  ///< ends with `/`; empty: per-dossier api_url
    std::string orig;
    std::string secret_reference;
    std::string algorithm = "sha256";
    std::string zone = "Europe/Paris";
    sdk::TimeZone time_zone;  ///< `zone`, loaded once (UTC until `settingsFrom` loads it)
    std::string procedure;    ///< empty: the form slug
    StatusTables tables;
    std::string message_hook;
    int timeout_ms = 30'000;
    sdk::TlsOptions tls;
};

/// Reads and checks the settings (zone known, tables well formed, TLS files readable);
/// `InvalidArgument` naming the key.
sdk::Result<WcsSettings> settingsFrom(const sdk::Settings& settings);

/// Turns a formdata export into a dossier (no I/O). `InvalidArgument` naming the member
/// (`id`, `receipt_time`, `fields`, `workflow.status.id`, `fields.<var>`…).
sdk::Result<sdk::Dossier> parseFormdata(const WcsSettings& settings, std::string_view body,
                                        const std::string& source);

/// The API URL of a dossier: `<url>api/forms/<slug>/<id>/` from its source key
/// (`slug:id`) when a base URL is set, else the `api_url` it arrived with.
sdk::Result<std::string> apiUrlOf(const WcsSettings& settings, const sdk::Dossier& dossier);

class WcsAdapter : public sdk::PortalAdapter {
public:
    explicit WcsAdapter(sdk::Host& host);

    sdk::Result<void> configure(const sdk::Settings& settings) override;
    sdk::Result<sdk::InboundBatch> parseInbound(const sdk::InboundRequest& request) override;
    sdk::Result<sdk::PushReceipt> pushEvent(const sdk::Dossier& dossier,
                                            const sdk::Event& event) override;

private:
    sdk::Result<sdk::PushReceipt> pushStatus(const sdk::Dossier& dossier, const sdk::Event& event);
    sdk::Result<sdk::PushReceipt> pushMessage(const sdk::Dossier& dossier, const sdk::Event& event);
    /// Sends `method url` signed, JSON body if not empty; HTTP statuses are returned as is.
    sdk::Result<sdk::HttpResponse> call(const std::string& method, const std::string& url,
                                        const std::string& body);

    WcsSettings settings_;
};

}  // namespace relais::adapters::wcs
