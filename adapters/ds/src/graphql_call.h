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
/// DS's message (`executeGraphql` in graphql_client.h). The inbound side (poll, webhook,
/// attachment refresh) and the outbound side (mutations) both call DS through one of these,
/// so that tests can stand in.
using GraphqlCall =
    std::function<sdk::Result<sdk::Json>(std::string_view document, const sdk::Json& variables)>;

}  // namespace relais::adapters::ds
