// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "relais/sdk/result.h"
#include "relais/sdk/visibility.h"

/// @file
/// Request signatures a plugin sends, computed by the SDK (over the host's libcrypto) so
/// that the core and every plugin share one implementation, checked against vectors from
/// the OpenSSL command line.
///
/// Threading: every function is thread-safe and keeps no state. Nothing returned refers to
/// the arguments. The secrets passed in are neither logged nor copied anywhere else.

namespace relais::sdk::signing {

/// Header carrying `bodySignature` (`auth=hmac` of the REST connector).
inline constexpr std::string_view kBodySignatureHeader = "X-Relais-Signature";

/// Signs a query string the way Publik (w.c.s., combo, Passerelle) does: to `query` (as it
/// will be sent, already percent-encoded, usually holding `orig=<caller>`; may be empty)
/// appends, form-URL-encoded as Python's `urlencode` does, `algo=<algo>`,
/// `timestamp=<UTC %Y-%m-%dT%H:%M:%SZ of unix_seconds>` (its colons travel, and are
/// signed, as `%3A`) and `nonce=<nonce>`; computes the HMAC keyed with `secret` over the
/// query as it then stands; appends `&signature=` and the standard base64 of the HMAC,
/// URL-quoted (`+` as `%2B`, `=` as `%3D`, `/` kept). Only the query is covered, not the
/// method, path or body.
///
/// `algo` is `sha1`, `sha256` or `sha512`; anything else is `InvalidArgument` (field
/// `algo`, message naming the algorithm). `unix_seconds` outside 1970-01-01T00:00:00Z …
/// 9999-12-31T23:59:59Z (which the timestamp format cannot hold) is `InvalidArgument`
/// (field `timestamp`). Throws `std::runtime_error` only if libcrypto itself fails (a
/// broken system).
RELAIS_SDK_API Result<std::string> publikSignQuery(std::string_view query, std::string_view secret,
                                                   std::string_view algo, std::int64_t unix_seconds,
                                                   std::string_view nonce);

/// A new nonce: 128 bits from the OS CSPRNG (OpenSSL `RAND_bytes`) as 32 lowercase hex
/// digits. Throws `std::runtime_error` when the CSPRNG fails, which only happens on a
/// broken system (inside a plugin operation the SDK's shim turns it into `Internal`).
RELAIS_SDK_API std::string newNonce();

/// Standard base64 with padding (RFC 4648 §4), as signatures and `Authorization: Basic`
/// carry it.
RELAIS_SDK_API std::string base64(std::string_view bytes);

/// The bytes of standard padded base64 `text` (RFC 4648 §4), or nullopt when its length is
/// not a multiple of 4 or it holds a character outside the alphabet (white space
/// included): the inverse of `base64`.
RELAIS_SDK_API std::optional<std::string> base64Decode(std::string_view text);

/// The raw HMAC (RFC 2104) of `data` keyed with `key` (any length, empty included).
/// `algo` is `sha1`, `sha256` or `sha512`; any other name gives nullopt. Throws
/// `std::runtime_error` only if libcrypto itself fails.
RELAIS_SDK_API std::optional<std::string> hmac(std::string_view algo, std::string_view key,
                                               std::string_view data);

/// Lowercase hexadecimal of raw bytes, two digits a byte.
RELAIS_SDK_API std::string toHex(std::string_view bytes);

/// The bytes of hexadecimal `hex` (either case), or nullopt when its length is odd or it
/// holds anything but hex digits.
RELAIS_SDK_API std::optional<std::string> fromHex(std::string_view hex);

/// The value of `X-Relais-Signature` for `body` sent at `unix_seconds`:
/// `t=<unix_seconds>,v1=<lowercase hex of HMAC-SHA256(secret, "<unix_seconds>." + body)>`.
/// Throws `std::runtime_error` only if libcrypto itself fails.
RELAIS_SDK_API std::string bodySignature(std::string_view secret, std::int64_t unix_seconds,
                                         std::string_view body);

}  // namespace relais::sdk::signing
