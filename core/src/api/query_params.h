// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include "relais/http/request.h"
#include "relais/sdk/result.h"

/// @file
/// Query parameters the API's list routes share.

namespace relais::api {

/// `?limit=` as a whole number from 1 to `max`; `fallback` when absent. `InvalidArgument`
/// naming `limit` otherwise.
sdk::Result<int> limitParam(const http::Request& request, int fallback, int max);

}  // namespace relais::api
