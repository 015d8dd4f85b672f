// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "relais/config/config.h"
#include "relais/config/rights.h"

/// @file
/// API clients and their rights, and the bearer-key authenticator.

namespace relais::http {

/// Named rights a route may require (`rights::kDossiersSubmit`…, `rights::all()`). The list
/// lives in the config module, which refuses unknown rights at load time.
namespace rights = config::rights;

/// An authenticated caller. Immutable.
class Client {
public:
    explicit Client(const config::ClientConfig& config);

    const std::string& name() const noexcept { return name_; }
    bool hasRight(std::string_view right) const noexcept;
    /// May act on dossiers of `procedure` (listed, or `*`).
    bool mayUseProcedure(std::string_view procedure) const noexcept;
    /// May use connector/adapter instance `instance` (listed, or `*`).
    bool mayUseInstance(std::string_view instance) const noexcept;

private:
    std::string name_;
    std::string key_sha256_;
    std::vector<std::string> rights_;
    std::vector<std::string> procedures_;
    std::vector<std::string> instances_;

    friend class Authenticator;
};

/// Finds the client of a bearer key. Keys are kept as SHA-256 digests only; the presented
/// key is hashed and compared with every client's digest in constant time (no early exit),
/// so neither timing nor a leaked config reveals a key.
///
/// Thread-safety: immutable after construction.
class Authenticator {
public:
    explicit Authenticator(const std::vector<config::ClientConfig>& clients);

    /// The client for an `Authorization` header value (`Bearer <key>`), or null.
    const Client* authenticate(std::string_view authorization) const;
    const Client* find(std::string_view name) const noexcept;

private:
    std::vector<Client> clients_;
};

}  // namespace relais::http
