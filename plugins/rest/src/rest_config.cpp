// SPDX-License-Identifier: AGPL-3.0-or-later
#include "rest_config.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <utility>

#include "relais/sdk/http_helpers.h"
#include "relais/sdk/settings.h"
#include "relais/sdk/signing.h"
#include "relais/sdk/text.h"

#include "signature.h"

namespace relais::plugins::rest {
namespace {

using sdk::ErrorCode;

constexpr std::int64_t kMaxTimeoutMs = std::int64_t{24} * 3600 * 1000;
// Below this an HMAC key is guessable by brute force; say so, the operator decides.
constexpr std::size_t kMinHmacSecretBytes = 32;

sdk::Error invalid(const std::string& key, const std::string& message) {
    return sdk::fail(ErrorCode::InvalidArgument, key + ": " + message, key);
}

// RFC 9110 §5.6.2 token.
bool isToken(std::string_view text) noexcept {
    if (text.empty()) return false;
    constexpr std::string_view kExtra = "!#$%&'*+-.^_`|~";
    return std::all_of(text.begin(), text.end(), [&](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
               kExtra.find(c) != std::string_view::npos;
    });
}

// Visible ASCII only: what an RFC 6750 bearer token (and any sane API key) is made of.
bool isVisibleAscii(std::string_view text) noexcept {
    return std::all_of(text.begin(), text.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u > 0x20 && u < 0x7F;
    });
}

// Headers the HTTP client or this connector sets itself, with the reason given when a
// `headers` item names one.
struct ReservedHeader {
    std::string_view name;
    std::string_view reason;
};
constexpr std::array<ReservedHeader, 11> kReservedHeaders = {{
    {"Host", "is set by the HTTP client from the url"},
    {"Content-Length", "is set by the HTTP client from the body"},
    {"Transfer-Encoding", "is set by the HTTP client from the body"},
    {"Connection", "is managed by the HTTP client's connection pool"},
    {"Keep-Alive", "is managed by the HTTP client's connection pool"},
    {"Upgrade", "is managed by the HTTP client's connection pool"},
    {"TE", "is managed by the HTTP client"},
    {"Content-Type", "is set by the content-type key"},
    {"Authorization",
     "holds credentials: use auth with a secret reference (the config file never holds "
     "credentials)"},
    {"Proxy-Authorization", "holds credentials: the config file never holds credentials"},
    {sdk::signing::kBodySignatureHeader, "is set by auth=hmac"},
}};

const ReservedHeader* reservedHeader(std::string_view name) noexcept {
    for (const auto& reserved : kReservedHeaders) {
        if (sdk::text::equalsIgnoreCase(reserved.name, name)) return &reserved;
    }
    return nullptr;
}

bool validJsonPath(std::string_view path) noexcept {
    if (path.empty()) return false;
    bool need_segment = true;  // at the start and after a '.'
    std::size_t i = 0;
    while (i < path.size()) {
        const char c = path[i];
        if (c == '[') {
            const auto close = path.find(']', i);
            if (close == std::string_view::npos || close == i + 1) return false;
            for (std::size_t d = i + 1; d < close; ++d) {
                if (path[d] < '0' || path[d] > '9') return false;
            }
            i = close + 1;
            need_segment = false;
            if (i < path.size() && path[i] != '.' && path[i] != '[') return false;
        } else if (c == '.') {
            if (need_segment) return false;  // leading '.' or '..'
            need_segment = true;
            ++i;
        } else {
            for (; i < path.size() && path[i] != '.' && path[i] != '['; ++i) {
                const auto u = static_cast<unsigned char>(path[i]);
                if (path[i] == ']' || u <= 0x20 || u == 0x7F) return false;
            }
            need_segment = false;
        }
    }
    return !need_segment;
}

// Splits on commas not escaped as `\,`; `\\` is a backslash; any other backslash stays.
std::vector<std::string> splitEscaped(std::string_view text) {
    std::vector<std::string> items(1);
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\\' && i + 1 < text.size() && (text[i + 1] == ',' || text[i + 1] == '\\')) {
            items.back().push_back(text[++i]);
        } else if (c == ',') {
            items.emplace_back();
        } else {
            items.back().push_back(c);
        }
    }
    return items;
}

// The value of secret key `key`. Errors name the key and the reference, never the value.
sdk::Result<std::string> resolveSecret(const sdk::Settings& settings, const std::string& key,
                                       const sdk::Secrets& secrets) {
    const std::string reference = settings.string(key);
    auto value = secrets.resolve(reference);
    if (!value) {
        return invalid(key,
                       "cannot resolve the secret " + reference + ": " + value.error().message);
    }
    if (value->empty()) return invalid(key, "the secret " + reference + " is empty");
    return std::move(value).value();
}

bool isHttps(std::string_view url) noexcept {
    return sdk::text::startsWithIgnoreCase(url, "https://");
}

// Checks that `name` (the header of `key`) does not clash with another header the
// connector sends.
sdk::Result<void> checkOwnHeader(const std::string& key, std::string_view name,
                                 const sdk::HttpHeaders& extra) {
    if (!isToken(name)) return invalid(key, "'" + std::string(name) + "' is not a header name");
    if (const auto* reserved = reservedHeader(name)) {
        return invalid(key, "header " + std::string(name) + " " + std::string(reserved->reason));
    }
    for (const auto& [extra_name, value] : extra) {
        if (sdk::text::equalsIgnoreCase(extra_name, name)) {
            return invalid(
                key, "header " + std::string(name) + " is also given in headers; give it once");
        }
    }
    return sdk::ok();
}

}  // namespace

sdk::Result<IdLocator> parseIdLocator(std::string_view text, const std::string& key) {
    IdLocator locator;
    text = sdk::text::trimSpacesAndTabs(text);
    if (text.empty()) return locator;
    locator.text = std::string(text);
    if (text.starts_with("json:")) {
        const std::string_view path = sdk::text::trimSpacesAndTabs(text.substr(5));
        if (!validJsonPath(path)) {
            return invalid(key, "'" + std::string(path) +
                                    "' is not a JSON path (dotted member names, [n] for array "
                                    "elements: data.numero, items[0].id)");
        }
        locator.source = IdLocator::Source::Json;
        locator.where = std::string(path);
        return locator;
    }
    if (text.starts_with("header:")) {
        const std::string_view name = sdk::text::trimSpacesAndTabs(text.substr(7));
        if (!isToken(name)) {
            return invalid(key, "'" + std::string(name) + "' is not a header name");
        }
        locator.source = IdLocator::Source::Header;
        locator.where = std::string(name);
        return locator;
    }
    return invalid(key, "must be json:<path> or header:<Name>, got '" + std::string(text) + "'");
}

sdk::Result<sdk::HttpHeaders> parseHeaders(std::string_view text) {
    sdk::HttpHeaders headers;
    int index = 0;
    for (const std::string& raw : splitEscaped(text)) {
        const std::string_view item = sdk::text::trimSpacesAndTabs(raw);
        if (item.empty()) continue;
        ++index;
        const std::string label = "item " + std::to_string(index);
        const auto colon = item.find(':');
        if (colon == std::string_view::npos) {
            return invalid("headers", label + " is not 'Name: value'");
        }
        const std::string_view name = sdk::text::trimSpacesAndTabs(item.substr(0, colon));
        const std::string_view value = sdk::text::trimSpacesAndTabs(item.substr(colon + 1));
        if (!isToken(name)) {
            return invalid("headers", label + ": '" + std::string(name) +
                                          "' is not a header name (letters, digits, -)");
        }
        if (const auto* reserved = reservedHeader(name)) {
            return invalid("headers", label + ": header " + std::string(name) + " " +
                                          std::string(reserved->reason));
        }
        if (sdk::text::hasControlCharacter(value)) {
            return invalid("headers", label + ": the value of " + std::string(name) +
                                          " contains a control character (CR, LF…)");
        }
        headers.emplace_back(std::string(name), std::string(value));
    }
    return headers;
}

sdk::Result<std::vector<int>> parseStatusCodes(const std::vector<std::string>& items,
                                               const std::string& key) {
    std::vector<int> codes;
    for (const std::string& raw : items) {
        const std::string_view item = sdk::text::trimSpacesAndTabs(raw);
        int code = 0;
        const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), code);
        if (item.empty() || ec != std::errc{} || end != item.data() + item.size() || code < 100 ||
            code > 599) {
            return invalid(key, "'" + std::string(item) + "' is not an HTTP status (100-599)");
        }
        if (std::find(codes.begin(), codes.end(), code) == codes.end()) codes.push_back(code);
    }
    if (codes.empty()) return invalid(key, "lists no HTTP status");
    return codes;
}

sdk::Result<RestConfig> buildConfig(const sdk::Settings& settings, const sdk::Secrets& secrets) {
    RestConfig config;

    auto url = UrlTemplate::parse(settings.string("url"));
    if (!url) return std::move(url).error();
    config.url = std::move(url).value();
    config.method = settings.string("method", "POST");

    config.content_type =
        std::string(sdk::text::trimSpacesAndTabs(settings.string("content-type")));
    if (!config.content_type.empty() && (sdk::text::hasControlCharacter(config.content_type) ||
                                         config.content_type.find('/') == std::string::npos)) {
        return invalid("content-type", "'" + config.content_type + "' is not a media type");
    }

    const sdk::Setting* headers_setting = settings.find("headers");
    auto headers = parseHeaders(headers_setting != nullptr ? headers_setting->text : "");
    if (!headers) return std::move(headers).error();
    config.extra_headers = std::move(headers).value();

    config.idempotency_header = std::string(
        sdk::text::trimSpacesAndTabs(settings.string("idempotency-header", "Idempotency-Key")));
    if (auto own =
            checkOwnHeader("idempotency-header", config.idempotency_header, config.extra_headers);
        !own) {
        return std::move(own).error();
    }

    auto timeout = sdk::timeoutMs(settings, "timeout", 30'000, kMaxTimeoutMs);
    if (!timeout) return std::move(timeout).error();
    config.timeout_ms = *timeout;
    auto connect_timeout = sdk::timeoutMs(settings, "connect-timeout", 5'000, kMaxTimeoutMs);
    if (!connect_timeout) return std::move(connect_timeout).error();
    config.connect_timeout_ms = *connect_timeout;

    // Authentication: each mode takes exactly its own keys, so that a forgotten `auth`
    // line does not silently send nothing.
    const std::string auth = settings.string("auth", "none");
    if (auth == "bearer") {
        config.auth = AuthMode::Bearer;
    } else if (auth == "basic") {
        config.auth = AuthMode::Basic;
    } else if (auth == "hmac") {
        config.auth = AuthMode::Hmac;
    } else if (auth == "api-key") {
        config.auth = AuthMode::ApiKey;
    } else if (auth == "publik") {
        config.auth = AuthMode::Publik;
    } else if (auth != "none") {
        return invalid("auth", "unknown mode '" + auth + "'");
    }
    struct KeyUse {
        const char* key;
        bool used;
    };
    const bool token_used = config.auth == AuthMode::Bearer || config.auth == AuthMode::ApiKey;
    const bool basic_used = config.auth == AuthMode::Basic;
    const bool publik_used = config.auth == AuthMode::Publik;
    for (const KeyUse& use :
         {KeyUse{"token", token_used}, KeyUse{"username", basic_used},
          KeyUse{"password", basic_used}, KeyUse{"hmac-secret", config.auth == AuthMode::Hmac},
          KeyUse{"publik-orig", publik_used}, KeyUse{"publik-secret", publik_used}}) {
        if (use.used && !settings.has(use.key)) {
            return invalid(use.key, "is required with auth=" + auth);
        }
        if (!use.used && settings.has(use.key)) {
            return invalid(use.key, "is set but auth is " + auth + "; remove it or change auth");
        }
    }
    if (const sdk::Setting* s = settings.find("api-key-header");
        s != nullptr && !s->from_default && config.auth != AuthMode::ApiKey) {
        return invalid("api-key-header", "is set but auth is " + auth);
    }
    if (const sdk::Setting* s = settings.find("publik-algo");
        s != nullptr && !s->from_default && !publik_used) {
        return invalid("publik-algo", "is set but auth is " + auth);
    }

    switch (config.auth) {
        case AuthMode::None:
            break;
        case AuthMode::Bearer: {
            auto token = resolveSecret(settings, "token", secrets);
            if (!token) return std::move(token).error();
            if (!isVisibleAscii(*token)) {
                return invalid("token", "the secret " + settings.string("token") +
                                            " contains spaces or control characters, which a "
                                            "bearer token cannot hold");
            }
            config.credential_header = "Authorization";
            config.credential_value = "Bearer " + *token;
            config.masked.push_back(*token);
            break;
        }
        case AuthMode::ApiKey: {
            const std::string header = std::string(
                sdk::text::trimSpacesAndTabs(settings.string("api-key-header", "X-API-Key")));
            if (auto own = checkOwnHeader("api-key-header", header, config.extra_headers); !own) {
                return std::move(own).error();
            }
            if (sdk::text::equalsIgnoreCase(header, config.idempotency_header)) {
                return invalid("api-key-header", "is the same header as idempotency-header");
            }
            auto token = resolveSecret(settings, "token", secrets);
            if (!token) return std::move(token).error();
            if (!isVisibleAscii(*token)) {
                return invalid("token", "the secret " + settings.string("token") +
                                            " contains spaces or control characters");
            }
            config.credential_header = header;
            config.credential_value = *token;
            config.masked.push_back(*token);
            break;
        }
        case AuthMode::Basic: {
            const std::string username(sdk::text::trimSpacesAndTabs(settings.string("username")));
            if (username.empty() || username.find(':') != std::string::npos ||
                sdk::text::hasControlCharacter(username)) {
                return invalid("username",
                               "must be non-empty, without ':' or control characters (RFC 7617)");
            }
            auto password = resolveSecret(settings, "password", secrets);
            if (!password) return std::move(password).error();
            if (sdk::text::hasControlCharacter(*password)) {
                return invalid("password", "the secret " + settings.string("password") +
                                               " contains control characters (RFC 7617)");
            }
            config.credential_header = "Authorization";
            config.credential_value = "Basic " + sdk::signing::base64(username + ":" + *password);
            config.masked.push_back(*password);
            config.masked.push_back(config.credential_value.substr(6));
            break;
        }
        case AuthMode::Hmac: {
            auto secret = resolveSecret(settings, "hmac-secret", secrets);
            if (!secret) return std::move(secret).error();
            if (secret->size() < kMinHmacSecretBytes) {
                config.warnings.emplace_back(
                    "hmac-secret is shorter than 32 bytes: use a longer "
                    "random key (openssl rand -hex 32)");
            }
            config.hmac_secret = std::move(secret).value();
            config.masked.push_back(config.hmac_secret);
            break;
        }
        case AuthMode::Publik: {
            config.publik_orig =
                std::string(sdk::text::trimSpacesAndTabs(settings.string("publik-orig")));
            if (config.publik_orig.empty() || sdk::text::hasControlCharacter(config.publik_orig)) {
                return invalid("publik-orig",
                               "must be the non-empty name relais is known by on the Publik "
                               "side, without control characters");
            }
            auto secret = resolveSecret(settings, "publik-secret", secrets);
            if (!secret) return std::move(secret).error();
            config.publik_secret = std::move(secret).value();
            config.masked.push_back(config.publik_secret);
            config.publik_algo = settings.string("publik-algo", "sha256");
            break;
        }
    }

    // TLS: files are checked now so that a typo stops the start instead of dead-lettering
    // every dossier; the HTTP client loads them (and notices a renewed certificate).
    auto tls = sdk::http::readTlsFiles(settings);
    if (!tls) return std::move(tls).error();
    config.tls = std::move(tls).value();
    config.tls.verify_peer = settings.boolean("verify-peer", true);

    const auto* success = settings.find("success-codes");
    auto success_codes = parseStatusCodes(
        success != nullptr ? success->list : std::vector<std::string>{"200", "201", "202", "204"},
        "success-codes");
    if (!success_codes) return std::move(success_codes).error();
    config.success_codes = std::move(success_codes).value();
    const auto* retry = settings.find("retry-codes");
    auto retry_codes = parseStatusCodes(
        retry != nullptr
            ? retry->list
            : std::vector<std::string>{"408", "425", "429", "500", "502", "503", "504"},
        "retry-codes");
    if (!retry_codes) return std::move(retry_codes).error();
    config.retry_codes = std::move(retry_codes).value();
    for (const int code : config.retry_codes) {
        if (std::find(config.success_codes.begin(), config.success_codes.end(), code) !=
            config.success_codes.end()) {
            return invalid("retry-codes",
                           std::to_string(code) + " is in success-codes too; pick one meaning");
        }
    }

    auto business_id = parseIdLocator(settings.string("business-id"), "business-id");
    if (!business_id) return std::move(business_id).error();
    config.business_id = std::move(business_id).value();
    auto display_id = parseIdLocator(settings.string("display-id"), "display-id");
    if (!display_id) return std::move(display_id).error();
    config.display_id = std::move(display_id).value();

    config.health_url = settings.string("health-url");

    if (publik_used) {
        // Refused by any verifier at every delivery: say it now.
        for (const auto& [key, url_text] :
             {std::pair<const char*, std::string_view>{"url", config.url.text()},
              std::pair<const char*, std::string_view>{"health-url", config.health_url}}) {
            if (const std::string name = publikParameterIn(url_text); !name.empty()) {
                return invalid(
                    key, "the query has a '" + name + "' parameter, which auth=publik sets itself");
            }
        }
    }

    const bool any_https = isHttps(config.url.text()) || isHttps(config.health_url);
    if (publik_used && !isHttps(config.url.text())) {
        config.warnings.emplace_back(
            "auth=publik signs the query only, not the body: use an https url so that the "
            "body cannot be changed in transit");
    } else if (config.auth != AuthMode::None && config.auth != AuthMode::Hmac &&
               !isHttps(config.url.text())) {
        config.warnings.emplace_back("credentials are sent over plain http: use an https url");
    }
    if (!any_https && (!config.tls.ca_file.empty() || !config.tls.client_cert_file.empty())) {
        config.warnings.emplace_back(
            "ca-file, client-certificate and client-key apply to https URLs only");
    }
    if (!config.tls.verify_peer) {
        config.warnings.emplace_back(
            "verify-peer is false: the application's identity is not checked");
    }
    return config;
}

}  // namespace relais::plugins::rest
