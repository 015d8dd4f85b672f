// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

/// @file
/// Small cryptographic helpers over OpenSSL: digests, HMAC, randomness, constant-time
/// comparison, identifiers.

namespace relais::common {

/// SHA-256 of `data`, as raw bytes (32) or lowercase hex (64 characters).
std::string sha256(std::string_view data);
std::string sha256Hex(std::string_view data);

/// HMAC of `data` keyed with `key`. `algorithm` is `sha1`, `sha256` or `sha512`; any other
/// name gives an empty string. Raw bytes.
std::string hmac(std::string_view algorithm, std::string_view key, std::string_view data);

/// Lowercase hex of raw bytes, and back (empty on malformed input).
std::string toHex(std::string_view bytes);
std::string fromHex(std::string_view hex);

/// Standard base64 with padding, and back (empty optional-like: `ok` false on bad input).
std::string base64Encode(std::string_view bytes);
bool base64Decode(std::string_view text, std::string& out);

/// Compares two byte strings in time that depends on their lengths only.
bool constantTimeEquals(std::string_view a, std::string_view b) noexcept;

/// `count` bytes from the OS CSPRNG (OpenSSL RAND_bytes). Throws on RNG failure, which
/// only happens when the system is broken.
std::string randomBytes(std::size_t count);

/// A random (version 4) UUID in canonical lowercase form. For identifiers whose creation
/// time is nobody's business (subjects).
std::string uuidV4();

/// A time-ordered (version 7, RFC 9562 §5.7) UUID in canonical lowercase form: 48 bits of
/// Unix milliseconds, 12 bits of sub-millisecond clock (§6.2 method 3), 62 random bits.
/// Strictly increasing within the process, so that rows keyed by these ids are appended to
/// the end of their indexes instead of dirtying a random page of each one per insert. For
/// the store's own records (dossiers, events, jobs), whose creation time is in the row
/// anyway.
std::string uuidV7();

}  // namespace relais::common
