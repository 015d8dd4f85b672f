// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/http/client.h"

#include <algorithm>
#include <cstdint>
#include <set>

#include "relais/common/crypto.h"
#include "relais/common/errors.h"
#include "relais/common/strings.h"

namespace relais::http {
namespace {

// Rights that `admin` implies (the operator's rights; not the data rights of portals and
// business applications).
constexpr std::string_view kOperatorRights[] = {rights::kJobsAdmin, rights::kConnectorsRead,
                                                rights::kMetricsRead, rights::kAuditRead};

// A presented key longer than this is refused before hashing: no real key is that long.
constexpr std::size_t kMaxKeyLength = 1024;

bool contains(const std::vector<std::string>& list, std::string_view value) noexcept {
    return std::find(list.begin(), list.end(), value) != list.end();
}

bool isLowerHexDigest(std::string_view text) noexcept {
    return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

std::string prefix(const config::ClientConfig& client) {
    std::string out = client.where.toString();
    if (!out.empty()) out += ": ";
    return out + "client '" + client.name + "': ";
}

}  // namespace

Client::Client(const config::ClientConfig& config)
    : name_(config.name),
      key_sha256_(common::toLower(config.key_sha256)),
      rights_(config.rights),
      procedures_(config.procedures),
      instances_(config.instances) {}

bool Client::hasRight(std::string_view right) const noexcept {
    if (right.empty()) return false;
    if (contains(rights_, right)) return true;
    if (!contains(rights_, rights::kAdmin)) return false;
    return std::find(std::begin(kOperatorRights), std::end(kOperatorRights), right) !=
           std::end(kOperatorRights);
}

bool Client::mayUseProcedure(std::string_view procedure) const noexcept {
    if (procedure.empty()) return false;
    return contains(procedures_, "*") || contains(procedures_, procedure);
}

bool Client::mayUseInstance(std::string_view instance) const noexcept {
    if (instance.empty()) return false;
    return contains(instances_, "*") || contains(instances_, instance);
}

Authenticator::Authenticator(const std::vector<config::ClientConfig>& clients) {
    std::set<std::string, std::less<>> names;
    std::set<std::string, std::less<>> digests;
    const auto& known = rights::all();
    clients_.reserve(clients.size());
    for (const auto& config : clients) {
        if (config.name.empty()) throw ConfigError(prefix(config) + "the name is empty");
        if (!names.insert(config.name).second) {
            throw ConfigError(prefix(config) + "the name is used by another client");
        }
        const std::string digest = common::toLower(config.key_sha256);
        if (!isLowerHexDigest(digest)) {
            throw ConfigError(prefix(config) +
                              "key-sha256 must be 64 hexadecimal digits (a SHA-256 digest)");
        }
        if (!digests.insert(digest).second) {
            throw ConfigError(prefix(config) + "the key is the same as another client's");
        }
        for (const auto& right : config.rights) {
            if (std::find(known.begin(), known.end(), right) == known.end()) {
                throw ConfigError(prefix(config) + "unknown right '" + right + "'");
            }
        }
        clients_.emplace_back(config);
    }
}

const Client* Authenticator::authenticate(std::string_view authorization) const {
    authorization = common::trim(authorization);
    const auto space = authorization.find_first_of(" \t");
    if (space == std::string_view::npos) return nullptr;
    if (!common::equalsIgnoreCase(authorization.substr(0, space), "bearer")) return nullptr;
    const auto key = common::trim(authorization.substr(space + 1));
    if (key.empty() || key.size() > kMaxKeyLength ||
        key.find_first_of(" \t") != std::string_view::npos) {
        return nullptr;
    }

    // Every digest is compared, whatever matched before, and the winner is selected with
    // arithmetic rather than a branch: the time taken says nothing about which client (or
    // whether any) holds the key.
    const std::string digest = common::sha256Hex(key);
    std::size_t found = 0;  // index + 1; 0: none
    for (std::size_t i = 0; i < clients_.size(); ++i) {
        const auto equal =
            static_cast<std::size_t>(common::constantTimeEquals(digest, clients_[i].key_sha256_));
        const std::size_t mask = std::size_t{0} - equal;  // all ones when equal
        found = (found & ~mask) | ((i + 1) & mask);
    }
    return found == 0 ? nullptr : &clients_[found - 1];
}

const Client* Authenticator::find(std::string_view name) const noexcept {
    for (const auto& client : clients_) {
        if (client.name_ == name) return &client;
    }
    return nullptr;
}

}  // namespace relais::http
