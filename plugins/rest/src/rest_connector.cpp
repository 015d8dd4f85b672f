// SPDX-License-Identifier: AGPL-3.0-or-later
#include "rest_connector.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "relais/sdk/host.h"
#include "relais/sdk/http_helpers.h"
#include "relais/sdk/signing.h"

#include "response.h"
#include "signature.h"
#include "url_template.h"

namespace relais::plugins::rest {
namespace {

using sdk::ErrorCode;

// A response body up to this size is kept in the receipt when it is JSON.
constexpr std::size_t kMaxKeptResponseBytes = std::size_t{64} * 1024;
// A health check must stay cheap, whatever the delivery timeout.
constexpr int kMaxHealthTimeoutMs = 10'000;
constexpr std::size_t kMaxReasonBytes = 60;

bool contains(const std::vector<int>& codes, int status) {
    return std::find(codes.begin(), codes.end(), status) != codes.end();
}

std::string statusText(const sdk::HttpResponse& response, const RestConfig& config) {
    std::string text = std::to_string(response.status);
    const std::string reason = bodyExcerpt(response.reason, config.masked, kMaxReasonBytes);
    if (!reason.empty()) text += " " + reason;
    return text;
}

// ": <excerpt>", or " (empty body)".
std::string excerptSuffix(const sdk::HttpResponse& response, const RestConfig& config) {
    const std::string excerpt = bodyExcerpt(response.body, config.masked);
    return excerpt.empty() ? std::string(" (empty body)") : ": " + excerpt;
}

}  // namespace

RestConnector::RestConnector(sdk::Host& host) : sdk::Connector(host) {}

sdk::Result<void> RestConnector::configure(const sdk::Settings& settings) {
    auto built = buildConfig(settings, host().secrets());
    if (!built) return std::move(built).error();
    for (const auto& warning : built->warnings) host().logger().warn(warning);
    config_ = std::make_shared<const RestConfig>(std::move(built).value());
    return sdk::ok();
}

sdk::Result<sdk::HttpRequest> RestConnector::makeRequest(const RestConfig& config,
                                                         std::string method, std::string url,
                                                         std::string body, int timeout_ms) const {
    const std::int64_t now = host().clock().now().micros / 1'000'000;
    sdk::HttpRequest request;
    request.method = std::move(method);
    if (config.auth == AuthMode::Publik) {
        auto signed_url = publikSignUrl(url, config.publik_orig, config.publik_secret,
                                        config.publik_algo, now, sdk::signing::newNonce());
        if (!signed_url) return std::move(signed_url).error();
        request.url = std::move(signed_url).value();
    } else {
        request.url = std::move(url);
    }
    request.connect_timeout_ms = config.connect_timeout_ms;
    request.timeout_ms = timeout_ms;
    request.tls = config.tls;
    request.headers = config.extra_headers;
    if (!config.credential_header.empty()) {
        request.headers.emplace_back(config.credential_header, config.credential_value);
    }
    if (config.auth == AuthMode::Hmac) {
        request.headers.emplace_back(std::string(sdk::signing::kBodySignatureHeader),
                                     sdk::signing::bodySignature(config.hmac_secret, now, body));
    }
    request.body = std::move(body);
    return request;
}

sdk::Result<sdk::HealthReport> RestConnector::health() {
    if (!config_) return sdk::fail(ErrorCode::Internal, "health before configure");
    const RestConfig& config = *config_;
    if (config.health_url.empty()) return sdk::HealthReport{true, "no health check configured"};
    const std::string where = "GET " + urlForMessages(config.health_url);
    const auto request = makeRequest(config, "GET", config.health_url, {},
                                     std::min(config.timeout_ms, kMaxHealthTimeoutMs));
    if (!request) return sdk::HealthReport{false, where + ": " + request.error().message};
    auto sent = host().http().send(*request);
    if (!sent) return sdk::HealthReport{false, where + ": " + sent.error().message};
    if (sdk::http::isSuccessStatus(sent->status)) {
        return sdk::HealthReport{true, where + " answered " + std::to_string(sent->status)};
    }
    return sdk::HealthReport{false, where + " answered " + statusText(*sent, config)};
}

sdk::Result<sdk::DeliveryReceipt> RestConnector::deliver(const sdk::Delivery& delivery) {
    if (!config_) return sdk::fail(ErrorCode::Internal, "deliver before configure");
    const RestConfig& config = *config_;
    if (delivery.dossier == nullptr) {
        return sdk::fail(ErrorCode::InvalidArgument, "delivery without a dossier");
    }
    if (delivery.idempotency_key.empty()) {
        // Exactly-once on the application's side rests on it: never send without.
        return sdk::fail(ErrorCode::InvalidArgument, "delivery without an idempotency key");
    }
    const sdk::Dossier& dossier = *delivery.dossier;

    auto url = config.url.expand(UrlValues{dossier.id, dossier.source_key, dossier.procedure,
                                           delivery.route, delivery.business_id});
    if (!url) return std::move(url).error();
    auto made = makeRequest(config, config.method, std::move(url).value(), delivery.payload,
                            config.timeout_ms);
    if (!made) return std::move(made).error();
    sdk::HttpRequest request = std::move(made).value();
    std::string content_type = config.content_type;
    if (content_type.empty()) content_type = delivery.content_type;
    if (content_type.empty()) content_type = "application/octet-stream";
    request.headers.emplace_back("Content-Type", std::move(content_type));
    request.headers.emplace_back(config.idempotency_header, delivery.idempotency_key);

    const std::string where = config.method + " " + urlForMessages(request.url);
    auto sent = host().http().send(request);
    if (!sent) {
        sdk::Error error = std::move(sent).error();
        host().metrics().increment("rest_transport_errors_total",
                                   {{"code", std::string(sdk::toString(error.code))}});
        host().logger().warn("delivery failed", {{"dossier_id", dossier.id},
                                                 {"code", std::string(sdk::toString(error.code))}});
        error.message = where + ": " + error.message;
        return error;
    }
    const sdk::HttpResponse& response = *sent;
    host().metrics().increment("rest_responses_total",
                               {{"status", sdk::http::statusClass(response.status)}});

    if (contains(config.success_codes, response.status)) {
        const bool ids_in_json = config.business_id.source == IdLocator::Source::Json ||
                                 config.display_id.source == IdLocator::Source::Json;
        std::optional<sdk::Json> json;
        if (!response.body.empty() &&
            (response.body.size() < kMaxKeptResponseBytes || ids_in_json)) {
            if (auto parsed = sdk::Json::parse(response.body)) json = std::move(parsed).value();
        }

        sdk::DeliveryReceipt receipt;
        if (config.business_id.configured()) {
            std::string problem;
            auto id = findId(config.business_id, response, json ? &*json : nullptr, problem);
            if (!id) {
                host().logger().warn(
                    "delivered without a business id",
                    {{"dossier_id", dossier.id}, {"status", std::to_string(response.status)}});
                return sdk::fail(ErrorCode::Permanent,
                                 where + " answered " + statusText(response, config) +
                                     " but relais cannot link the dossier: " + problem +
                                     " (business-id " + config.business_id.text +
                                     "). The application may have created it: "
                                     "check before replaying (a replay sends the same " +
                                     config.idempotency_header + ")" +
                                     excerptSuffix(response, config),
                                 "business-id");
            }
            receipt.business_id = std::move(*id);
        }
        if (config.display_id.configured()) {
            std::string problem;
            if (auto id = findId(config.display_id, response, json ? &*json : nullptr, problem)) {
                receipt.display_id = std::move(*id);
            } else {
                // Cosmetic: the citizen sees relais's reference instead.
                host().logger().warn("no display id in the answer",
                                     {{"dossier_id", dossier.id}, {"problem", problem}});
            }
        }
        if (json && response.body.size() < kMaxKeptResponseBytes) {
            receipt.response = std::move(*json);
        }
        host().logger().info("dossier delivered", {{"dossier_id", dossier.id},
                                                   {"status", std::to_string(response.status)},
                                                   {"business_id", receipt.business_id}});
        return receipt;
    }

    const bool retry = contains(config.retry_codes, response.status);
    host().logger().warn(retry ? "delivery refused for now" : "delivery refused",
                         {{"dossier_id", dossier.id}, {"status", std::to_string(response.status)}});
    return refusal(config, response, where);
}

sdk::Error RestConnector::refusal(const RestConfig& config, const sdk::HttpResponse& response,
                                  const std::string& where) const {
    const bool retry = contains(config.retry_codes, response.status);
    sdk::Error error = sdk::fail(retry ? ErrorCode::Retryable : ErrorCode::Permanent,
                                 where + " answered " + statusText(response, config));
    if (retry) {
        error.retry_after_seconds =
            retryAfterSeconds(response.header("Retry-After"), host().clock().now());
        if (error.retry_after_seconds > 0) {
            error.message += " (retry after " + std::to_string(error.retry_after_seconds) + " s)";
        }
    }
    error.message += excerptSuffix(response, config);
    return error;
}

}  // namespace relais::plugins::rest
