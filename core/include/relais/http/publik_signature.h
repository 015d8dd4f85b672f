// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "relais/sdk/result.h"

/// @file
/// The Publik request signature (w.c.s., combo, Passerelle), so that Publik calls relais as
/// it calls Passerelle, and relais calls w.c.s. the same way.
///
/// Signing: to the query string as it will be sent (it usually holds `orig=<caller>`
/// already) append, form-URL-encoded, `algo=<sha1|sha256|sha512>`,
/// `timestamp=<UTC %Y-%m-%dT%H:%M:%SZ>` (its colons travel and are signed as `%3A`) and
/// `nonce=<random>`; compute the HMAC with the shared secret over the query as it then
/// stands, and append `&signature=` and the standard base64 of the HMAC, URL-quoted (`+` as
/// `%2B`, `=` as `%3D`, `/` kept). Only the query is covered: method, path and body are not.

namespace relais::http::publik {

/// Appends `algo`, `timestamp` (from `unix_seconds`), `nonce` and `signature` to `query`
/// (which may be empty). Throws `std::invalid_argument` for an algorithm other than sha1,
/// sha256 or sha512.
std::string signQuery(std::string_view query, std::string_view secret, std::string_view algo,
                      std::int64_t unix_seconds, std::string_view nonce);

/// A new nonce: 128 random bits as 32 lowercase hexadecimal digits.
std::string newNonce();

/// What a valid signature established.
struct VerifiedQuery {
    std::string orig;            ///< the caller, which selected the secret
    std::string nonce;           ///< to remember until the window closes (replay protection)
    std::int64_t timestamp = 0;  ///< unix seconds
};

/// Checks the signature of `raw_query` (as received, percent-encoded). `secret_for` gives
/// the secret shared with an `orig`, or nothing for an unknown caller. Refused, each with an
/// `Unauthorized` error whose message says why (never a secret or the expected signature):
/// no or repeated `orig`, `algo`, `timestamp`, `nonce` or `signature`; an unknown `orig`; an
/// algorithm other than sha1/sha256/sha512; a timestamp not in the form above or more than
/// `window_seconds` away from `now_seconds`; `signature` not the last parameter or not
/// base64; an HMAC over the bytes before `&signature=` that differs (compared in constant
/// time). The nonce is not checked against earlier ones here: the caller remembers it
/// (shared store) and refuses a replay.
sdk::Result<VerifiedQuery> verifyQuery(
    std::string_view raw_query,
    const std::function<std::optional<std::string>(std::string_view orig)>& secret_for,
    std::int64_t now_seconds, std::int64_t window_seconds = 30);

}  // namespace relais::http::publik
