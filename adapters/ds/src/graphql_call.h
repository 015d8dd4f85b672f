// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <functional>
#include <string_view>

#include "relais/sdk/json.h"
#include "relais/sdk/result.h"

namespace relais::adapters::ds {

/// Sends one GraphQL document with its variables to DS; returns the `data` member. Transport
/// and HTTP failures come back as errors already classified (Unavailable/Timeout/Retryable
/// retried by the core, Permanent not); top-level GraphQL `errors` come back as Permanent with
/// DS's message.
using GraphqlCall =
    std::function<sdk::Result<sdk::Json>(std::string_view document, const sdk::Json& variables)>;

}  // namespace relais::adapters::ds
