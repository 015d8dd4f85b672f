// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <memory>
#include <string>

#include "relais/sdk/clock.h"
#include "relais/sdk/host.h"
#include "relais/sdk/logger.h"
#include "relais/sdk/metrics.h"

namespace relais::log {
class Sink;
}
namespace relais::metrics {
class Registry;
}

/// @file
/// The process-wide services, and the per-instance `sdk::Host` built from them.

namespace relais::host {

/// Wall clock and monotonic clock of the system.
class SystemClock final : public sdk::Clock {
public:
    sdk::Timestamp now() const noexcept override;
    std::int64_t monotonicMicros() const noexcept override;
};

/// What the process shares with every plugin instance. All references outlive every
/// instance.
struct Services {
    log::Sink& sink;
    metrics::Registry& metrics;
    const sdk::Clock& clock;
    sdk::HttpClient& http;
    const sdk::Secrets& secrets;
    std::string data_directory;  ///< per-instance directories are created below it
    sdk::LogLevel default_level = sdk::LogLevel::Info;
};

/// Builds the `sdk::Host` of one instance: a logger named after the instance (its own
/// level, or the default), metrics prefixed `relais_plugin_` with an `instance` label, the
/// shared clock, HTTP client and secrets, and `<data>/<instance>/` created on demand.
std::unique_ptr<sdk::Host> makeInstanceHost(const Services& services, const std::string& instance,
                                            const std::string& log_level);

}  // namespace relais::host
