// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>

#include "relais/sdk/clock.h"
#include "relais/sdk/http_client.h"
#include "relais/sdk/logger.h"
#include "relais/sdk/metrics.h"
#include "relais/sdk/secrets.h"
#include "relais/sdk/visibility.h"

namespace relais::sdk {

/// The services the core offers to one plugin instance.
///
/// Lifetime: the host creates one per instance before calling the plugin's `create` and
/// destroys it after `destroy`; references obtained from it stay valid for that whole time.
/// Thread-safety: every accessor and every service is thread-safe.
class RELAIS_SDK_API Host {
public:
    virtual ~Host();

    /// The instance name from the config (`<connector name="…">`).
    virtual const std::string& instanceName() const noexcept = 0;
    virtual Logger& logger() noexcept = 0;
    virtual const Clock& clock() const noexcept = 0;
    virtual HttpClient& http() noexcept = 0;
    virtual Metrics& metrics() noexcept = 0;
    virtual const Secrets& secrets() const noexcept = 0;
    /// Directory where the instance may keep files of its own (created by the host).
    virtual const std::string& dataDirectory() const noexcept = 0;
};

}  // namespace relais::sdk
