// SPDX-License-Identifier: AGPL-3.0-or-later
#include "http/connection_limits.h"

#include <algorithm>

#include "relais/metrics/registry.h"

namespace relais::http::detail {

ConnectionLimits::ConnectionLimits(int total, int per_address, metrics::Gauge& open)
    : total_(static_cast<std::size_t>(std::max(1, total))),
      per_address_(static_cast<std::size_t>(std::max(0, per_address))),
      open_gauge_(open) {}

bool ConnectionLimits::open(const std::string& address) {
    const std::lock_guard lock(mutex_);
    ++open_;
    open_gauge_.set(static_cast<double>(open_));
    const std::size_t count = ++by_address_[address];
    return per_address_ == 0 || count <= per_address_;
}

void ConnectionLimits::close(const std::string& address) {
    const std::lock_guard lock(mutex_);
    if (open_ > 0) --open_;
    open_gauge_.set(static_cast<double>(open_));
    const auto found = by_address_.find(address);
    if (found == by_address_.end()) return;
    if (--found->second == 0) by_address_.erase(found);
}

bool ConnectionLimits::full() const {
    const std::lock_guard lock(mutex_);
    return open_ >= total_;
}

}  // namespace relais::http::detail
