// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string_view>

#include "relais/sdk/result.h"
#include "relais/sdk/status.h"

/// @file
/// The one check every status change of a dossier goes through (the store calls it inside
/// the transaction that records the change), and the order of source versions.

namespace relais::store {

/// Who asks for a status change.
enum class TransitionAuthority {
    Source,    ///< a portal, an application or relais itself: the lifecycle graph decides
    Operator,  ///< an operator resolving a conflict: may also replace one final state by another
};

/// Whether a dossier in `from` may move to `to`. Staying in the same status is allowed (the
/// sub-status may change: "still in review, now with the second department"). Otherwise
/// the edge must be in the graph of `sdk::canTransition`; an operator resolving a conflict
/// may also go from one final state to another. A refusal is `Conflict` (HTTP 409: the
/// request conflicts with the dossier's current state), field `status`, with a message that
/// names both states: `cannot go from 'accepted' to 'refused': …`.
sdk::Result<void> checkTransition(sdk::Status from, sdk::Status to,
                                  TransitionAuthority authority = TransitionAuthority::Source);

/// Orders two source versions of one source: both made of digits only compare as numbers
/// (without limit of size), both RFC 3339 instants compare as instants, anything else
/// compares byte by byte. Negative, zero or positive like `strcmp`.
int compareSourceVersions(std::string_view a, std::string_view b) noexcept;

}  // namespace relais::store
