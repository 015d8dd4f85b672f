// SPDX-License-Identifier: AGPL-3.0-or-later
#include "apistration.h"

#include <algorithm>
#include <charconv>

#include "relais/sdk/http_helpers.h"
#include "relais/sdk/settings.h"
#include "relais/sdk/text.h"
#include "relais/sdk/url_encoding.h"

namespace relais::plugins::apistration {
namespace {

using sdk::ErrorCode;

constexpr std::int64_t kMaxTimeoutMs = std::int64_t{10} * 60 * 1000;
constexpr int kMaxRetryAfterSeconds = 86'400;
constexpr std::int64_t kMicrosPerSecond = 1'000'000;
// Error texts quoted from an answer: enough for a code, a title and a detail each.
constexpr std::size_t kMaxQuotedBytes = 400;
constexpr std::size_t kMaxQuotedErrors = 3;

sdk::Error invalid(const std::string& key, const std::string& message) {
    return sdk::fail(ErrorCode::InvalidArgument, key + ": " + message, key);
}

bool parseInt(std::string_view text, std::int64_t& out) noexcept {
    text = sdk::text::trimSpacesAndTabs(text);
    if (text.empty() || text.size() > 18) return false;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && end == text.data() + text.size();
}

std::string textOf(const sdk::Json* value) {
    if (value == nullptr || value->isNull()) return {};
    if (value->isString()) return value->asString();
    return value->dump();
}

// `code title: detail`, for each entry of an API error body, `; `-separated.
std::string quoteErrors(const sdk::Json& body, const std::vector<std::string>& masked,
                        int& retry_in) {
    const sdk::Json* errors = body.find("errors");
    if (errors == nullptr || !errors->isArray()) return {};
    std::string quoted;
    std::size_t count = 0;
    for (const sdk::Json& error : *errors->arrayIf()) {
        if (const sdk::Json* meta_retry = error.path("meta.retry_in");
            meta_retry != nullptr && meta_retry->isNumber() && retry_in == 0) {
            retry_in = static_cast<int>(
                std::clamp<std::int64_t>(meta_retry->asInt(), 0, kMaxRetryAfterSeconds));
        }
        if (++count > kMaxQuotedErrors) continue;
        std::string one = textOf(error.find("code"));
        const std::string title = textOf(error.find("title"));
        const std::string detail = textOf(error.find("detail"));
        if (!title.empty()) one += (one.empty() ? "" : " ") + title;
        if (!detail.empty()) one += (one.empty() ? "" : ": ") + detail;
        if (const sdk::Json* provider = error.path("meta.provider");
            provider != nullptr && provider->isString()) {
            one += " (provider " + provider->asString() + ")";
        }
        one = sdk::http::safeExcerpt(one, masked, kMaxQuotedBytes);
        if (one.empty()) continue;
        quoted += (quoted.empty() ? "" : "; ") + one;
    }
    if (count > kMaxQuotedErrors) {
        quoted += "; and " + std::to_string(count - kMaxQuotedErrors) + " more";
    }
    return quoted;
}

// The civil date (UTC) of `now`.
sdk::CivilDate civilDate(sdk::Timestamp now) noexcept {
    std::int64_t seconds = now.micros / kMicrosPerSecond;
    if (now.micros % kMicrosPerSecond < 0) --seconds;
    std::int64_t days = seconds / 86'400;
    if (seconds % 86'400 < 0) --days;
    return sdk::civilFromDays(days);
}

sdk::Timestamp lastSecondOf(std::int64_t year, unsigned month, unsigned day) noexcept {
    return sdk::Timestamp::fromUnixSeconds(sdk::daysFromCivil(year, month, day) * 86'400 + 86'399);
}

}  // namespace

bool isDigits(std::string_view text, std::size_t n) noexcept {
    return text.size() == n &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool isValidSiret(std::string_view text) noexcept {
    if (!isDigits(text, 14)) return false;
    if (text.substr(0, 9) == "356000000") {
        int sum = 0;
        for (const char c : text) sum += c - '0';
        return sum % 5 == 0;
    }
    int sum = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        int digit = text[text.size() - 1 - i] - '0';
        if (i % 2 == 1) {
            digit *= 2;
            if (digit > 9) digit -= 9;
        }
        sum += digit;
    }
    return sum % 10 == 0;
}

bool isBearerToken(std::string_view text) noexcept {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u > 0x20 && u < 0x7F;
    });
}

void Query::add(std::string_view name, std::string_view value) {
    text_.push_back(text_.empty() ? '?' : '&');
    text_ += sdk::url::percentEncode(name);
    text_.push_back('=');
    text_ += sdk::url::percentEncode(value);
}

sdk::Result<ApiConfig> buildApiConfig(std::string api_name, const sdk::Settings& settings,
                                      const sdk::Secrets& secrets) {
    ApiConfig config;
    config.api_name = std::move(api_name);

    std::string base_url(sdk::text::trimSpacesAndTabs(settings.string("base-url")));
    if (base_url.find_first_of("?#") != std::string::npos) {
        return invalid("base-url",
                       "must not hold a query or a fragment: give the API's root "
                       "(https://particulier.api.gouv.fr)");
    }
    while (!base_url.empty() && base_url.back() == '/') base_url.pop_back();
    if (base_url.empty()) return invalid("base-url", "is empty");
    config.base_url = std::move(base_url);

    const std::string reference = settings.string("token");
    auto token = secrets.resolve(reference);
    if (!token) {
        return invalid("token",
                       "cannot resolve the secret " + reference + ": " + token.error().message);
    }
    if (token->empty()) return invalid("token", "the secret " + reference + " is empty");
    if (!isBearerToken(*token)) {
        return invalid("token", "the secret " + reference +
                                    " contains spaces or control characters, which a bearer "
                                    "token cannot hold");
    }
    config.token = std::move(token).value();

    config.recipient = std::string(sdk::text::trimSpacesAndTabs(settings.string("recipient")));
    if (!isValidSiret(config.recipient)) {
        return invalid("recipient", "'" + config.recipient +
                                        "' is not a valid SIRET (14 digits, Luhn check): give "
                                        "the SIRET of the administration the data is for");
    }

    auto timeout = sdk::timeoutMs(settings, "timeout", 10'000, kMaxTimeoutMs);
    if (!timeout) return std::move(timeout).error();
    config.timeout_ms = *timeout;
    auto connect_timeout = sdk::timeoutMs(settings, "connect-timeout", 5'000, kMaxTimeoutMs);
    if (!connect_timeout) return std::move(connect_timeout).error();
    config.connect_timeout_ms = *connect_timeout;

    auto tls = sdk::http::readTlsFiles(settings);
    if (!tls) return std::move(tls).error();
    config.tls = std::move(tls).value();

    const bool https = sdk::text::startsWithIgnoreCase(config.base_url, "https://");
    if (!https) {
        config.warnings.emplace_back(
            "base-url is plain http: the token and personal data travel unencrypted (use "
            "https except for a local mock)");
    }
    return config;
}

int retryAfterSeconds(std::string_view value, sdk::Timestamp now) noexcept {
    return sdk::http::retryAfterSeconds(value, now, kMaxRetryAfterSeconds);
}

sdk::Error errorFromResponse(const sdk::HttpResponse& response, const std::string& where,
                             const std::vector<std::string>& masked, sdk::Timestamp now) {
    const int status = response.status;
    ErrorCode code = ErrorCode::Permanent;
    std::string meaning;
    switch (status) {
        case 400:
        case 422:
            code = ErrorCode::InvalidArgument;
            meaning = "the API refused the parameters";
            break;
        case 401:
            meaning = "the token is invalid, expired or revoked";
            break;
        case 403:
            meaning = "the token lacks the scope for this data";
            break;
        case 404:
            code = ErrorCode::NotFound;
            meaning = "not found";
            break;
        case 451:
            meaning =
                "the entity is not open to disclosure (non-diffusible): relais must not store "
                "or serve its data";
            break;
        case 409:
            code = ErrorCode::Retryable;
            meaning = "the same call is already running";
            break;
        case 429:
            code = ErrorCode::Retryable;
            meaning = "rate limit reached";
            break;
        case 503:
            code = ErrorCode::Unavailable;
            meaning = "the API is unavailable";
            break;
        case 504:
            code = ErrorCode::Timeout;
            meaning = "the data provider did not answer in time";
            break;
        default:
            if (status >= 500) {
                code = ErrorCode::Retryable;
                meaning = "the API or its data provider failed";
            } else {
                meaning = "refused";
            }
    }

    int retry_in = 0;
    std::string quoted;
    if (auto body = sdk::Json::parse(response.body); body && body->isObject()) {
        quoted = quoteErrors(*body, masked, retry_in);
    }
    if (quoted.empty() && !response.body.empty()) {
        quoted = sdk::http::safeExcerpt(response.body, masked, kMaxQuotedBytes);
    }

    sdk::Error error =
        sdk::fail(code, where + " answered " + std::to_string(status) + " (" + meaning + ")");
    if (sdk::isTransient(code)) {
        int advice = retryAfterSeconds(response.header("Retry-After"), now);
        std::string origin = "Retry-After";
        if (advice == 0 && retry_in > 0) {
            advice = retry_in;
            origin = "meta.retry_in";
        } else if (std::int64_t reset = 0;
                   advice == 0 && parseInt(response.header("RateLimit-Reset"), reset)) {
            advice = static_cast<int>(std::clamp<std::int64_t>(
                reset - now.micros / kMicrosPerSecond, 0, kMaxRetryAfterSeconds));
            origin = "RateLimit-Reset";
        }
        error.retry_after_seconds = advice;
        if (advice > 0) error.message += " (" + origin + ": " + std::to_string(advice) + " s)";
    }
    if (!quoted.empty()) error.message += ": " + quoted;
    return error;
}

sdk::Error malformedAnswer(const ApiConfig& config, std::string_view path,
                           const std::string& what) {
    return sdk::fail(ErrorCode::Permanent, config.api_name + " GET " + config.base_url +
                                               std::string(path) + " answered 200 without " + what);
}

sdk::Result<std::optional<sdk::Json>> dataObjectOf(sdk::Result<sdk::Json> answer,
                                                   const ApiConfig& config, std::string_view path,
                                                   std::optional<sdk::Error>& not_found) {
    if (!answer) {
        if (answer.error().code != ErrorCode::NotFound) return std::move(answer).error();
        if (!not_found) not_found = std::move(answer).error();
        return std::optional<sdk::Json>();
    }
    const sdk::Json* data = answer->find("data");
    if (data == nullptr || !data->isObject()) return malformedAnswer(config, path, "a data object");
    return std::optional<sdk::Json>(*data);
}

sdk::Result<sdk::Json> get(sdk::HttpClient& http, const ApiConfig& config, const Call& call,
                           sdk::Timestamp now) {
    const std::string where = config.api_name + " GET " + config.base_url + call.path;
    sdk::HttpRequest request;
    request.method = "GET";
    request.url = config.base_url + call.path + call.query.text();
    request.headers = {{"Authorization", "Bearer " + call.bearer}, {"Accept", "application/json"}};
    request.timeout_ms = config.timeout_ms;
    request.connect_timeout_ms = config.connect_timeout_ms;
    request.tls = config.tls;

    auto sent = http.send(request);
    const std::vector<std::string> masked = {config.token, call.bearer};
    if (!sent) {
        sdk::Error error = std::move(sent).error();
        // The client names the host only, never the query (which holds personal data).
        error.message =
            where + ": " + sdk::http::safeExcerpt(error.message, masked, kMaxQuotedBytes);
        return error;
    }
    if (sent->status != 200) return errorFromResponse(*sent, where, masked, now);
    auto body = sdk::Json::parse(sent->body);
    if (!body || !body->isObject()) {
        return sdk::fail(ErrorCode::Permanent,
                         where + " answered 200 with a body that is not a JSON object");
    }
    return std::move(body).value();
}

sdk::Timestamp endOfMonth(sdk::Timestamp now) noexcept {
    const sdk::CivilDate date = civilDate(now);
    return lastSecondOf(date.year, date.month, sdk::daysInMonth(date.year, date.month));
}

sdk::Timestamp endOfSchoolYear(sdk::Timestamp now) noexcept {
    const sdk::CivilDate date = civilDate(now);
    return lastSecondOf(date.month >= 9 ? date.year + 1 : date.year, 8, 31);
}

std::optional<sdk::Timestamp> endOfDay(std::string_view date) noexcept {
    std::int64_t year = 0;
    std::int64_t month = 0;
    std::int64_t day = 0;
    if (date.size() != 10 || date[4] != '-' || date[7] != '-' || !isDigits(date.substr(0, 4), 4) ||
        !isDigits(date.substr(5, 2), 2) || !isDigits(date.substr(8, 2), 2) ||
        !parseInt(date.substr(0, 4), year) || !parseInt(date.substr(5, 2), month) ||
        !parseInt(date.substr(8, 2), day)) {
        return std::nullopt;
    }
    if (!sdk::isValidDate(year, static_cast<unsigned>(month), static_cast<unsigned>(day))) {
        return std::nullopt;
    }
    return lastSecondOf(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
}

sdk::Timestamp plusSeconds(sdk::Timestamp now, std::int64_t seconds) noexcept {
    sdk::Timestamp later = now;
    later.micros += seconds * kMicrosPerSecond;
    return later;
}

sdk::Attribute makeAttribute(std::string name, sdk::Json value, const std::string& source,
                             std::string process, sdk::Timestamp now,
                             std::optional<sdk::Timestamp> valid_until,
                             const std::string& legal_basis) {
    sdk::Attribute attribute;
    attribute.name = std::move(name);
    attribute.value = std::move(value);
    attribute.source = source;
    attribute.level = sdk::level::kTrustedRegistry;
    attribute.process = std::move(process);
    attribute.verified_at = now;
    attribute.valid_until = valid_until;
    attribute.legal_basis = legal_basis;
    return attribute;
}

sdk::Result<sdk::Json> instrumentedGet(sdk::Host& host, const ApiConfig& config, const Call& call,
                                       std::string_view endpoint, std::string_view metric_prefix) {
    const std::int64_t started = host.clock().monotonicMicros();
    auto answer = get(host.http(), config, call, host.clock().now());
    const double seconds =
        static_cast<double>(host.clock().monotonicMicros() - started) / 1'000'000.0;
    const std::string result = answer ? "ok" : std::string(sdk::toString(answer.error().code));
    const std::string prefix(metric_prefix);
    host.metrics().increment(prefix + "_calls_total",
                             {{"endpoint", std::string(endpoint)}, {"result", result}});
    host.metrics().observe(prefix + "_call_seconds", seconds,
                           {{"endpoint", std::string(endpoint)}});
    // Never the parameters: they are personal data.
    if (answer || answer.error().code == sdk::ErrorCode::NotFound) {
        host.logger().debug(config.api_name + " call",
                            {{"endpoint", std::string(endpoint)}, {"result", result}});
    } else {
        host.logger().warn(config.api_name + " call failed",
                           {{"endpoint", std::string(endpoint)}, {"result", result}});
    }
    return answer;
}

}  // namespace relais::plugins::apistration
