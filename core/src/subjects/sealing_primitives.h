// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include <openssl/evp.h>

#include "relais/subjects/attribute_sealing.h"

/// @file
/// Private to relais_subjects: the AES-256-GCM primitives of the sealed format
/// (`attribute_sealing.h`), shared by the key ring and the known-answer entry point.

namespace relais::subjects::detail {

/// AES-256: 32-byte keys.
inline constexpr std::size_t kKeySize = 32;
inline constexpr std::size_t kOverhead = kSealVersionSize + kSealIvSize + kSealTagSize;

struct ContextDeleter {
    void operator()(EVP_CIPHER_CTX* ctx) const noexcept { EVP_CIPHER_CTX_free(ctx); }
};
using Context = std::unique_ptr<EVP_CIPHER_CTX, ContextDeleter>;

inline const unsigned char* bytesOf(std::string_view text) noexcept {
    return reinterpret_cast<const unsigned char*>(text.data());
}

inline unsigned char* bytesOf(std::string& text) noexcept {
    return reinterpret_cast<unsigned char*>(text.data());
}

/// A new cipher context; throws `std::runtime_error` when OpenSSL cannot allocate one.
Context newContext();

// OpenSSL lengths are ints; attribute values are far smaller, but check rather than wrap.
bool fitsInt(std::string_view text) noexcept;

// Returns version || iv || ciphertext || tag, encrypting with `ctx`, already keyed. Throws
// std::runtime_error when OpenSSL fails (an allocation failure or a broken provider: not a
// property of the input); `ctx` must not be reused then.
std::string encryptWith(EVP_CIPHER_CTX* ctx, const unsigned char* iv, std::string_view plaintext,
                        std::string_view aad);

}  // namespace relais::subjects::detail
