// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

/// @file
/// The sealed format of personal attribute values at rest (AES-256-GCM; the keys are in
/// `attribute_key_ring.h`).
///
/// Sealed format (version 1): `0x01 || IV (12 random bytes) || ciphertext || tag (16 bytes)`;
/// the ciphertext has the plaintext's length. The key id is not inside: the caller stores it
/// next to the blob (see `Sealed`). Callers bind each value to its place with the AAD
/// `attributeAad(subject id, attribute name)`, so a blob copied to another row or another
/// attribute does not open. Random 96-bit IVs: keep under 2^32 seals per key (NIST SP
/// 800-38D §8.3), i.e. rotate keys long before that.

namespace relais::subjects {

/// A sealed value and the id of the key that sealed it.
struct Sealed {
    std::string key_id;
    std::string bytes;
};

/// The AAD that binds an attribute value to its row: `subject_id + '\x1f' + attribute`.
std::string attributeAad(std::string_view subject_id, std::string_view attribute);

namespace detail {

/// Size of the fixed parts of a sealed value.
inline constexpr std::size_t kSealVersionSize = 1;
inline constexpr std::size_t kSealIvSize = 12;
inline constexpr std::size_t kSealTagSize = 16;
inline constexpr unsigned char kSealVersion = 0x01;

/// The sealing primitive with a caller-chosen IV, exposed for known-answer tests only:
/// production code must use `KeyRing::seal` (a repeated IV under one key breaks GCM).
/// `key` must be 32 bytes and `iv` 12 bytes (`std::invalid_argument` otherwise).
std::string sealWithIv(std::string_view key, std::string_view iv, std::string_view plaintext,
                       std::string_view aad);

}  // namespace detail

}  // namespace relais::subjects
