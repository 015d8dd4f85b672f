// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "relais/sdk/attribute.h"
#include "relais/sdk/host.h"
#include "relais/sdk/http_client.h"
#include "relais/sdk/json.h"
#include "relais/sdk/result.h"
#include "relais/sdk/secrets.h"
#include "relais/sdk/settings.h"
#include "relais/sdk/time.h"

/// @file
/// What API Particulier and API Entreprise share: both are run by DINUM on the same
/// platform ("apistration"), take a bearer token and a `recipient` SIRET on every call, and
/// answer errors as `{"errors": [{code, title, detail, source, meta}]}`. Built as the static
/// library `relais_national_api` (plugins/national-api/CMakeLists.txt), which both plugins
/// link, so that the two cannot drift apart.

namespace relais::plugins::apistration {

/// Settings common to both APIs, validated. Immutable once built.
struct ApiConfig {
    std::string api_name;  ///< `API Particulier`, for messages
    std::string base_url;  ///< `https://particulier.api.gouv.fr`, no trailing slash
    std::string token;     ///< the bearer token (secret: never in a message or a log)
    std::string recipient;
    int timeout_ms = 10'000;
    int connect_timeout_ms = 5'000;
    sdk::TlsOptions tls;
    std::vector<std::string> warnings;  ///< for the start-up log, never secrets
};

/// Reads `base-url`, `token` (secret reference), `recipient`, `timeout`, `connect-timeout`,
/// `ca-file`, `client-certificate`, `client-key`. `InvalidArgument` naming the key for a
/// base URL with a query or fragment, a token that cannot be resolved or holds spaces or
/// control characters, a recipient that is not a valid SIRET, an unreadable TLS file.
sdk::Result<ApiConfig> buildApiConfig(std::string api_name, const sdk::Settings& settings,
                                      const sdk::Secrets& secrets);

/// 14 digits passing the Luhn check (La Poste's establishments, SIREN 356000000, use the
/// digit-sum-multiple-of-5 rule instead, as INSEE documents).
bool isValidSiret(std::string_view text) noexcept;
/// `n` ASCII digits.
bool isDigits(std::string_view text, std::size_t n) noexcept;
/// Printable ASCII without spaces: what an RFC 6750 bearer token is made of.
bool isBearerToken(std::string_view text) noexcept;

/// A query string under construction: `?a=1&b=2`, names and values percent-encoded.
class Query {
public:
    void add(std::string_view name, std::string_view value);
    /// `?…`, or empty when nothing was added.
    const std::string& text() const noexcept { return text_; }

private:
    std::string text_;
};

/// One GET to the API: `base_url + path + query`, `Authorization: Bearer <bearer>`,
/// `Accept: application/json`.
struct Call {
    std::string path;  ///< `/v3/dss/quotient_familial/identite`, already encoded
    Query query;
    std::string bearer;  ///< the token to send (the API token, or a FranceConnect one)
};

/// Sends `call` and returns the parsed JSON body of a 200. Everything else is an error whose
/// message starts with `<api> GET <base_url><path>` (never the query: it holds personal
/// data, never a token):
/// - transport failures keep the HTTP client's code (`Unavailable`, `Timeout`…);
/// - 400, 422 → `InvalidArgument`; 401, 403 → `Permanent` (bad token or missing scope);
///   404 → `NotFound`; 451 → `Permanent` (not open to disclosure); 409, 429, 500, 502 →
///   `Retryable`; 503 → `Unavailable`; 504 → `Timeout`; other 4xx → `Permanent`, other
///   5xx → `Retryable`;
/// - the message quotes each `errors[]` entry (`code title: detail`), sanitised;
/// - transient errors carry retry advice from `Retry-After` (seconds or HTTP date), else
///   `errors[].meta.retry_in`, else `RateLimit-Reset` (Unix time), capped at a day, and the
///   message says `Retry-After: N s` when the header was given;
/// - a 200 whose body is not a JSON object → `Permanent`.
sdk::Result<sdk::Json> get(sdk::HttpClient& http, const ApiConfig& config, const Call& call,
                           sdk::Timestamp now);

/// `get` through the plugin's host, measured and logged: the counter
/// `<metric_prefix>_calls_total{endpoint, result}` and the histogram
/// `<metric_prefix>_call_seconds{endpoint}`, and a log line naming the endpoint and the
/// result (debug when answered or not found, warn otherwise) — never the parameters, which
/// are personal data.
sdk::Result<sdk::Json> instrumentedGet(sdk::Host& host, const ApiConfig& config, const Call& call,
                                       std::string_view endpoint, std::string_view metric_prefix);

/// The error for a 200 answer to `path` that lacks `what`: `Permanent`,
/// `<api> GET <base_url><path> answered 200 without <what>`.
sdk::Error malformedAnswer(const ApiConfig& config, std::string_view path, const std::string& what);

/// The `data` object of `answer` (what `get` or `instrumentedGet` returned for `path`): a
/// copy of the object; nullopt after a `NotFound`, the first of which is kept in
/// `not_found` (a query for several attributes goes on, and answers `NotFound` only when
/// nothing at all was found); any other error as it is; `malformedAnswer` when `data` is
/// missing or not an object.
sdk::Result<std::optional<sdk::Json>> dataObjectOf(sdk::Result<sdk::Json> answer,
                                                   const ApiConfig& config, std::string_view path,
                                                   std::optional<sdk::Error>& not_found);

/// The error for a non-200 `response` (see `get`). `where` starts the message.
sdk::Error errorFromResponse(const sdk::HttpResponse& response, const std::string& where,
                             const std::vector<std::string>& masked, sdk::Timestamp now);

/// Seconds to wait from a `Retry-After` value (delay-seconds or IMF-fixdate relative to
/// `now`); 0 when empty, malformed or past; at most a day.
int retryAfterSeconds(std::string_view value, sdk::Timestamp now) noexcept;

/// Validity helpers (UTC; France is UTC+1/+2, so these end one or two hours late in local
/// time, which is acceptable for data valid for a month or a year).
/// Last second of the calendar month of `now`.
sdk::Timestamp endOfMonth(sdk::Timestamp now) noexcept;
/// Last second of 31 August ending the school year of `now`: this year's before September,
/// next year's from September on.
sdk::Timestamp endOfSchoolYear(sdk::Timestamp now) noexcept;
/// Last second of the day `date` (`YYYY-MM-DD`), or nullopt when it is not a valid date.
std::optional<sdk::Timestamp> endOfDay(std::string_view date) noexcept;
/// `now` plus `seconds`.
sdk::Timestamp plusSeconds(sdk::Timestamp now, std::int64_t seconds) noexcept;

/// An attribute served by a national API: level 600 (trusted registry), verified now.
sdk::Attribute makeAttribute(std::string name, sdk::Json value, const std::string& source,
                             std::string process, sdk::Timestamp now,
                             std::optional<sdk::Timestamp> valid_until,
                             const std::string& legal_basis);

}  // namespace relais::plugins::apistration
