// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "relais/config/config.h"
#include "relais/config/rights.h"

/// @file
/// An authenticated API caller (a `<client>` of the config) and its rights.

namespace relais::http {

/// Named rights a route may require (`rights::kDossiersSubmit`…, `rights::all()`). The list
/// lives in the config module, which refuses unknown rights at load time.
namespace rights = config::rights;

/// An authenticated API caller: a configured client, its rights and its rate. Immutable.
class Caller {
public:
    explicit Caller(const config::ClientConfig& config);

    const std::string& name() const noexcept { return name_; }
    bool hasRight(std::string_view right) const noexcept;
    /// May act on dossiers of `procedure` (listed, or `*`).
    bool mayUseProcedure(std::string_view procedure) const noexcept;
    /// May use connector/adapter instance `instance` (listed, or `*`).
    bool mayUseInstance(std::string_view instance) const noexcept;
    /// Requests per second and burst it may make; 0: the server's default.
    double rate() const noexcept { return rate_; }
    int burst() const noexcept { return burst_; }

private:
    std::string name_;
    std::string key_sha256_;
    std::vector<std::string> rights_;
    std::vector<std::string> procedures_;
    std::vector<std::string> instances_;
    std::string publik_orig_;
    std::string certificate_sha256_;
    std::string certificate_cn_;
    double rate_ = 0;
    int burst_ = 0;

    friend class Authenticator;
};

}  // namespace relais::http
