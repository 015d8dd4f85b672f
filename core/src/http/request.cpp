// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/http/request.h"

#include <Poco/Net/HTTPResponse.h>

#include "relais/common/strings.h"

namespace relais::http {
namespace {

std::string_view find(const Params& params, std::string_view name) noexcept {
    for (const auto& [key, value] : params) {
        if (key == name) return value;
    }
    return {};
}

// The `type` slug of the statuses relais sends; others get `http-<status>`.
std::string defaultSlug(int status) {
    switch (status) {
        case 400:
            return "bad-request";
        case 401:
            return "unauthorized";
        case 403:
            return "forbidden";
        case 404:
            return "not-found";
        case 405:
            return "method-not-allowed";
        case 406:
            return "not-acceptable";
        case 408:
            return "request-timeout";
        case 409:
            return "conflict";
        case 410:
            return "gone";
        case 411:
            return "length-required";
        case 412:
            return "precondition-failed";
        case 413:
            return "payload-too-large";
        case 414:
            return "uri-too-long";
        case 415:
            return "unsupported-media-type";
        case 422:
            return "unprocessable-content";
        case 429:
            return "too-many-requests";
        case 431:
            return "request-header-fields-too-large";
        case 500:
            return "internal-error";
        case 501:
            return "not-implemented";
        case 502:
            return "bad-gateway";
        case 503:
            return "service-unavailable";
        case 504:
            return "gateway-timeout";
        default:
            return "http-" + std::to_string(status);
    }
}

}  // namespace

std::string Request::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (common::equalsIgnoreCase(key, name)) return value;
    }
    return {};
}

std::string Request::param(std::string_view name) const {
    return std::string(find(path_params, name));
}

std::string Request::queryParam(std::string_view name) const {
    return std::string(find(query, name));
}

bool Request::hasQueryParam(std::string_view name) const {
    for (const auto& entry : query) {
        if (entry.first == name) return true;
    }
    return false;
}

Response jsonResponse(int status, const sdk::Json& body) {
    Response response;
    response.status = status;
    response.content_type = "application/json";
    body.dumpTo(response.body);
    return response;
}

Response problem(int status, std::string_view title, std::string_view detail,
                 std::string_view field, std::string_view slug) {
    sdk::Json document = sdk::Json::object();
    document.set("type",
                 "urn:relais:problem:" + (slug.empty() ? defaultSlug(status) : std::string(slug)));
    document.set("title", title);
    document.set("status", status);
    document.set("detail", detail);
    if (!field.empty()) document.set("field", field);
    Response response;
    response.status = status;
    response.content_type = "application/problem+json";
    document.dumpTo(response.body);
    return response;
}

int statusFor(sdk::ErrorCode code) noexcept {
    switch (code) {
        case sdk::ErrorCode::InvalidArgument:
            return 400;
        case sdk::ErrorCode::NotFound:
            return 404;
        case sdk::ErrorCode::Conflict:
            return 409;
        case sdk::ErrorCode::Unauthorized:
            return 401;
        case sdk::ErrorCode::Forbidden:
            return 403;
        case sdk::ErrorCode::TooLarge:
            return 413;
        case sdk::ErrorCode::Unsupported:
            return 501;
        case sdk::ErrorCode::Retryable:
        case sdk::ErrorCode::Permanent:
            return 502;
        case sdk::ErrorCode::Unavailable:
            return 503;
        case sdk::ErrorCode::Timeout:
            return 504;
        case sdk::ErrorCode::Internal:
            return 500;
    }
    return 500;
}

Response problemFromError(const sdk::Error& error) {
    const int status = statusFor(error.code);
    const auto& title = Poco::Net::HTTPResponse::getReasonForStatus(
        static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
    Response response = problem(status, title, error.message, error.field);
    if (error.retry_after_seconds > 0) {
        response.headers.emplace_back("Retry-After", std::to_string(error.retry_after_seconds));
    }
    if (error.code == sdk::ErrorCode::Unauthorized) {
        response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"relais\"");
    }
    return response;
}

}  // namespace relais::http
