// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/http/caller.h"

#include <algorithm>
#include <iterator>

#include "relais/common/strings.h"

namespace relais::http {
namespace {

// Rights that `admin` implies (the operator's rights; not the data rights of portals and
// business applications).
constexpr std::string_view kOperatorRights[] = {rights::kJobsAdmin, rights::kConnectorsRead,
                                                rights::kMetricsRead, rights::kAuditRead};

bool contains(const std::vector<std::string>& list, std::string_view value) noexcept {
    return std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace

Caller::Caller(const config::ClientConfig& config)
    : name_(config.name),
      key_sha256_(common::toLower(config.key_sha256)),
      rights_(config.rights),
      procedures_(config.procedures),
      instances_(config.instances),
      publik_orig_(config.publik_orig),
      certificate_sha256_(common::toLower(config.certificate_sha256)),
      certificate_cn_(config.certificate_cn),
      rate_(config.rate),
      burst_(config.burst) {}

bool Caller::hasRight(std::string_view right) const noexcept {
    if (right.empty()) return false;
    if (contains(rights_, right)) return true;
    if (!contains(rights_, rights::kAdmin)) return false;
    return std::find(std::begin(kOperatorRights), std::end(kOperatorRights), right) !=
           std::end(kOperatorRights);
}

bool Caller::mayUseProcedure(std::string_view procedure) const noexcept {
    if (procedure.empty()) return false;
    return contains(procedures_, "*") || contains(procedures_, procedure);
}

bool Caller::mayUseInstance(std::string_view instance) const noexcept {
    if (instance.empty()) return false;
    return contains(instances_, "*") || contains(instances_, instance);
}

}  // namespace relais::http
