// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

/// @file
/// Credentials encodings of the REST connector, over OpenSSL's libcrypto.
///
/// The plugin calls OpenSSL directly rather than linking the core's `relais_common`: a
/// plugin may use the SDK and system libraries only (core internals have no stable
/// interface, and a plugin built out of tree does not have them), and libcrypto is already
/// in the process through the host's TLS.

namespace relais::plugins::rest {

/// Name of the signature header sent with `auth=hmac`.
inline constexpr std::string_view kSignatureHeader = "X-Relais-Signature";

/// Lowercase hex of HMAC-SHA256(`key`, `data`).
std::string hmacSha256Hex(std::string_view key, std::string_view data);

/// The value of `X-Relais-Signature` for `body` sent at `unix_seconds`:
/// `t=<unix_seconds>,v1=<hex(HMAC-SHA256(secret, "<unix_seconds>." + body))>`.
std::string signatureValue(std::string_view secret, std::int64_t unix_seconds,
                           std::string_view body);

/// Standard base64 with padding (RFC 4648 §4), for `Authorization: Basic`.
std::string base64(std::string_view bytes);

}  // namespace relais::plugins::rest
