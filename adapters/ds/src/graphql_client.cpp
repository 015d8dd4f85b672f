// SPDX-License-Identifier: AGPL-3.0-or-later
#include "graphql_client.h"

#include "relais/sdk/http_helpers.h"
#include "relais/sdk/text.h"

namespace relais::adapters::ds {
namespace {

using sdk::ErrorCode;

bool isNameChar(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

// DS's messages of a top-level `errors` array, joined.
std::string errorMessages(const sdk::Json& errors, const std::string& token) {
    std::string joined;
    for (std::size_t i = 0; i < errors.size(); ++i) {
        const sdk::Json* message = errors.at(i)->find("message");
        if (message == nullptr || !message->isString()) continue;
        if (!joined.empty()) joined += "; ";
        joined += message->asString();
    }
    if (joined.empty()) joined = "(no message)";
    return sdk::http::safeExcerpt(joined, {token}, 300);
}

}  // namespace

std::string operationNameOf(std::string_view document) {
    const std::string_view text = sdk::text::trim(document);
    for (const std::string_view keyword : {"query", "mutation", "subscription"}) {
        if (!text.starts_with(keyword)) continue;
        std::size_t at = keyword.size();
        if (at < text.size() && isNameChar(text[at])) continue;  // `queryX` is no keyword
        while (at < text.size() && (text[at] == ' ' || text[at] == '\n' || text[at] == '\t')) {
            ++at;
        }
        const std::size_t start = at;
        while (at < text.size() && isNameChar(text[at])) ++at;
        return std::string(text.substr(start, at - start));
    }
    return {};
}

sdk::Result<sdk::Json> executeGraphql(sdk::HttpClient& http, const GraphqlEndpoint& endpoint,
                                      std::string_view token, std::string_view document,
                                      const sdk::Json& variables, sdk::Timestamp now) {
    sdk::Json body = sdk::Json::object();
    body.set("query", std::string(document));
    body.set("variables", variables.isNull() ? sdk::Json::object() : variables);
    if (std::string name = operationNameOf(document); !name.empty()) {
        body.set("operationName", std::move(name));
    }
    sdk::HttpRequest request;
    request.method = "POST";
    request.url = endpoint.url;
    request.headers = {{"Authorization", "Bearer " + std::string(token)},
                       {"Content-Type", "application/json"},
                       {"Accept", "application/json"}};
    request.body = body.dump();
    request.timeout_ms = endpoint.timeout_ms;
    request.tls = endpoint.tls;
    auto response = http.send(request);
    if (!response) return std::move(response).error();

    const std::string secret(token);
    const int status = response->status;
    if (status == 401 || status == 403) {
        return sdk::fail(ErrorCode::Permanent,
                         "DS refused the API token (HTTP " + std::to_string(status) +
                             "): it is wrong, expired, or lacks the right for this call "
                             "(sending decisions needs a read-write token)",
                         "token");
    }
    if (!sdk::http::isSuccessStatus(status)) {
        std::string message = "DS answered HTTP " + std::to_string(status) + ": " +
                              sdk::http::safeExcerpt(response->body, {secret}, 120);
        if (sdk::http::isRetryableStatus(status)) {
            sdk::Error error = sdk::fail(ErrorCode::Retryable, std::move(message));
            error.retry_after_seconds =
                sdk::http::retryAfterSeconds(response->header("Retry-After"), now);
            return error;
        }
        return sdk::fail(ErrorCode::Permanent, std::move(message));
    }
    auto answer = sdk::Json::parse(response->body);
    if (!answer || !answer->isObject()) {
        return sdk::fail(ErrorCode::Permanent,
                         "DS answered with something other than a JSON object: " +
                             sdk::http::safeExcerpt(response->body, {secret}, 120));
    }
    if (const sdk::Json* errors = answer->find("errors");
        errors != nullptr && errors->isArray() && errors->size() > 0) {
        const sdk::Json* code = errors->at(0)->path("extensions.code");
        const bool transient = code != nullptr && code->asString() == "timeout";
        return sdk::fail(transient ? ErrorCode::Retryable : ErrorCode::Permanent,
                         "DS answered: " + errorMessages(*errors, secret), "errors");
    }
    sdk::Json* data = answer->find("data");
    if (data == nullptr || !data->isObject()) {
        return sdk::fail(ErrorCode::Permanent, "DS answered without data", "data");
    }
    return std::move(*data);
}

}  // namespace relais::adapters::ds
