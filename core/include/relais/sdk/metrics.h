// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "relais/sdk/visibility.h"

namespace relais::sdk {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

/// Prometheus metrics for a plugin. Names get the prefix `relais_plugin_` and a label
/// `instance` with the instance name; use `snake_case` names with a unit suffix
/// (`_seconds`, `_bytes`, `_total`).
///
/// Lifetime: owned by the host. Thread-safe and cheap (atomics after the first call
/// for a given name and label set).
class RELAIS_SDK_API Metrics {
public:
    virtual ~Metrics();
    /// Adds `value` (≥ 0) to a counter.
    virtual void increment(std::string_view name, const MetricLabels& labels = {},
                           double value = 1.0) noexcept = 0;
    /// Sets a gauge.
    virtual void set(std::string_view name, double value,
                     const MetricLabels& labels = {}) noexcept = 0;
    /// Records one observation in a histogram (latency buckets, in seconds).
    virtual void observe(std::string_view name, double value,
                         const MetricLabels& labels = {}) noexcept = 0;
};

}  // namespace relais::sdk
