// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "relais/sdk/http_client.h"
#include "relais/sdk/json.h"
#include "relais/sdk/time.h"

#include "rest_config.h"

/// @file
/// Reading a business application's answer: Retry-After, a safe excerpt of the body for
/// messages, and the identifiers relais keeps. Pure functions, no I/O.

namespace relais::plugins::rest {

/// Longest wait taken from a Retry-After header: a day. A longer (or hostile) value must
/// not park a dossier for weeks; the core's own backoff takes over after that.
inline constexpr int kMaxRetryAfterSeconds = 86'400;

/// Seconds to wait according to a Retry-After value: delay-seconds (`120`), or an
/// IMF-fixdate (`Wed, 21 Oct 2015 07:28:00 GMT`) relative to `now`. 0 (no advice) when
/// empty, malformed or in the past; at most `kMaxRetryAfterSeconds`.
int retryAfterSeconds(std::string_view value, sdk::Timestamp now);

/// A short, printable excerpt of a response body for an error message: every `masked`
/// value replaced by `***` (over the whole body, before cutting), runs of control
/// characters (C0, DEL, C1) and invalid UTF-8 replaced by one space or `?`, white space
/// collapsed, cut to at most `max_bytes` bytes on a character boundary.
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
