// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "relais/sdk/result.h"

/// @file
/// Credentials encodings of the REST connector.
///
/// The signatures themselves (`auth=hmac`, `auth=publik`) and base64 are the SDK's
/// (relais/sdk/signing.h), shared with the core: a plugin may use the SDK and system
/// libraries only (core internals have no stable interface, and a plugin built out of tree
/// does not have them).

namespace relais::plugins::rest {

/// Query parameters that `publikSignUrl` adds itself, and that a URL must not carry.
inline constexpr std::string_view kPublikParameters[] = {"orig", "algo", "timestamp", "nonce",
                                                         "signature"};

/// The name of the first parameter of `url`'s query that is one of `kPublikParameters`
/// (names compared after percent-decoding), or empty. A fragment is ignored.
std::string publikParameterIn(std::string_view url);

/// `url` signed the Publik way for caller `orig`: its fragment dropped (never sent),
/// `orig=<orig>` (percent-encoded) appended to its query, every byte of the query above
/// 0x7F percent-encoded (as the host's HTTP client sends it, so that the signed bytes are
/// the bytes sent), then `algo`, `timestamp`, `nonce` and `signature` appended by
/// `sdk::signing::publikSignQuery`. `InvalidArgument` naming `url` when the query already
/// holds one of `kPublikParameters` (a verifier refuses a repeated one), or naming the
/// field of `publikSignQuery`'s error.
sdk::Result<std::string> publikSignUrl(std::string_view url, std::string_view orig,
                                       std::string_view secret, std::string_view algo,
                                       std::int64_t unix_seconds, std::string_view nonce);

}  // namespace relais::plugins::rest
