// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>
#include <string_view>

#include "relais/sdk/dossier.h"
#include "relais/sdk/result.h"
#include "relais/sdk/time.h"

#include "mdel_settings.h"

/// @file
/// One delivery zip of the inbox turned into a canonical dossier (README, "Dossiers"), and
/// the attachments' bytes read back from it. Reads files; keeps no state.

namespace relais::adapters::mdel {

/// Member of a dossier's fields holding what a reply needs (the SDK's `Dossier` has no
/// metadata): `MessageId`, `FlowType`, `ConversationId`, `NumeroDemarche`,
/// `NumeroTeledemarche`, `Routing` (Sender, Recipients, ack request… as a tree), `zip`,
/// `envelope` (the entry it was read from).
inline constexpr std::string_view kMetaKey = "_mdel";

/// Scheme of the attachments' `source_url`: `mdel-zip:<zip name>#<entry>`.
inline constexpr std::string_view kZipScheme = "mdel-zip:";

/// A dossier read from a zip, and the MessageId it came with.
struct Delivery {
    sdk::Dossier dossier;
    std::string message_id;
};

/// Reads `settings.inbox/zip_name`: its envelope (`message.xml`, else the XML entry that is
/// a PEC message), the files the envelope names (which must be in the zip) and the others.
/// `received_at` dates a dossier whose envelope has no date. Errors: `InvalidArgument`
/// naming the element or entry at fault (the zip goes to `errors`), `Unavailable` when the
/// file cannot be opened.
sdk::Result<Delivery> readDelivery(const MdelSettings& settings, const std::string& zip_name,
                                   const std::string& source, sdk::Timestamp received_at);

/// The bytes of the attachment at `source_url` (`mdel-zip:<zip>#<entry>`), from the zip in
/// `inbox` (or already in `archive`). `InvalidArgument` for another URL or an unsafe name,
/// `NotFound` when the zip or the entry is gone.
sdk::Result<std::string> readAttachment(const MdelSettings& settings,
                                        const std::string& source_url);

}  // namespace relais::adapters::mdel
