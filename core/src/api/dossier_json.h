// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <vector>

#include "relais/sdk/dossier.h"
#include "relais/sdk/event.h"
#include "relais/sdk/json.h"
#include "relais/store/store.h"

/// @file
/// JSON views of stored things, as the API shows them.

namespace relais::api {

/// The tracking view of a dossier: identity, status, links and deliveries — not its fields,
/// which hold personal data and are read through audited routes only.
sdk::Json trackingJson(const sdk::Dossier& dossier, const std::vector<store::Link>& links,
                       const std::vector<store::Job>& jobs);

sdk::Json eventJson(const sdk::Event& event);

/// An outbox job as operators see it.
sdk::Json jobJson(const store::Job& job);

std::string_view toString(sdk::EventSide side) noexcept;

}  // namespace relais::api
