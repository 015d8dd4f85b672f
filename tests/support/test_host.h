// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <memory>
#include <string>

#include "relais/config/secrets.h"
#include "relais/host/http_client.h"
#include "relais/host/services.h"
#include "relais/log/log.h"
#include "relais/metrics/registry.h"
#include "relais/sdk/host.h"

#include "support/temp_dir.h"

namespace relais::test {

/// The real host services of relais (log sink to a file, metrics registry, system clock,
/// pooled HTTP client, secret resolver), rooted in a temporary directory, for plugin logic
/// tests that run a plugin class without loading its library.
class TestServices {
public:
    TestServices()
        : sink_(dir_.file("test.log")),
          secrets_(dir_.path(), [this](std::string_view v) { sink_.addSecret(v); }),
          http_(host::makeHttpClient()),
          services_{
              sink_, metrics_, clock_, *http_, secrets_, dir_.file("data"), sdk::LogLevel::Debug} {}

    /// A host for instance `name`; keep it alive as long as the plugin object.
    std::unique_ptr<sdk::Host> host(const std::string& name) {
        return host::makeInstanceHost(services_, name, "debug");
    }

    const TempDir& dir() const noexcept { return dir_; }
    metrics::Registry& metrics() noexcept { return metrics_; }
    std::string logs() const { return readFileOrFail(dir_.file("test.log")); }

private:
    TempDir dir_;
    log::Sink sink_;
    metrics::Registry metrics_;
    host::SystemClock clock_;
    config::SecretResolver secrets_;
    std::unique_ptr<sdk::HttpClient> http_;
    host::Services services_;
};

}  // namespace relais::test
