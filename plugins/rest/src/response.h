// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "relais/sdk/http_client.h"
#include "relais/sdk/http_helpers.h"
#include "relais/sdk/json.h"
#include "relais/sdk/time.h"

#include "rest_config.h"

/// @file
/// Reading a business application's answer: Retry-After, a safe excerpt of the body for
/// messages, and the identifiers relais keeps. Pure functions, no I/O.

namespace relais::plugins::rest {

/// Longest wait taken from a Retry-After header: a day. A longer (or hostile) value must
/// not park a dossier for weeks; the core's own backoff takes over after that.
inline constexpr int kMaxRetryAfterSeconds = sdk::http::kMaxRetryAfterSeconds;

/// Seconds to wait according to a Retry-After value: `sdk::http::retryAfterSeconds`
/// capped at `kMaxRetryAfterSeconds`.
int retryAfterSeconds(std::string_view value, sdk::Timestamp now);

/// A short, printable excerpt of a response body for an error message:
/// `sdk::http::safeExcerpt` (masked values as `***`, controls collapsed, invalid UTF-8 as
/// `?`, cut on a character boundary with `...`).
std::string bodyExcerpt(std::string_view body, const std::vector<std::string>& masked,
                        std::size_t max_bytes = 200);

/// The identifier `locator` designates in a response, or nullopt with `problem` saying
/// why (absent, not a string or an integer, too long, control characters).
///
/// - `json:<path>`: `json` is the parsed body (null when the body is not JSON); a string
///   is taken as is, an integer in decimal.
/// - `header:<Name>`: the header's value, trimmed. `Location` and `Content-Location` hold
///   a URI reference (RFC 9110): their id is the last non-empty path segment,
///   percent-decoded (`/api/dossiers/2026-42?x=1` → `2026-42`). Other headers are taken
///   whole.
std::optional<std::string> findId(const IdLocator& locator, const sdk::HttpResponse& response,
                                  const sdk::Json* json, std::string& problem);

}  // namespace relais::plugins::rest
