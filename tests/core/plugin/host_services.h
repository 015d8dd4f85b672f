// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "relais/config/config.h"
#include "relais/config/secrets.h"
#include "relais/host/services.h"
#include "relais/log/log.h"
#include "relais/metrics/registry.h"
#include "relais/sdk/http_client.h"

#include "support/temp_dir.h"

/// @file
/// What the plugin host tests need around an instance: process services whose log lines
/// land in a file the test can read back, and paths of the fixture plugins.

namespace relais::plugin::test {

/// An HTTP client for tests that must not touch the network.
class NoNetwork final : public sdk::HttpClient {
public:
    sdk::Result<sdk::HttpResponse> send(const sdk::HttpRequest& request) override;
};

/// Real services (log sink, metrics, clock, secrets) with the log in `<temp>/relais.log`
/// and per-instance data under `<temp>/data/`. Not copyable; outlives the instances made
/// with it.
class HostServices {
public:
    HostServices();
    HostServices(const HostServices&) = delete;
    HostServices& operator=(const HostServices&) = delete;

    const host::Services& services() const noexcept { return services_; }
    const relais::test::TempDir& dir() const noexcept { return dir_; }

    /// `(logger, step)` for every `lifecycle <step>` line logged so far, in order.
    std::vector<std::pair<std::string, std::string>> lifecycle() const;
    /// `step` of the lifecycle lines of one instance, in order.
    std::vector<std::string> lifecycleOf(const std::string& instance) const;

private:
    relais::test::TempDir dir_;
    log::Sink sink_;
    metrics::Registry metrics_;
    host::SystemClock clock_;
    NoNetwork http_;
    config::SecretResolver secrets_;
    host::Services services_;
};

/// `<fixture-plugins>/lib<name>.so`.
std::string fixturePath(const std::string& name);
/// The fixture plugin directory (`${PROJECT_BINARY_DIR}/fixture-plugins`).
std::string fixtureDirectory();

/// An instance declaration at `/etc/relais/relais.xml:<line>` with `params` on the lines
/// after it.
config::InstanceConfig instanceConfig(
    const std::string& name, const std::string& plugin,
    const std::vector<std::pair<std::string, std::string>>& params = {}, int line = 10,
    config::InstanceKind kind = config::InstanceKind::Connector);

}  // namespace relais::plugin::test
