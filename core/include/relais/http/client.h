// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "relais/config/config.h"

/// @file
/// API clients and their rights, and the bearer-key authenticator.

namespace relais::http {

/// Named rights a route may require. A client holds a subset; `admin` implies every
/// operator right (`jobs:admin`, `connectors:read`, `metrics:read`, `audit:read`).
namespace rights {
inline constexpr std::string_view kDossiersSubmit = "dossiers:submit";
inline constexpr std::string_view kDossiersRead = "dossiers:read";
inline constexpr std::string_view kEventsWrite = "events:write";
inline constexpr std::string_view kInboxRead = "inbox:read";
inline constexpr std::string_view kPrefillRead = "prefill:read";
inline constexpr std::string_view kAttributesWrite = "attributes:write";
inline constexpr std::string_view kSubjectsAdmin = "subjects:admin";
inline constexpr std::string_view kConnectorsCall = "connectors:call";
inline constexpr std::string_view kConnectorsRead = "connectors:read";
inline constexpr std::string_view kJobsAdmin = "jobs:admin";
inline constexpr std::string_view kMetricsRead = "metrics:read";
inline constexpr std::string_view kAuditRead = "audit:read";
inline constexpr std::string_view kAdmin = "admin";

/// Every known right (the config loader refuses others).
const std::vector<std::string_view>& all();
}  // namespace rights

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
