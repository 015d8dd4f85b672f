// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "relais/sdk/visibility.h"

/// @file
/// Percent-encoding (RFC 3986 §2.1) and form encoding (`application/x-www-form-urlencoded`,
/// Python's `quote_plus`), shared by the core and every plugin instead of copied. Hex
/// digits are written uppercase and read in either case.
///
/// Threading: every function is thread-safe and keeps no state. Nothing returned refers to
/// the arguments.

namespace relais::sdk::url {

/// `text` with every byte but the RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`)
/// written `%XX`, so that a value stays inside its path segment or query value: `/`, `?`,
/// `#`, `&`, `=`, `%` and `+` are encoded too. With `space_as_plus` a space becomes `+`
/// (form encoding, Python's `quote_plus`) instead of `%20`.
RELAIS_SDK_API std::string percentEncode(std::string_view text, bool space_as_plus = false);

/// `text` with only its bytes above 0x7F (UTF-8) written `%XX`, everything else as written:
/// what an HTTP client does to a URL the caller already encoded, so that it goes on the
/// wire (and is signed) as ASCII without changing what it means.
RELAIS_SDK_API std::string percentEncodeNonAscii(std::string_view text);

/// `text` with each `%XX` replaced by its byte (and, with `plus_as_space`, each `+` by a
/// space), or nullopt when a `%` is not followed by two hex digits. Strict: for what a
/// client sent, where a malformed escape is an error to report.
RELAIS_SDK_API std::optional<std::string> percentDecode(std::string_view text,
                                                        bool plus_as_space = false);

/// Like `percentDecode`, but lenient: a `%` not followed by two hex digits is kept as
/// written. For reading what a server or a configuration wrote, where a best effort is
/// enough. Never fails.
RELAIS_SDK_API std::string percentDecodeLenient(std::string_view text, bool plus_as_space = false);

}  // namespace relais::sdk::url
