// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "relais/sdk/component.h"
#include "relais/sdk/connector.h"
#include "relais/sdk/dossier.h"
#include "relais/sdk/event.h"
#include "relais/sdk/http_client.h"
#include "relais/sdk/visibility.h"

/// @file
/// The portal side: adapters that turn what a portal sends into canonical dossiers and
/// events, and carry status changes back.

namespace relais::sdk {

/// A request received on `/v1/adapters/{instance}/inbound`, already authenticated and
/// size-checked by the core.
struct InboundRequest {
    std::string method;
    std::string path;
    std::vector<std::pair<std::string, std::string>> query;  ///< decoded, in order
    HttpHeaders headers;
    std::string content_type;
    std::string body;
    std::string client;  ///< authenticated API client name
};

/// What an inbound request carried: new dossiers and/or events on known dossiers.
struct InboundBatch {
    std::vector<Dossier> dossiers;  ///< `source_key` set; `id` empty (the core assigns it)
    std::vector<InboundEvent> events;
};

/// Bytes of an attachment fetched from a portal.
struct AttachmentContent {
    std::string content_type;
    std::string bytes;
};

/// What a portal answered when an event was pushed to it.
struct PushReceipt {
    std::string portal_status;  ///< the portal's status after the push, if it said
    std::string detail;
};

/// An adapter for one kind of portal (w.c.s., Démarches Simplifiées, MDEL, generic JSON…).
/// Same threading and error rules as `Connector`. For `pushEvent`, retryable codes make the
/// core retry; `Permanent` parks the push with its reason.
class RELAIS_SDK_API PortalAdapter : public Component {
public:
    using Component::Component;
    ~PortalAdapter() override;

    virtual Result<InboundBatch> parseInbound(const InboundRequest& request);
    virtual Result<PollBatch> poll(const std::string& cursor);
    virtual Result<PushReceipt> pushEvent(const Dossier& dossier, const Event& event);
    virtual Result<AttachmentContent> fetchAttachment(const Dossier& dossier,
                                                      const Attachment& attachment);
};

}  // namespace relais::sdk
