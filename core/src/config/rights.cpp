// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/config/rights.h"

#include <algorithm>

namespace relais::config {

namespace rights {
const std::vector<std::string_view>& all() {
    static const std::vector<std::string_view> known = {
        kDossiersSubmit,  kDossiersRead,  kEventsWrite,   kInboxRead,      kPrefillRead,
        kAttributesWrite, kSubjectsAdmin, kAccessLogRead, kConnectorsCall, kConnectorsRead,
        kJobsAdmin,       kMetricsRead,   kAuditRead,     kAdmin};
    return known;
}
}  // namespace rights

const std::vector<std::string_view>& knownRights() { return rights::all(); }

bool isKnownRight(std::string_view right) noexcept {
    const auto& known = rights::all();
    return std::find(known.begin(), known.end(), right) != known.end();
}

}  // namespace relais::config
