// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "relais/sdk/visibility.h"

/// @file
/// The canonical lifecycle of a dossier. Each portal keeps its own status as a sub-status;
/// adapters translate between the two.
///
/// ```
/// submitted → acknowledged → in_review ⇄ awaiting_applicant → accepted | refused |
/// closed_no_action
/// ```
/// plus `awaiting_payment`, `withdrawn` and `rejected_technical`; a final state can be
/// reopened to `in_review`.

namespace relais::sdk {

enum class Status {
    Submitted,
    Acknowledged,
    InReview,
    AwaitingApplicant,
    AwaitingPayment,
    Accepted,
    Refused,
    ClosedNoAction,
    Withdrawn,
    RejectedTechnical,
};

/// Stable wire name (`in_review`…).
RELAIS_SDK_API std::string_view toString(Status status) noexcept;

/// Inverse of `toString`; empty for an unknown name.
RELAIS_SDK_API std::optional<Status> parseStatus(std::string_view name) noexcept;

/// Every status, in lifecycle order.
RELAIS_SDK_API std::span<const Status> allStatuses() noexcept;

/// A final status ends the instruction (accepted, refused, closed_no_action, withdrawn,
/// rejected_technical). Final states may only be reopened to `in_review`.
RELAIS_SDK_API bool isFinal(Status status) noexcept;

/// Whether the lifecycle graph has an edge `from → to`. Staying in the same status is not a
/// transition (false).
RELAIS_SDK_API bool canTransition(Status from, Status to) noexcept;

}  // namespace relais::sdk
