// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "relais/config/config.h"
#include "relais/http/caller.h"
#include "relais/sdk/result.h"

/// @file
/// The authenticator that finds the API caller (`caller.h`) of a request from its credentials.

namespace relais::http {

/// What a request presents to say who sends it. Views into the request; any may be empty.
struct Credentials {
    std::string_view authorization;       ///< `Authorization` header value
    std::string_view raw_query;           ///< as received: a Publik signature lives there
    std::string_view client_header;       ///< `X-Relais-Caller`
    std::string_view signature_header;    ///< `X-Relais-Signature`
    std::string_view certificate_sha256;  ///< verified TLS client certificate (DER, hex)
    std::string_view certificate_cn;      ///< its common name
};

/// The outcome of `Authenticator::authenticate`.
struct Authentication {
    const Caller* client = nullptr;  ///< null: refused (or nothing presented)
    /// Why the credentials were refused, for the 401 (never a secret or an expected value);
    /// empty with a null client when no credential was presented at all.
    std::string failure;
    /// The client signed its body (`X-Relais-Signature`): `verifyBody` must accept the body
    /// before the request is handled.
    bool body_signature_pending = false;
};

/// Finds who sends a request, by any of its credentials:
/// - a bearer key (`Authorization: Bearer <key>`): keys are kept as SHA-256 digests only;
///   the presented key is hashed and compared with every client's digest in constant time
///   (no early exit), so neither timing nor a leaked config reveals a key;
/// - a Publik query signature (`orig`, `algo`, `timestamp`, `nonce`, `signature`, see
///   `publik_signature.h`): the secret is the one of the client whose `<publik orig>`
///   matches; the timestamp must be within the window and the nonce new;
/// - an HMAC body signature (`X-Relais-Caller: <name>` and `X-Relais-Signature:
///   t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`): the timestamp is
///   checked first, the HMAC once the body is read (`verifyBody`), then the signature is
///   remembered as a nonce;
/// - a client certificate verified by the TLS layer, by SHA-256 fingerprint or common name.
/// Every credential presented must be valid, and all must name the same client.
///
/// Nonces go through the replay guard (the store's shared nonce table in the daemon, so
/// that a request replayed to another instance is refused too), remembered until the
/// window has passed.
///
/// Thread-safety: immutable after construction, except the replay guard, which must be
/// thread-safe (the default in-memory one is).
class Authenticator {
public:
    /// Remembers `nonce` until `expires_micros`: true when new, false when seen before
    /// (a replay); an error when it cannot tell (then the request is refused).
    using ReplayGuard = std::function<sdk::Result<bool>(
        const std::string& nonce, std::int64_t now_micros, std::int64_t expires_micros)>;
    /// The clock of signature checks, in unix seconds (replaceable for tests).
    using Clock = std::function<std::int64_t()>;

    /// Throws `ConfigError` naming the client for a duplicate name, key or orig, a malformed
    /// digest or an unknown right. Without `replay_guard`, nonces are remembered in memory
    /// (enough for one instance).
    explicit Authenticator(const std::vector<config::ClientConfig>& clients,
                           std::int64_t window_seconds = 30, ReplayGuard replay_guard = {},
                           Clock clock = {});
    ~Authenticator();
    Authenticator(Authenticator&&) noexcept;
    Authenticator& operator=(Authenticator&&) noexcept;

    /// The client for an `Authorization` header value (`Bearer <key>`), or null.
    const Caller* authenticate(std::string_view authorization) const;
    /// The client of a request's credentials (all of them checked; see the class comment).
    Authentication authenticate(const Credentials& credentials) const;
    /// Checks the body signature of a request `authenticate` left pending for `client`:
    /// `Unauthorized` when the HMAC differs or the signature was seen before.
    sdk::Result<void> verifyBody(const Caller& client, std::string_view signature_header,
                                 std::string_view body) const;

    const Caller* find(std::string_view name) const noexcept;
    const std::vector<Caller>& clients() const noexcept { return clients_; }
    std::int64_t windowSeconds() const noexcept { return window_seconds_; }

private:
    struct Secrets;
    sdk::Result<const Caller*> publikClient(std::string_view raw_query) const;
    sdk::Result<const Caller*> hmacClient(std::string_view name, std::string_view header) const;
    const Caller* certificateClient(std::string_view sha256, std::string_view cn) const;
    sdk::Result<void> remember(const std::string& nonce) const;

    std::vector<Caller> clients_;
    std::unique_ptr<Secrets> secrets_;  ///< by client index; kept out of `Caller`
    std::int64_t window_seconds_;
    ReplayGuard replay_guard_;
    Clock clock_;
};

}  // namespace relais::http
