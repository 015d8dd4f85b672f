// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>

#include "relais/sdk/result.h"
#include "relais/sdk/settings.h"
#include "relais/sdk/visibility.h"

namespace relais::sdk {

class Host;

/// What `health()` reports.
struct HealthReport {
    bool healthy = true;
    std::string detail;  ///< one line for operators, never personal data or secrets
};

/// The lifecycle every plugin object shares. The host calls, in this order and on its
/// control thread only: `configure` once with validated settings, `start`, then the
/// operations (concurrently only if the plugin declared itself reentrant), then `stop`, then
/// the plugin's `destroy`. After a failed `configure` or `start`, the host calls `stop` (if
/// started) and destroys the object.
///
/// Every virtual may report failure through its result; none may let an exception escape
/// (the `RELAIS_PLUGIN` shim enforces this).
class RELAIS_SDK_API Component {
public:
    /// `host` outlives the component.
    explicit Component(Host& host) noexcept : host_(host) {}
    Component(const Component&) = delete;
    Component& operator=(const Component&) = delete;
    virtual ~Component();

    /// Receives the settings, already checked against the descriptor's config keys. Default:
    /// accept.
    virtual Result<void> configure(const Settings& settings);

    /// Starts background work, if any. Default: nothing to do.
    virtual Result<void> start();

    /// Stops background work; in-flight operations have returned. Default: nothing to do.
    virtual Result<void> stop();

    /// Whether the remote side answers. Called by `/readyz` and the connectors page; keep
    /// it cheap. Default: healthy.
    virtual Result<HealthReport> health();

protected:
    Host& host() const noexcept { return host_; }

private:
    Host& host_;
};

}  // namespace relais::sdk
