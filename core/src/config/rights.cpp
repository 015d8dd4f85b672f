// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/config/rights.h"

#include <algorithm>
#include <array>

namespace relais::config {
namespace {

// Keep equal to the constants of relais/http/client.h, namespace relais::http::rights.
constexpr std::array<std::string_view, 13> kRights = {
    "dossiers:submit",  "dossiers:read",  "events:write",    "inbox:read",      "prefill:read",
    "attributes:write", "subjects:admin", "connectors:call", "connectors:read", "jobs:admin",
    "metrics:read",     "audit:read",     "admin",
};

}  // namespace

const std::vector<std::string_view>& knownRights() {
    static const std::vector<std::string_view> rights(kRights.begin(), kRights.end());
    return rights;
}

bool isKnownRight(std::string_view right) noexcept {
    return std::find(kRights.begin(), kRights.end(), right) != kRights.end();
}

}  // namespace relais::config
