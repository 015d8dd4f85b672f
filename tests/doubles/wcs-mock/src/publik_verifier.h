// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

/// @file
/// The Publik query-signature check as a w.c.s. site does it (`wcs/api_utils.py`
/// `is_url_signed`), written again on OpenSSL's libcrypto so that it checks relais's own
/// signing code instead of sharing it.

namespace relais::wcs_mock {

/// Outcome of a check: empty `error` when the query is validly signed.
struct SignatureCheck {
    bool ok = false;
    std::string orig;   ///< the caller, when `ok`
    std::string error;  ///< w.c.s.'s own wording (`Invalid signature.`…)
};

/// Verifies signed query strings against a table `orig → shared secret`.
///
/// Threading: `check` may run concurrently; `mutex_` guards the nonces seen.
class PublikVerifier {
public:
    /// `window_seconds`: how far a timestamp may lie in the past or the future, and how long
    /// a nonce is remembered (w.c.s.'s `DEFAULT_DURATION`, 30 s).
    PublikVerifier(std::map<std::string, std::string> secrets, int window_seconds);

    /// Checks the raw query (what follows `?`, still percent-encoded) at `now_unix`: `orig`
    /// exactly once and known, `algo` exactly once and one of sha1/sha256/sha512, the
    /// signature the last parameter and equal to the HMAC of everything before
    /// `&signature=`, the timestamp within the window, the nonce not seen within it.
    SignatureCheck check(std::string_view raw_query, std::int64_t now_unix);

    /// Whether the query carries a `signature` parameter at all.
    static bool isSigned(std::string_view raw_query);

private:
    std::map<std::string, std::string> secrets_;
    int window_seconds_;
    std::mutex mutex_;                            // guards nonces_
    std::map<std::string, std::int64_t> nonces_;  // nonce → expiry (unix seconds)
};

/// `application/x-www-form-urlencoded` decoding (`+` is a space), as a query is read.
std::string formDecode(std::string_view text);

/// The HMAC of `data` keyed with `key` as standard padded base64 (libcrypto directly), or
/// empty for an algorithm other than sha1/sha256/sha512.
std::string hmacBase64(std::string_view algo, std::string_view key, std::string_view data);

/// Parses `YYYY-MM-DDTHH:MM:SSZ` into unix seconds; false when malformed.
bool parseUtcTimestamp(std::string_view text, std::int64_t& unix_seconds);

}  // namespace relais::wcs_mock
