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
    /// Events on dossiers already stored (a withdrawal, a citizen's message or document),
    /// each naming its dossier by `source_key` (the portal's id) or `dossier_id`. The core
    /// applies them as side `portal`, source this instance, through status sync (ordering on
    /// `event.source_version`, deduplication on `event.source_event_key`, the lifecycle; see
    /// docs/status-sync.md), and only to dossiers that came from this instance;
    /// `business_id` is ignored. For a status change, `event.payload` holds `status` (a
    /// canonical name) and `sub_status {code, label}` (the portal's own status).
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
    /// Tells the portal about `event` of `dossier` (a public status change — including
    /// `acknowledged` with the application's `business_id` —, message or document that did
    /// not come from this portal). Called by the core's workers from a `push` outbox job,
    /// one push of a dossier at a time, in the order of its events; `dossier` is as stored
    /// when the push runs (its `status` may already be later than the event's).
    ///
    /// Idempotent **by outcome**: a push may run again after it succeeded (a worker that
    /// died before recording it, an operator's replay), so read the portal's current state
    /// first and return success when it is already there ("already in that status", "that
    /// message is already on the dossier"); never apply a change twice. `event.id` is
    /// stable across retries (usable as the portal's idempotency key).
    ///
    /// Errors: `Unavailable`, `Timeout` or `Retryable` (with `retry_after_seconds` when the
    /// portal said) are retried per the instance's `<retry>`; `Permanent` (or any other
    /// code) parks the job on the dead-letter list with the message, which an operator
    /// sees and may replay: say what the portal answered. `Unsupported` means "this
    /// instance has nowhere to push" (e.g. no callback configured): the job ends done and
    /// the core makes no more push jobs for the instance until the next start. The default
    /// implementation returns `Unsupported`; an adapter that does not declare
    /// `operation::kPushEvent` gets no push jobs.
    virtual Result<PushReceipt> pushEvent(const Dossier& dossier, const Event& event);
    virtual Result<AttachmentContent> fetchAttachment(const Dossier& dossier,
                                                      const Attachment& attachment);
};

}  // namespace relais::sdk
