// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "relais/sdk/http_client.h"
#include "relais/sdk/result.h"
#include "relais/sdk/settings.h"
#include "relais/sdk/time.h"
#include "relais/sdk/visibility.h"

/// @file
/// What every connector and adapter does around an HTTP call: reading its TLS settings,
/// reading `Retry-After`, classifying a status, quoting a safe excerpt of a body in an
/// error message. One implementation, so that a fix (a stricter date check, a control
/// character that forged a log line) reaches every plugin.
///
/// Threading: every function is thread-safe and keeps no state. Nothing returned refers to
/// the arguments.

namespace relais::sdk::http {

/// The TLS files of a plugin's settings, checked at configuration time so that a typo stops
/// the start instead of failing every call: `ca-file`, `client-certificate` and
/// `client-key` (each optional, empty when not given). `verify_peer` is left true. An
/// unreadable file, or a certificate without its key (or the reverse), is
/// `InvalidArgument` with the key as field and a message starting `<key>: `. The files are
/// only checked, not loaded: the host's HTTP client loads them (and notices a renewal).
RELAIS_SDK_API Result<TlsOptions> readTlsFiles(const Settings& settings);

/// Longest wait `retryAfterSeconds` returns by default: a day. A longer (or hostile) value
/// must not park a dossier for weeks; the core's own backoff takes over after that.
inline constexpr int kMaxRetryAfterSeconds = 86'400;

/// An IMF-fixdate (RFC 9110 §5.6.7), `Sun, 06 Nov 1994 08:49:37 GMT`, as Unix seconds.
/// nullopt unless the text is exactly that form (29 bytes, `GMT`), with a weekday name
/// that is the date's own weekday, a day that exists in its month (no 31 April, 29
/// February only in leap years), hours 0–23, minutes 0–59 and seconds 0–60. The obsolete
/// RFC 850 and asctime forms are refused.
RELAIS_SDK_API std::optional<std::int64_t> parseImfFixdate(std::string_view text) noexcept;

/// Seconds to wait according to a `Retry-After` value (RFC 9110 §10.2.3), spaces and tabs
/// around it ignored: delay-seconds (`120`), or an IMF-fixdate relative to `now`. 0 (no
/// advice) when empty, malformed or in the past; at most `max_seconds` (a run of digits too
/// long for 64 bits counts as "long": `max_seconds`).
RELAIS_SDK_API int retryAfterSeconds(std::string_view value, Timestamp now,
                                     int max_seconds = kMaxRetryAfterSeconds) noexcept;

/// 2xx: the request was handled.
RELAIS_SDK_API bool isSuccessStatus(int status) noexcept;

/// Statuses worth the same request again later: 408 Request Timeout, 425 Too Early
/// (RFC 8470), 429 Too Many Requests and every 5xx. Other 4xx mean the request itself is
/// wrong and retrying it cannot help.
RELAIS_SDK_API bool isRetryableStatus(int status) noexcept;

/// The class of a status for a metric label: `1xx` … `5xx`, or `other` outside 100–599.
RELAIS_SDK_API std::string statusClass(int status);

/// How `safeExcerpt` marks what it could not keep. The defaults suit an HTTP body.
struct ExcerptStyle {
    /// What stands for a byte that is not valid UTF-8 (RFC 3629: no overlong forms, no
    /// surrogates, nothing above U+10FFFF). Empty drops the byte.
    std::string_view invalid_byte = "?";
    /// Appended when the text was cut, if it fits within the limit.
    std::string_view ellipsis = "...";
};

/// A short, printable excerpt of `text` (a body, a reason phrase, a fault string) for an
/// error message that lands in logs, metrics and dead-letter reasons:
/// - every `masked` value (tokens, passwords, personal data; empty ones ignored) replaced
///   by `***` over the whole text before cutting, so a secret straddling the cut is masked;
/// - C0 controls, DEL, C1 controls (U+0080–U+009F), the line and paragraph separators
///   (U+2028, U+2029) and spaces collapsed into one space between words (none at either
///   end), so that no answer can forge a log line;
/// - invalid UTF-8 bytes replaced by `style.invalid_byte`;
/// - cut to at most `max_bytes` bytes on a character boundary, then `style.ellipsis` when
///   it fits.
RELAIS_SDK_API std::string safeExcerpt(std::string_view text,
                                       const std::vector<std::string>& masked,
                                       std::size_t max_bytes = 200, const ExcerptStyle& style = {});

}  // namespace relais::sdk::http
