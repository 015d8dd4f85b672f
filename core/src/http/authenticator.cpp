// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/http/authenticator.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>

#include "relais/common/crypto.h"
#include "relais/common/errors.h"
#include "relais/common/strings.h"
#include "relais/http/publik_signature.h"

namespace relais::http {
namespace {

// A presented key longer than this is refused before hashing: no real key is that long.
constexpr std::size_t kMaxKeyLength = 1024;

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

/// The signature secrets, by client index: kept apart from `Caller`, which handlers see.
struct Authenticator::Secrets {
    std::vector<std::string> publik;
    std::vector<std::string> hmac;
};

namespace {

// The nonces of one process, when no shared store is given.
class MemoryReplayGuard {
public:
    sdk::Result<bool> remember(const std::string& nonce, std::int64_t now, std::int64_t expires) {
        const std::lock_guard lock(mutex_);
        // Forget what expired, oldest first, so the map stays as small as the window.
        while (!by_expiry_.empty() && by_expiry_.begin()->first <= now) {
            seen_.erase(by_expiry_.begin()->second);
            by_expiry_.erase(by_expiry_.begin());
        }
        if (!seen_.insert(nonce).second) return false;
        by_expiry_.emplace(expires, nonce);
        return true;
    }

private:
    std::mutex mutex_;
    std::set<std::string, std::less<>> seen_;
    std::multimap<std::int64_t, std::string> by_expiry_;
};

std::int64_t systemSeconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

sdk::Error unauthorized(std::string message) {
    return sdk::fail(sdk::ErrorCode::Unauthorized, std::move(message));
}

/// `t=<digits>,v1=<64 hex>` (in any order, spaces allowed around items); other items
/// (future versions) are ignored.
struct BodySignature {
    std::int64_t timestamp = 0;
    std::string v1;
};

std::optional<BodySignature> parseBodySignature(std::string_view header) {
    BodySignature parsed;
    bool has_t = false;
    for (const std::string& piece : common::splitTrimmed(header, ',')) {
        const std::string_view item = piece;
        if (item.starts_with("t=")) {
            const auto digits = item.substr(2);
            if (has_t || digits.empty() || digits.size() > 12 ||
                digits.find_first_not_of("0123456789") != std::string_view::npos) {
                return std::nullopt;
            }
            parsed.timestamp = std::stoll(std::string(digits));
            has_t = true;
        } else if (item.starts_with("v1=")) {
            if (!parsed.v1.empty()) return std::nullopt;
            parsed.v1 = common::toLower(item.substr(3));
        }
    }
    if (!has_t || !isLowerHexDigest(parsed.v1)) return std::nullopt;
    return parsed;
}

/// True when the raw query has a `signature` parameter: the caller signs as Publik does.
bool hasSignatureParam(std::string_view raw_query) noexcept {
    while (!raw_query.empty()) {
        const auto amp = raw_query.find('&');
        const auto pair = raw_query.substr(0, amp);
        if (pair.substr(0, pair.find('=')) == "signature") return true;
        if (amp == std::string_view::npos) break;
        raw_query.remove_prefix(amp + 1);
    }
    return false;
}

}  // namespace

Authenticator::Authenticator(const std::vector<config::ClientConfig>& clients,
                             std::int64_t window_seconds, ReplayGuard replay_guard, Clock clock)
    : secrets_(std::make_unique<Secrets>()),
      window_seconds_(window_seconds),
      replay_guard_(std::move(replay_guard)),
      clock_(std::move(clock)) {
    if (!replay_guard_) {
        auto memory = std::make_shared<MemoryReplayGuard>();
        replay_guard_ = [memory](const std::string& nonce, std::int64_t now, std::int64_t expires) {
            return memory->remember(nonce, now, expires);
        };
    }
    if (!clock_) clock_ = systemSeconds;
    std::set<std::string, std::less<>> names;
    std::set<std::string, std::less<>> digests;
    std::set<std::string, std::less<>> origs;
    const auto& known = rights::all();
    clients_.reserve(clients.size());
    for (const auto& config : clients) {
        if (config.name.empty()) throw ConfigError(prefix(config) + "the name is empty");
        if (!names.insert(config.name).second) {
            throw ConfigError(prefix(config) + "the name is used by another client");
        }
        const std::string digest = common::toLower(config.key_sha256);
        if (!digest.empty() && !isLowerHexDigest(digest)) {
            throw ConfigError(prefix(config) +
                              "key-sha256 must be 64 hexadecimal digits (a SHA-256 digest)");
        }
        if (!digest.empty() && !digests.insert(digest).second) {
            throw ConfigError(prefix(config) + "the key is the same as another client's");
        }
        if (!config.publik_orig.empty() && !origs.insert(config.publik_orig).second) {
            throw ConfigError(prefix(config) + "the Publik orig is another client's");
        }
        for (const auto& right : config.rights) {
            if (std::find(known.begin(), known.end(), right) == known.end()) {
                throw ConfigError(prefix(config) + "unknown right '" + right + "'");
            }
        }
        clients_.emplace_back(config);
        secrets_->publik.push_back(config.publik_secret);
        secrets_->hmac.push_back(config.hmac_secret);
    }
}

Authenticator::~Authenticator() = default;
Authenticator::Authenticator(Authenticator&&) noexcept = default;
Authenticator& Authenticator::operator=(Authenticator&&) noexcept = default;

const Caller* Authenticator::authenticate(std::string_view authorization) const {
    authorization = common::trim(authorization);
    const auto space = authorization.find_first_of(" \t");
    if (space == std::string_view::npos) return nullptr;
    const std::string_view scheme = authorization.substr(0, space);
    std::string_view key = common::trim(authorization.substr(space + 1));
    // Basic, for callers that can only be given a URL (a Démarches Simplifiées webhook:
    // `https://<client>:<key>@host/…`): the password is the API key; the user name, when
    // given, must be the client's name.
    std::string basic;
    std::string_view user;
    if (common::equalsIgnoreCase(scheme, "basic")) {
        if (key.size() > 2 * kMaxKeyLength || !common::base64Decode(key, basic)) return nullptr;
        const auto colon = basic.find(':');
        if (colon == std::string::npos) return nullptr;
        user = std::string_view(basic).substr(0, colon);
        key = std::string_view(basic).substr(colon + 1);
    } else if (!common::equalsIgnoreCase(scheme, "bearer")) {
        return nullptr;
    }
    if (key.empty() || key.size() > kMaxKeyLength ||
        key.find_first_of(" \t") != std::string_view::npos) {
        return nullptr;
    }

    // Every digest is compared, whatever matched before, and the winner is selected with
    // arithmetic rather than a branch: the time taken says nothing about which client (or
    // whether any) holds the key. Clients without a key have an empty digest, which a
    // 64-digit digest never equals.
    const std::string digest = common::sha256Hex(key);
    std::size_t found = 0;  // index + 1; 0: none
    for (std::size_t i = 0; i < clients_.size(); ++i) {
        const auto equal =
            static_cast<std::size_t>(common::constantTimeEquals(digest, clients_[i].key_sha256_));
        const std::size_t mask = std::size_t{0} - equal;  // all ones when equal
        found = (found & ~mask) | ((i + 1) & mask);
    }
    if (found == 0) return nullptr;
    const Caller* client = &clients_[found - 1];
    if (!user.empty() && user != client->name()) return nullptr;
    return client;
}

Authentication Authenticator::authenticate(const Credentials& credentials) const {
    Authentication outcome;
    const Caller* found = nullptr;
    // Each presented credential must hold, and name the same client as the others.
    const auto agree = [&](const Caller* client) {
        if (found != nullptr && client != found) {
            outcome.failure = "the credentials presented belong to different clients";
            return false;
        }
        found = client;
        return true;
    };

    if (!credentials.certificate_sha256.empty()) {
        const Caller* client =
            certificateClient(credentials.certificate_sha256, credentials.certificate_cn);
        // A certificate no client claims is not a failure by itself: the CA vouches for the
        // connection, not for a client; another credential may still name one.
        if (client != nullptr && !agree(client)) return outcome;
    }
    if (!credentials.authorization.empty()) {
        const Caller* client = authenticate(credentials.authorization);
        if (client == nullptr) {
            outcome.failure = "the credentials are not a valid API key";
            return outcome;
        }
        if (!agree(client)) return outcome;
    }
    if (hasSignatureParam(credentials.raw_query)) {
        auto client = publikClient(credentials.raw_query);
        if (!client) {
            outcome.failure = client.error().message;
            return outcome;
        }
        if (!agree(*client)) return outcome;
    }
    if (!credentials.signature_header.empty() || !credentials.client_header.empty()) {
        auto client = hmacClient(credentials.client_header, credentials.signature_header);
        if (!client) {
            outcome.failure = client.error().message;
            return outcome;
        }
        if (!agree(*client)) return outcome;
        outcome.body_signature_pending = true;
    }
    outcome.client = found;
    return outcome;
}

sdk::Result<const Caller*> Authenticator::publikClient(std::string_view raw_query) const {
    const auto* secrets = secrets_.get();
    const Caller* client = nullptr;
    auto verified = publik::verifyQuery(
        raw_query,
        [&](std::string_view orig) -> std::optional<std::string> {
            for (std::size_t i = 0; i < clients_.size(); ++i) {
                if (!clients_[i].publik_orig_.empty() && clients_[i].publik_orig_ == orig) {
                    client = &clients_[i];
                    return secrets->publik[i];
                }
            }
            return std::nullopt;
        },
        clock_(), window_seconds_);
    if (!verified) return std::move(verified).error();
    if (auto fresh = remember("publik:" + verified->orig + ":" + verified->nonce); !fresh) {
        return std::move(fresh).error();
    }
    return client;
}

sdk::Result<const Caller*> Authenticator::hmacClient(std::string_view name,
                                                     std::string_view header) const {
    if (name.empty()) {
        return unauthorized("X-Relais-Signature needs X-Relais-Caller naming the client");
    }
    if (header.empty()) {
        return unauthorized("X-Relais-Caller needs X-Relais-Signature signing the body");
    }
    const Caller* client = find(name);
    const auto index =
        client == nullptr ? clients_.size() : static_cast<std::size_t>(client - clients_.data());
    if (client == nullptr || secrets_->hmac[index].empty()) {
        return unauthorized("no client signs its requests under this X-Relais-Caller name");
    }
    const auto parsed = parseBodySignature(header);
    if (!parsed) {
        return unauthorized(
            "X-Relais-Signature must be 't=<unix seconds>,v1=<64 hexadecimal digits>'");
    }
    const auto skew = parsed->timestamp - clock_();
    if (skew > window_seconds_ || skew < -window_seconds_) {
        return unauthorized("the signature's timestamp is more than " +
                            std::to_string(window_seconds_) +
                            " seconds away from the server's clock");
    }
    return client;
}

sdk::Result<void> Authenticator::verifyBody(const Caller& client, std::string_view signature_header,
                                            std::string_view body) const {
    const auto index = static_cast<std::size_t>(&client - clients_.data());
    const auto parsed = parseBodySignature(signature_header);
    if (index >= clients_.size() || !parsed || secrets_->hmac[index].empty()) {
        return unauthorized("the body signature cannot be checked");
    }
    const std::string timestamp = std::to_string(parsed->timestamp);
    std::string signed_text;
    signed_text.reserve(timestamp.size() + 1 + body.size());
    signed_text.append(timestamp).append(".").append(body);
    const std::string expected =
        common::toHex(common::hmac("sha256", secrets_->hmac[index], signed_text));
    if (!common::constantTimeEquals(expected, parsed->v1)) {
        return unauthorized("the body signature does not match the body");
    }
    if (auto fresh = remember("hmac:" + client.name() + ":" + parsed->v1); !fresh) {
        return std::move(fresh).error();
    }
    return {};
}

const Caller* Authenticator::certificateClient(std::string_view sha256, std::string_view cn) const {
    // A pinned fingerprint names one certificate; a common name, any the CA issues under it:
    // the more precise wins when both match.
    for (const auto& client : clients_) {
        if (!client.certificate_sha256_.empty() && client.certificate_sha256_ == sha256) {
            return &client;
        }
    }
    for (const auto& client : clients_) {
        if (!client.certificate_cn_.empty() && !cn.empty() && client.certificate_cn_ == cn) {
            return &client;
        }
    }
    return nullptr;
}

sdk::Result<void> Authenticator::remember(const std::string& nonce) const {
    const std::int64_t now = clock_();
    constexpr std::int64_t kMicros = 1'000'000;
    // Remembered as long as a timestamp could still be accepted: the window on both sides.
    auto fresh = replay_guard_(nonce, now * kMicros, (now + 2 * window_seconds_ + 1) * kMicros);
    if (!fresh) {
        return unauthorized("the signature's nonce cannot be checked for replay now; retry");
    }
    if (!*fresh) return unauthorized("this signature was already used (a replayed request)");
    return {};
}

const Caller* Authenticator::find(std::string_view name) const noexcept {
    for (const auto& client : clients_) {
        if (client.name_ == name) return &client;
    }
    return nullptr;
}

}  // namespace relais::http
