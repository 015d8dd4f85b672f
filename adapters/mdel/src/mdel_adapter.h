// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "relais/sdk/portal_adapter.h"
#include "relais/sdk/settings.h"

#include "mdel_settings.h"

/// @file
/// The service-public.fr MDEL adapter. Inbound: the delivery zips that the platform's
/// transfer agent drops in a directory, polled; each becomes one dossier (deduplicated on
/// the envelope's MessageId), its files attachments read from the zip. Outbound: a status
/// change becomes a reply zip (reply envelope, optional document) in the outbox.

namespace relais::adapters::mdel {

/// A zip handed over in a poll batch, named in the cursor until the core gives it back.
struct HandedZip {
    std::string zip;
    std::string message_id;
};

/// The cursor naming `handed` (empty when nothing was handed over).
std::string cursorOf(const std::vector<HandedZip>& handed);
/// The zips a cursor names; `InvalidArgument` for text `cursorOf` did not make.
sdk::Result<std::vector<HandedZip>> parseCursor(const std::string& cursor);

class MdelAdapter : public sdk::PortalAdapter {
public:
    explicit MdelAdapter(sdk::Host& host);

    sdk::Result<void> configure(const sdk::Settings& settings) override;
    /// Archives the zips `cursor` names (their dossiers are stored), then reads up to
    /// `batch` new zips of the inbox, by name: a replay of a known MessageId goes to
    /// `duplicates`, an unreadable zip to `errors` with its reason; neither blocks the others.
    sdk::Result<sdk::PollBatch> poll(const std::string& cursor) override;
    /// A status change with an MDEL code: one reply zip in the outbox, named after `event.id`
    /// (written once: a retry finds it and succeeds).
    sdk::Result<sdk::PushReceipt> pushEvent(const sdk::Dossier& dossier,
                                            const sdk::Event& event) override;
    sdk::Result<sdk::AttachmentContent> fetchAttachment(const sdk::Dossier& dossier,
                                                        const sdk::Attachment& attachment) override;

private:
    void archiveHanded(const std::vector<HandedZip>& handed);
    void setAside(const std::string& zip, const std::string& target, const std::string& reason);
    /// The document of a reply (`documents[0]` of the payload), if any: file name and bytes.
    sdk::Result<std::pair<std::string, std::string>> replyDocument(const sdk::Event& event);

    MdelSettings settings_;
    std::mutex poll_mutex_;  ///< serialises polls: two would move the same zips
};

}  // namespace relais::adapters::mdel
