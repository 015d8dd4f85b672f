// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>
#include <string_view>

#include "relais/sdk/json.h"
#include "relais/sdk/time.h"

/// @file
/// Events: the append-only log of what happened to a dossier, on either side.

namespace relais::sdk {

/// Well-known event types. Adapters and connectors may use others; these are the ones the
/// core gives a meaning to.
namespace event_type {
inline constexpr std::string_view kSubmitted = "submitted";
inline constexpr std::string_view kStatusChanged = "status_changed";
inline constexpr std::string_view kMessage = "message";
inline constexpr std::string_view kDocumentAdded = "document_added";
inline constexpr std::string_view kFieldChanged = "field_changed";
inline constexpr std::string_view kDelivered = "delivered";
inline constexpr std::string_view kDeliveryFailed = "delivery_failed";
}  // namespace event_type

/// Which side an event comes from.
enum class EventSide { Portal, Backoffice, Relais };

/// One entry of a dossier's event log.
struct Event {
    std::string id;          ///< relais event id, empty until stored
    std::string dossier_id;  ///< relais dossier id
    std::string type;        ///< one of `event_type` or a plugin-defined type
    EventSide side = EventSide::Relais;
    std::string source_event_key;  ///< the source's id for this event, for deduplication
    std::string source_version;    ///< the source's version of the dossier, if it has one
    Timestamp occurred_at;
    std::string actor;  ///< who did it (agent id, `citizen`, connector instance)
    /// For `status_changed`: `{"status": "<canonical>", "sub_status": {"code": …, "label": …}}`
    /// plus, for any public event, `message` (text) and `documents` (`[{name, url,
    /// content_type, sha256}]`); relais's `acknowledged` adds `business_id`, `display_id`.
    Json payload;
    bool is_public = false;  ///< shown to the citizen on the portal
};

}  // namespace relais::sdk
