// SPDX-License-Identifier: AGPL-3.0-or-later
#include "query_params.h"

#include <charconv>
#include <string>

namespace relais::api {

sdk::Result<int> limitParam(const http::Request& request, int fallback, int max) {
    if (!request.hasQueryParam("limit")) return fallback;
    const std::string text = request.queryParam("limit");
    int limit = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), limit);
    if (error != std::errc() || end != text.data() + text.size() || limit < 1 || limit > max) {
        return sdk::fail(sdk::ErrorCode::InvalidArgument,
                         "'limit' must be a whole number from 1 to " + std::to_string(max),
                         "limit");
    }
    return limit;
}

}  // namespace relais::api
