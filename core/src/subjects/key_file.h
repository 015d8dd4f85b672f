// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include <openssl/crypto.h>

#include "relais/subjects/attribute_key_ring.h"

#include "subjects/sealing_primitives.h"

/// @file
/// Private to relais_subjects: reading and checking the key files of the attribute key
/// ring.

namespace relais::subjects::detail {

using KeyBytes = std::array<unsigned char, kKeySize>;

// Wipes a buffer that held key material on every way out of a scope.
template <typename Buffer>
class WipeOnExit {
public:
    explicit WipeOnExit(Buffer& buffer) noexcept : buffer_(buffer) {}
    WipeOnExit(const WipeOnExit&) = delete;
    WipeOnExit& operator=(const WipeOnExit&) = delete;
    ~WipeOnExit() { OPENSSL_cleanse(buffer_.data(), buffer_.size()); }

private:
    Buffer& buffer_;
};

/// Throws `ConfigError` naming the key id and its file, never key material.
[[noreturn]] void refuse(const KeySpec& spec, const std::string& what);

/// `[A-Za-z0-9._-]`, 1 to 64 characters.
bool validKeyId(std::string_view id) noexcept;

/// Reads, checks and decodes one key file into `key` (see `KeyRing::load` for the rules).
/// Every buffer that held key material is wiped before returning or throwing.
void readKeyFile(const KeySpec& spec, KeyBytes& key);

/// True for an all-zero key (a placeholder).
bool allZero(const KeyBytes& key) noexcept;

}  // namespace relais::subjects::detail
