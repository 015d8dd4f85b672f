// SPDX-License-Identifier: AGPL-3.0-or-later
#include "soap_connector.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <filesystem>
#include <fstream>
#include <optional>
#include <utility>

#include "relais/sdk/host.h"
#include "relais/sdk/xml.h"

#include "soap_envelope.h"
#include "soap_response.h"

namespace relais::plugins::soap {

using sdk::ErrorCode;
using sdk::NamespaceBinding;
using sdk::trimXmlSpace;

struct SoapConnector::Config {
    std::string url;
    std::string authority;  ///< scheme://host:port of `url`, for messages (no user info)
    SoapVersion version = SoapVersion::Soap11;
    std::string action;
    int timeout_ms = 30000;
    int connect_timeout_ms = 5000;
    sdk::TlsOptions tls;
    std::unique_ptr<sdk::XmlSchema> schema;  ///< null: no validation

    bool ws_security = false;
    std::string username;
    std::string password;  ///< the secret's value: never logged, masked in messages
    bool password_digest = true;

    std::vector<std::string> retry_faults;
    std::unique_ptr<sdk::XPathQuery> business_id;
    std::unique_ptr<sdk::XPathQuery> display_id;  ///< null: none

    std::string idempotency_header;                  ///< empty: not sent
    std::optional<HeaderBlock> idempotency_element;  ///< its text is set per delivery
    std::string health_url;                          ///< empty: always healthy

    /// `text` with every occurrence of the password replaced, in case a service echoes it.
    std::string redact(std::string text) const {
        if (password.empty()) return text;
        for (auto at = text.find(password); at != std::string::npos;
             at = text.find(password, at + 3)) {
            text.replace(at, password.size(), "***");
        }
        return text;
    }
};

namespace {

constexpr std::size_t kNonceBytes = 16;
constexpr std::size_t kMaxIdBytes = 256;
constexpr int kMaxRetryAfterSeconds = 86400;
constexpr int kMaxHealthTimeoutMs = 5000;

// `scheme://host[:port]` of an absolute URL, without user info, path or query: what
// messages may show of a configured address.
std::string authorityOf(const std::string& url) {
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string::npos) return url;
    const std::size_t start = scheme_end + 3;
    std::size_t end = url.find_first_of("/?#", start);
    if (end == std::string::npos) end = url.size();
    std::string host = url.substr(start, end - start);
    if (const auto at = host.rfind('@'); at != std::string::npos) host.erase(0, at + 1);
    return url.substr(0, start) + host;
}

bool startsWithIgnoreCase(std::string_view text, std::string_view prefix) noexcept {
    if (text.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(text[i])) !=
            std::tolower(static_cast<unsigned char>(prefix[i]))) {
            return false;
        }
    }
    return true;
}

bool containsIgnoreCase(std::string_view text, std::string_view needle) noexcept {
    for (std::size_t i = 0; i + needle.size() <= text.size(); ++i) {
        if (startsWithIgnoreCase(text.substr(i), needle)) return true;
    }
    return false;
}

// RFC 9110 token: the characters a header name may hold.
bool isToken(std::string_view text) noexcept {
    if (text.empty()) return false;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        const bool ok = std::isalnum(u) != 0 ||
                        std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
        if (!ok) return false;
    }
    return true;
}

bool hasControlOrQuote(std::string_view text) noexcept {
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f || c == '"' || c == '\\') return true;
    }
    return false;
}

sdk::Error configError(const std::string& field, const std::string& message) {
    return sdk::fail(ErrorCode::InvalidArgument, field + ": " + message, field);
}

sdk::Result<int> millisOf(const sdk::Settings& settings, const char* key,
                          std::chrono::milliseconds fallback) {
    const auto value = settings.duration(key, fallback).count();
    if (value <= 0 || value > INT_MAX) {
        return configError(key, "must be between 1ms and " + std::to_string(INT_MAX / 1000) + "s");
    }
    return static_cast<int>(value);
}

sdk::Result<void> checkReadable(const sdk::Settings& settings, const char* key) {
    const std::string path = settings.string(key);
    if (path.empty()) return sdk::ok();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
        return configError(key, "'" + path + "' is not a readable file");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) return configError(key, "cannot read '" + path + "'");
    return sdk::ok();
}

// `{uri}Name` or `prefix:Name` (prefix declared in `namespaces`) → a header block.
sdk::Result<HeaderBlock> parseElementName(const std::string& text,
                                          const std::vector<NamespaceBinding>& namespaces) {
    const char* key = "idempotency-element";
    HeaderBlock block;
    if (text.starts_with('{')) {
        const auto close = text.find('}');
        if (close == std::string::npos) {
            return configError(key, "'" + text + "' has no closing '}' (write {uri}Name)");
        }
        block.namespace_uri = text.substr(1, close - 1);
        block.local_name = text.substr(close + 1);
        block.prefix = "rl";
    } else if (const auto colon = text.find(':'); colon != std::string::npos) {
        block.prefix = text.substr(0, colon);
        block.local_name = text.substr(colon + 1);
        const auto binding =
            std::find_if(namespaces.begin(), namespaces.end(),
                         [&](const NamespaceBinding& b) { return b.prefix == block.prefix; });
        if (binding == namespaces.end()) {
            return configError(key, "the prefix '" + block.prefix + "' of '" + text +
                                        "' is not declared in namespaces");
        }
        block.namespace_uri = binding->uri;
    } else {
        return configError(key, "'" + text +
                                    "' must be namespace-qualified, as SOAP header blocks are: "
                                    "{uri}Name or prefix:Name");
    }
    if (block.namespace_uri.empty()) return configError(key, "'" + text + "' has an empty URI");
    if (!sdk::isNcName(block.local_name) || !sdk::isNcName(block.prefix)) {
        return configError(key, "'" + text + "' is not a valid element name");
    }
    return block;
}

int retryAfterSeconds(const sdk::HttpResponse& response) {
    const std::string value(trimXmlSpace(response.header("Retry-After")));
    if (value.empty() || value.size() > 9) return 0;
    if (!std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return 0;  // an HTTP date: let the core's backoff decide
    }
    return std::min(std::stoi(value), kMaxRetryAfterSeconds);
}

std::string statusText(const sdk::HttpResponse& response) {
    std::string text = "HTTP " + std::to_string(response.status);
    const std::string reason = sanitizeText(response.reason, 80);
    if (!reason.empty()) text += " " + reason;
    return text;
}

}  // namespace

SoapConnector::SoapConnector(sdk::Host& host) : sdk::Connector(host) {}

SoapConnector::~SoapConnector() = default;

sdk::Result<void> SoapConnector::configure(const sdk::Settings& settings) {
    auto config = std::make_shared<Config>();
    config->url = settings.string("url");
    config->authority = authorityOf(config->url);
    config->version =
        settings.string("soap-version", "1.1") == "1.2" ? SoapVersion::Soap12 : SoapVersion::Soap11;

    config->action = settings.string("action");
    if (hasControlOrQuote(config->action)) {
        return configError("action", "must not contain quotes, backslashes or control characters");
    }

    auto timeout = millisOf(settings, "timeout", std::chrono::seconds(30));
    if (!timeout) return std::move(timeout).error();
    config->timeout_ms = *timeout;
    auto connect_timeout = millisOf(settings, "connect-timeout", std::chrono::seconds(5));
    if (!connect_timeout) return std::move(connect_timeout).error();
    config->connect_timeout_ms = *connect_timeout;

    for (const char* key : {"ca-file", "client-certificate", "client-key"}) {
        if (auto readable = checkReadable(settings, key); !readable) {
            return std::move(readable).error();
        }
    }
    config->tls.verify_peer = settings.boolean("verify-peer", true);
    config->tls.ca_file = settings.string("ca-file");
    config->tls.client_cert_file = settings.string("client-certificate");
    config->tls.client_key_file = settings.string("client-key");
    if (config->tls.client_cert_file.empty() != config->tls.client_key_file.empty()) {
        return configError(
            config->tls.client_cert_file.empty() ? "client-certificate" : "client-key",
            "client-certificate and client-key go together (mutual TLS)");
    }

    if (const std::string schema = settings.string("schema"); !schema.empty()) {
        auto loaded = sdk::XmlSchema::load(schema);
        if (!loaded) return configError("schema", std::move(loaded).error().message);
        config->schema = std::move(loaded.value());
    }

    config->username = settings.string("username");
    const std::string password_reference = settings.string("password");
    if (!config->username.empty() && password_reference.empty()) {
        return configError("password", "is required with username (WS-Security UsernameToken)");
    }
    if (config->username.empty() && !password_reference.empty()) {
        return configError("username", "is required with password (WS-Security UsernameToken)");
    }
    if (!config->username.empty()) {
        auto secret = host().secrets().resolve(password_reference);
        if (!secret) {
            // The resolver names the reference, never a value.
            return configError("password", std::move(secret).error().message);
        }
        if (secret->empty()) return configError("password", "the secret is empty");
        config->password = std::move(secret.value());
        config->ws_security = true;
        config->password_digest = settings.string("password-type", "digest") != "text";
    }

    auto namespaces = sdk::parseNamespaceBindings(settings.list("namespaces"));
    if (!namespaces) return std::move(namespaces).error();
    std::vector<NamespaceBinding> xpath_namespaces = *namespaces;
    // `env` is the envelope of the configured version, unless the config binds it.
    if (std::none_of(xpath_namespaces.begin(), xpath_namespaces.end(),
                     [](const NamespaceBinding& b) { return b.prefix == "env"; })) {
        xpath_namespaces.push_back({"env", envelopeNamespace(config->version)});
    }

    auto business_id =
        sdk::XPathQuery::compile(settings.string("business-id-xpath"), xpath_namespaces);
    if (!business_id) return configError("business-id-xpath", business_id.error().message);
    config->business_id = std::move(business_id.value());
    if (const std::string display = settings.string("display-id-xpath"); !display.empty()) {
        auto display_id = sdk::XPathQuery::compile(display, xpath_namespaces);
        if (!display_id) return configError("display-id-xpath", display_id.error().message);
        config->display_id = std::move(display_id.value());
    }

    for (const std::string& entry : settings.list("retry-faults")) {
        if (!entry.empty()) config->retry_faults.push_back(entry);
    }

    config->idempotency_header = std::string(trimXmlSpace(settings.string("idempotency-header")));
    if (!config->idempotency_header.empty() && !isToken(config->idempotency_header)) {
        return configError("idempotency-header",
                           "'" + config->idempotency_header + "' is not a valid header name");
    }
    if (const std::string element(trimXmlSpace(settings.string("idempotency-element")));
        !element.empty()) {
        auto block = parseElementName(element, *namespaces);
        if (!block) return std::move(block).error();
        config->idempotency_element = std::move(block.value());
    }

    config->health_url = settings.string("health-url");

    if (startsWithIgnoreCase(config->url, "http://") &&
        (!config->tls.ca_file.empty() || !config->tls.client_cert_file.empty())) {
        host().logger().warn("TLS settings are ignored: the url is plain http",
                             {{"url", config->authority}});
    }
    if (config->ws_security && config->password_digest == false &&
        startsWithIgnoreCase(config->url, "http://")) {
        host().logger().warn("password-type text over plain http sends the password in clear",
                             {{"url", config->authority}});
    }
    config_ = std::move(config);
    return sdk::ok();
}

sdk::Result<sdk::HealthReport> SoapConnector::health() {
    const std::shared_ptr<const Config> config = config_;
    if (config == nullptr) return sdk::HealthReport{false, "not configured"};
    if (config->health_url.empty()) {
        return sdk::HealthReport{true, "no health-url configured"};
    }
    sdk::HttpRequest request;
    request.method = "GET";
    request.url = config->health_url;
    request.connect_timeout_ms = std::min(config->connect_timeout_ms, kMaxHealthTimeoutMs);
    request.timeout_ms = std::min(config->timeout_ms, kMaxHealthTimeoutMs);
    request.max_response_bytes = std::size_t{4} << 20;  // a WSDL, at most
    request.tls = config->tls;
    const std::string where = "GET " + authorityOf(config->health_url);
    auto response = host().http().send(request);
    if (!response) return sdk::HealthReport{false, where + ": " + response.error().message};
    const bool healthy = response->status >= 200 && response->status < 400;
    return sdk::HealthReport{healthy, where + ": " + statusText(*response)};
}

sdk::Result<sdk::DeliveryReceipt> SoapConnector::deliver(const sdk::Delivery& delivery) {
    const std::shared_ptr<const Config> config = config_;
    if (config == nullptr) return sdk::fail(ErrorCode::Internal, "the connector is not configured");
    if (delivery.dossier == nullptr) {
        return sdk::fail(ErrorCode::InvalidArgument, "delivery without a dossier");
    }
    if (!delivery.content_type.empty() && !containsIgnoreCase(delivery.content_type, "xml")) {
        return sdk::fail(ErrorCode::InvalidArgument,
                         "the SOAP connector sends XML, but the route's mapping produced '" +
                             sanitizeText(delivery.content_type, 80) + "'",
                         "payload");
    }

    sdk::ParsedXml payload = sdk::parseXmlSafely(delivery.payload);
    if (payload.doc == nullptr) {
        return sdk::fail(
            ErrorCode::InvalidArgument,
            "the payload is not acceptable XML: " + sdk::describeProblems(payload.problems),
            "payload");
    }
    const sdk::XmlElement root = payload.doc->root();
    if (root.is(kSoap11Namespace, "Envelope") || root.is(kSoap12Namespace, "Envelope")) {
        return sdk::fail(ErrorCode::InvalidArgument,
                         "the payload is already a SOAP envelope: the mapping must produce the "
                         "Body's content only (the connector writes the envelope)",
                         "payload");
    }
    if (config->schema != nullptr) {
        const std::vector<sdk::XmlProblem> problems = config->schema->check(*payload.doc);
        if (!problems.empty()) {
            return sdk::fail(ErrorCode::InvalidArgument,
                             "the payload does not match the schema '" + config->schema->name() +
                                 "': " + sdk::describeProblems(problems),
                             "payload");
        }
    }

    EnvelopeContent content;
    content.version = config->version;
    content.body_element = root;
    UsernameToken token;
    if (config->ws_security) {
        token.username = config->username;
        token.password = config->password;
        token.digest = config->password_digest;
        if (token.digest) {
            token.nonce = randomBytes(kNonceBytes);
            token.created = wsuCreated(host().clock().now());
        }
        content.token = &token;
    }
    if (config->idempotency_element && !delivery.idempotency_key.empty()) {
        HeaderBlock block = *config->idempotency_element;
        block.text = delivery.idempotency_key;
        content.headers.push_back(std::move(block));
    }

    sdk::HttpRequest request;
    request.method = "POST";
    request.url = config->url;
    request.body = buildEnvelope(content);
    request.connect_timeout_ms = config->connect_timeout_ms;
    request.timeout_ms = config->timeout_ms;
    request.tls = config->tls;
    if (config->version == SoapVersion::Soap11) {
        request.headers.emplace_back("Content-Type", "text/xml; charset=utf-8");
        // Required by the SOAP 1.1 HTTP binding, even empty ("" means the endpoint).
        request.headers.emplace_back("SOAPAction", "\"" + config->action + "\"");
    } else {
        std::string type = "application/soap+xml; charset=utf-8";
        if (!config->action.empty()) type += "; action=\"" + config->action + "\"";
        request.headers.emplace_back("Content-Type", std::move(type));
    }
    if (!config->idempotency_header.empty() && !delivery.idempotency_key.empty()) {
        request.headers.emplace_back(config->idempotency_header, delivery.idempotency_key);
    }

    const std::int64_t started = host().clock().monotonicMicros();
    auto response = host().http().send(request);
    host().metrics().observe("soap_request_duration_seconds",
                             static_cast<double>(host().clock().monotonicMicros() - started) / 1e6);
    if (!response) {
        sdk::Error error = std::move(response).error();
        if (error.code == ErrorCode::TooLarge) {
            // The service answered, so it may have created the dossier: not a blind retry.
            return sdk::fail(ErrorCode::Permanent,
                             "the response of " + config->authority +
                                 " is too large to read: " + error.message +
                                 "; check in the application whether the dossier was created "
                                 "before replaying");
        }
        error.message = "SOAP call to " + config->authority + ": " + error.message;
        return error;
    }
    return interpret(*config, delivery, *response);
}

sdk::Result<sdk::DeliveryReceipt> SoapConnector::interpret(const Config& config,
                                                           const sdk::Delivery& delivery,
                                                           const sdk::HttpResponse& response) {
    const SoapResponse soap = readSoapResponse(response.body);
    const bool success = response.status >= 200 && response.status < 300;

    if (soap.fault) {
        // A fault decides, whatever the status: SOAP 1.1 faults come with 500, SOAP 1.2
        // Sender faults with 400, and some services send faults with 200.
        const bool retryable = faultMatches(*soap.fault, config.retry_faults);
        host().metrics().increment("soap_faults_total",
                                   {{"retryable", retryable ? "true" : "false"}});
        return sdk::fail(retryable ? ErrorCode::Retryable : ErrorCode::Permanent,
                         config.redact("SOAP fault from " + config.authority + " (" +
                                       statusText(response) + "): " + describeFault(*soap.fault)));
    }

    if (!success) {
        std::string message = statusText(response) + " from " + config.authority;
        if (soap.doctype_refused) message += " (its body has a DOCTYPE: refused, not read)";
        const bool retryable =
            response.status >= 500 || response.status == 408 || response.status == 429;
        sdk::Error error = sdk::fail(
            retryable ? ErrorCode::Retryable : ErrorCode::Permanent,
            message + (retryable ? ", without a SOAP fault" : ", without a SOAP fault: refused"));
        if (retryable) error.retry_after_seconds = retryAfterSeconds(response);
        return error;
    }

    // From here on the service said yes: a retry could create a second record, so every
    // failure is Permanent and says to check the application before replaying.
    constexpr std::string_view kCheckFirst =
        "; check in the application whether the dossier was created before replaying";
    if (soap.doc == nullptr) {
        return sdk::fail(
            ErrorCode::Permanent,
            config.redact(config.authority + " answered " + statusText(response) +
                          " but its response is not acceptable XML: " +
                          sdk::describeProblems(soap.problems, 3) + std::string(kCheckFirst)));
    }
    if (!soap.version) {
        return sdk::fail(ErrorCode::Permanent,
                         config.authority + " answered " + statusText(response) +
                             " without a SOAP envelope (root element '" +
                             sanitizeText(soap.root_name, 80) + "')" + std::string(kCheckFirst));
    }

    auto business_id = config.business_id->evaluate(*soap.doc);
    if (!business_id) {
        return sdk::fail(ErrorCode::Permanent, "business-id-xpath: " + business_id.error().message +
                                                   std::string(kCheckFirst));
    }
    if (!business_id->has_value()) {
        return sdk::fail(
            ErrorCode::Permanent,
            "the application answered " + statusText(response) + " but business-id-xpath '" +
                config.business_id->expression() +
                "' finds nothing in its response, so relais cannot link the dossier to the "
                "application's record; check the XPath and namespaces against a real response" +
                std::string(kCheckFirst));
    }
    std::string id = std::move(**business_id);
    if (id.size() > kMaxIdBytes) {
        return sdk::fail(
            ErrorCode::Permanent,
            "business-id-xpath '" + config.business_id->expression() + "' gives " +
                std::to_string(id.size()) + " bytes, more than the " + std::to_string(kMaxIdBytes) +
                " an identifier may have: the XPath selects too much" + std::string(kCheckFirst));
    }

    sdk::DeliveryReceipt receipt;
    receipt.business_id = std::move(id);
    if (config.display_id != nullptr) {
        auto display_id = config.display_id->evaluate(*soap.doc);
        if (display_id && display_id->has_value() && (*display_id)->size() <= kMaxIdBytes) {
            receipt.display_id = std::move(**display_id);
        } else {
            // Only the number shown to the citizen is missing: the delivery stands.
            host().logger().warn(
                "display-id-xpath gives no usable value",
                {{"dossier_id", delivery.dossier->id}, {"xpath", config.display_id->expression()}});
        }
    }
    host().logger().info("dossier delivered", {{"dossier_id", delivery.dossier->id},
                                               {"business_id", receipt.business_id},
                                               {"status", std::to_string(response.status)}});
    return receipt;
}

}  // namespace relais::plugins::soap
