// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "relais/sdk/event.h"
#include "relais/sdk/status.h"

/// @file
/// What `Store::recordEvent` takes and returns: the one path by which an event enters a
/// dossier's log and, for a status change, moves its status (see docs/status-sync.md).

namespace relais::store {

/// What became of a recorded event.
enum class EventOutcome {
    Applied,    ///< recorded; a status change moved the status (or its sub-status)
    Stale,      ///< recorded, but older than a change already applied from the same source
    Conflict,   ///< recorded; a decision crossing the other side's: waits for an operator
    Duplicate,  ///< the same source event key was recorded before: nothing written
};
std::string_view toString(EventOutcome outcome) noexcept;
std::optional<EventOutcome> parseEventOutcome(std::string_view name) noexcept;

/// The idempotency of an API request that records an event: a repeat with the same key and
/// the same body hash gets the first answer, nothing written; the same key with another body
/// is refused (`Conflict`, field `Idempotency-Key`).
struct IdempotencyClaim {
    std::string scope;  ///< e.g. `events:<client>`
    std::string key;    ///< the `Idempotency-Key` header
    std::string request_hash;
};

/// An event to record.
struct EventWrite {
    /// `dossier_id`, `type`, `side` required; `id` assigned when empty. For
    /// `status_changed` the payload holds `status` (a canonical name) and optionally
    /// `sub_status {code, label}`, `message`, `documents`.
    sdk::Event event;
    std::string source;  ///< adapter instance, connector instance or API client
    /// The relais dossier version the sender's decision was based on (`version` of
    /// `GET /v1/dossiers/{id}`), when it says; see `Store::recordEvent` on conflicts.
    std::optional<std::int64_t> based_on_version;
    std::optional<IdempotencyClaim> idempotency;
};

/// What `recordEvent` did.
struct EventRecord {
    std::string event_id;  ///< the new event, or the earlier one for a duplicate
    EventOutcome outcome = EventOutcome::Applied;
    sdk::Status status = sdk::Status::Submitted;  ///< the dossier's status afterwards
    std::int64_t version = 0;                     ///< the dossier's version afterwards
    std::string conflict_id;                      ///< for `Conflict`
    std::string push_job_id;  ///< the push job created towards the portal, if any
    bool replayed = false;    ///< an idempotent repeat: the first answer, nothing written
};

/// The status of a dossier with what set it.
struct StatusDetail {
    sdk::Status status = sdk::Status::Submitted;
    std::string sub_status_code;
    std::string sub_status_label;
    std::string event_id;  ///< the event that set it (empty: the submission)
    std::string side;      ///< `portal`, `backoffice`, `relais`
};

/// A decision of one side that crossed a decision of the other side.
struct ConflictRecord {
    std::string id;
    std::string dossier_id;
    std::string state;    ///< `open` or `resolved`
    sdk::Event current;   ///< the decision in force when the other arrived
    sdk::Event incoming;  ///< the decision that crossed it (recorded, not applied)
    std::int64_t created_at = 0;
    std::int64_t resolved_at = 0;
    std::string resolved_by;
    std::string resolution;  ///< the status chosen
};

/// An operator's decision on a conflict: `winner` is `current` or `incoming`, or empty
/// with `status` naming the status to set.
struct ConflictResolution {
    std::string winner;
    std::string status;
    std::string sub_status_code;
    std::string sub_status_label;
    std::string message;  ///< shown to the citizen with the resolution, if public
    std::string actor;    ///< the operator (API client)
};

}  // namespace relais::store
