// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "relais/sdk/event.h"
#include "relais/sdk/json.h"
#include "relais/sdk/result.h"
#include "relais/store/event_log.h"

/// @file
/// The JSON of status sync: the body a business application posts to record an event
/// (docs/status-sync.md), the citizen's timeline, conflicts.

namespace relais::api {

/// A business event as posted, validated strictly.
struct EventBody {
    sdk::Event event;  ///< type, source_event_key, source_version, occurred_at, actor,
                       ///< payload (status, sub_status, message, documents), is_public
    std::optional<std::int64_t> based_on_version;
};

/// Parses and validates `POST …/events`: an object with `type` (`status_changed`,
/// `message`, `document_added`), `status` (a canonical status; required for and only for
/// `status_changed`), `sub_status` `{code, label}`, `message` (required for `message`),
/// `public` (default true), `occurred_at` (RFC 3339 with a zone; default `now`), `actor`,
/// `source_event_key`, `source_version`, `based_on_version` (integer) and `documents`
/// (array of `{name, url, content_type, sha256}`, `name` required). Unknown members and
/// wrong types are `InvalidArgument` naming the member (`documents[1].name`), as are an
/// `actor`, `source_event_key` or `source_version` longer than `max_identifier_bytes` and a
/// `refused` without its `message` (the motivation the law requires).
sdk::Result<EventBody> parseEventBody(std::string_view body, sdk::Timestamp now,
                                      std::size_t max_identifier_bytes);

/// The answer to a recorded event (the same for an idempotent repeat).
sdk::Json eventRecordJson(const std::string& dossier_id, const store::EventRecord& record);

/// One entry of the citizen's timeline: what the portal shows (sub-status label, message,
/// documents), no internal detail.
sdk::Json timelineEntryJson(const sdk::Event& event);

/// A conflict with both decisions.
sdk::Json conflictJson(const store::ConflictRecord& conflict);

/// Parses `POST /v1/conflicts/{id}/resolve`: `{"winner": "current"|"incoming"}` or
/// `{"status": …, "sub_status": {code, label}}`, plus an optional `message`.
sdk::Result<store::ConflictResolution> parseResolution(std::string_view body);

}  // namespace relais::api
