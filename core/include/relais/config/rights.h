// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string_view>
#include <vector>

/// @file
/// The rights a client may hold. One list, shared by the config loader (which refuses
/// unknown rights) and the HTTP layer (which checks requests against them, as
/// `relais::http::rights`).

namespace relais::config {

namespace rights {
inline constexpr std::string_view kDossiersSubmit = "dossiers:submit";
inline constexpr std::string_view kDossiersRead = "dossiers:read";
inline constexpr std::string_view kEventsWrite = "events:write";
inline constexpr std::string_view kInboxRead = "inbox:read";
inline constexpr std::string_view kPrefillRead = "prefill:read";
inline constexpr std::string_view kAttributesWrite = "attributes:write";
inline constexpr std::string_view kSubjectsAdmin = "subjects:admin";
/// Read the access log of a subject the client names (a portal's "my data" page).
inline constexpr std::string_view kAccessLogRead = "subjects:access-log";
inline constexpr std::string_view kConnectorsCall = "connectors:call";
inline constexpr std::string_view kConnectorsRead = "connectors:read";
inline constexpr std::string_view kJobsAdmin = "jobs:admin";
inline constexpr std::string_view kMetricsRead = "metrics:read";
inline constexpr std::string_view kAuditRead = "audit:read";
/// Implies every operator right: `connectors:read`, `jobs:admin`, `metrics:read`,
/// `audit:read`.
inline constexpr std::string_view kAdmin = "admin";

/// Every known right, in documentation order. Static storage.
const std::vector<std::string_view>& all();
}  // namespace rights

/// Every right a `<client>` may list (same as `rights::all()`).
const std::vector<std::string_view>& knownRights();

/// True when `right` is one of `knownRights()` (exact, case-sensitive).
bool isKnownRight(std::string_view right) noexcept;

}  // namespace relais::config
