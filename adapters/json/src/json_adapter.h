// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>
#include <vector>

#include "relais/sdk/portal_adapter.h"
#include "relais/sdk/settings.h"

/// @file
/// The generic JSON portal adapter: any form builder that can POST its dossier as a JSON
/// object (webhook) feeds relais through it. The whole body becomes the dossier's fields;
/// settings say where the portal's id, the procedure, the submission date, the subject and
/// the attachments are in it. Status changes go back by POSTing to a callback URL.

namespace relais::adapters::json {

/// Where things are in the portal's body; paths are dotted (`demandeur.courriel`,
/// `enfants[0].nom`).
struct Layout {
    std::string source_key;       ///< path of the portal's id (required)
    std::string procedure;        ///< fixed procedure code…
    std::string procedure_field;  ///< …or the path holding it
    std::string submitted_at;     ///< path of the submission date; empty: reception time
    std::string portal_status;    ///< path of the portal's status name
    std::vector<std::string> required_fields;
    std::string subject_france_connect;  ///< path of a FranceConnect `sub`
    std::string subject_siret;           ///< path of a SIRET
    std::string attachments;             ///< path of the attachments array
    std::string attachment_url = "url";
    std::string attachment_name = "name";
    std::string attachment_content_type = "content_type";
    std::string attachment_sha256 = "sha256";
    std::string attachment_size = "size";
    std::string attachment_kind = "kind";
};

/// Builds the layout from validated settings; `InvalidArgument` when neither or both of
/// `procedure` and `procedure-field` are set.
sdk::Result<Layout> layoutFromSettings(const sdk::Settings& settings);

/// Turns a portal body into a dossier (no I/O: the logic tests call it directly).
/// Errors are `InvalidArgument` naming the offending field path.
sdk::Result<sdk::Dossier> parseDossier(const Layout& layout, std::string_view body,
                                       const std::string& source, sdk::Timestamp received_at,
                                       int max_depth = 64);

/// Parses a submission date: RFC 3339, `YYYY-MM-DD` or `DD/MM/YYYY` (dates are midnight UTC).
sdk::Result<sdk::Timestamp> parseSubmissionDate(std::string_view text);

class JsonAdapter : public sdk::PortalAdapter {
public:
    explicit JsonAdapter(sdk::Host& host);

    sdk::Result<void> configure(const sdk::Settings& settings) override;
    sdk::Result<sdk::InboundBatch> parseInbound(const sdk::InboundRequest& request) override;
    sdk::Result<sdk::PushReceipt> pushEvent(const sdk::Dossier& dossier,
                                            const sdk::Event& event) override;

private:
    Layout layout_;
    std::string callback_url_;
    std::string callback_token_reference_;
    std::string callback_hmac_reference_;  ///< signs callbacks with X-Relais-Signature
    int timeout_ms_ = 10'000;
};

}  // namespace relais::adapters::json
