// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "relais/sdk/result.h"
#include "relais/subjects/attribute_sealing.h"

/// @file
/// Encryption of personal attribute values at rest: AES-256-GCM with named keys read from
/// files, one of them current (used to seal), the others kept to open older values. The
/// sealed format and the AAD that binds a value to its row are in `attribute_sealing.h`.

namespace relais::subjects {

/// Where a key comes from: its id (what is stored next to every value it sealed:
/// `[A-Za-z0-9._-]`, 1 to 64 characters) and the file holding it.
struct KeySpec {
    std::string id;
    std::string file;
};

/// Named AES-256 keys, one of them current.
///
/// Ownership and lifetime: owns copies of the key bytes, wiped with `OPENSSL_cleanse` when
/// the ring is destroyed (intermediate buffers used while loading are wiped too). Movable,
/// not copyable, so that key bytes are never duplicated; share one ring as
/// `std::shared_ptr<const KeyRing>`. A moved-from ring holds no key: `seal` throws
/// `std::logic_error`, `open` answers `NotFound`.
///
/// Rotation: load a new ring with the new key as current and the old ones still listed;
/// values sealed with an old key keep opening until they are re-sealed and the key removed.
///
/// Threading: the keys are immutable after `load`; `seal` and `open` may run concurrently
/// from any number of threads. Each call borrows a cipher context already keyed for its
/// key from a small per-key pool (guarded by a mutex held only to take or give back a
/// context) instead of keying a new one: on the prefill hot path this saves the AES key
/// expansion and GHASH set-up, about a third of the cost of opening a short value.
class KeyRing {
public:
    /// Reads every key file and checks the set. Each file holds the 32-byte key as 64 hex
    /// characters, as 44 base64 characters (trailing white space allowed after either), or
    /// as exactly 32 raw bytes. Throws `relais::ConfigError` (message naming the key id and
    /// the file, never key material) when: the list is empty; an id is malformed or listed
    /// twice; a file is missing, unreadable or not a regular file; a file is readable or
    /// writable by its group or others (mode & 077 != 0: a key file must be private to the
    /// service account, e.g. 0400 or 0600); the content has another length or is not valid
    /// hex/base64; the key is all zeros (a placeholder); `current_id` is not one of the ids.
    static KeyRing load(const std::vector<KeySpec>& keys, const std::string& current_id);

    KeyRing(KeyRing&& other) noexcept;
    KeyRing& operator=(KeyRing&& other) noexcept;
    KeyRing(const KeyRing&) = delete;
    KeyRing& operator=(const KeyRing&) = delete;
    ~KeyRing();

    /// Id of the key `seal` uses (empty for a moved-from ring).
    const std::string& currentId() const noexcept { return current_id_; }

    /// True when a key of that id is loaded.
    bool hasKey(std::string_view key_id) const noexcept;

    /// Encrypts `plaintext` with the current key, a fresh random IV and `aad` (authenticated,
    /// not stored). Throws `std::runtime_error` only if OpenSSL or the system RNG fails
    /// (a broken system, not bad input), `std::length_error` for a value or AAD over 2 GiB,
    /// `std::logic_error` on a moved-from ring.
    Sealed seal(std::string_view plaintext, std::string_view aad) const;

    /// Decrypts and authenticates `sealed` with key `key_id` and `aad`. Errors (none of
    /// them is the fault of an API client: surface them as 500):
    /// - `NotFound` (field `key_id`): no key of that id in the ring (a retired key removed
    ///   while values still use it);
    /// - `InvalidArgument`: shorter than the 29-byte minimum or unknown version byte;
    /// - `Internal`: authentication failed (altered bytes, another AAD or another key).
    /// Never returns partial plaintext: on failure the decrypted bytes are wiped.
    sdk::Result<std::string> open(std::string_view key_id, std::string_view sealed,
                                  std::string_view aad) const;

    /// 32 random bytes (RAND_bytes) as 64 lowercase hex characters: a new key for
    /// `relais keys generate`. Throws `std::runtime_error` if the RNG fails.
    static std::string generateKeyHex();

private:
    struct State;
    explicit KeyRing(std::unique_ptr<State> state) noexcept;

    std::unique_ptr<State> state_;
    std::string current_id_;
};

}  // namespace relais::subjects
