// SPDX-License-Identifier: AGPL-3.0-or-later
#include <algorithm>
#include <ostream>
#include <string>

#include "relais/common/strings.h"

#include "http/request_handler.h"
#include "http/server_state.h"

namespace relais::http::detail {
namespace {

bool isToken(std::string_view text) noexcept {
    if (text.empty()) return false;
    return std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    });
}

bool isSafeHeaderValue(std::string_view value) noexcept {
    return std::none_of(value.begin(), value.end(),
                        [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

// Headers that frame the message are the server's business: a handler setting them could
// desynchronise the connection.
bool isFramingHeader(std::string_view name) noexcept {
    return common::equalsIgnoreCase(name, "Content-Length") ||
           common::equalsIgnoreCase(name, "Transfer-Encoding") ||
           common::equalsIgnoreCase(name, "Connection") ||
           common::equalsIgnoreCase(name, "X-Request-Id");
}

}  // namespace

void RequestHandler::send(Poco::Net::HTTPServerResponse& response, Response& answer) {
    if (answer.status < 100 || answer.status > 999) {
        answer = internalError("handler returned HTTP status " + std::to_string(answer.status));
    }
    if (answer.content_type == "application/problem+json") {
        // Every problem document names the request, so a caller can quote it to an operator.
        auto parsed = sdk::Json::parse(answer.body);
        if (parsed && parsed->isObject() && parsed->find("instance") == nullptr) {
            parsed->set("instance", request_.request_id);
            answer.body = parsed->dump();
        }
    }
    // An unread body would be parsed as the next request on this connection.
    if (state_.stopping() || !body_consumed_) close_ = true;

    response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(answer.status),
                                reasonFor(answer.status));
    bool has_cache_control = false;
    for (const auto& [name, value] : answer.headers) {
        if (!isToken(name) || !isSafeHeaderValue(value) || isFramingHeader(name)) {
            state_.errorLogger().warn("handler header dropped",
                                      {{"request_id", request_.request_id},
                                       {"header", isToken(name) ? name : "(invalid name)"}});
            continue;
        }
        has_cache_control = has_cache_control || common::equalsIgnoreCase(name, "Cache-Control");
        response.add(name, value);
    }
    response.set("X-Request-Id", request_.request_id);
    response.set("X-Content-Type-Options", "nosniff");
    // Answers carry personal data more often than not: no cache keeps them unless the
    // handler says otherwise.
    if (!has_cache_control) response.set("Cache-Control", "no-store");
    if (close_) response.setKeepAlive(false);

    const bool no_body = answer.status < 200 || answer.status == 204 || answer.status == 304 ||
                         request_.method == "HEAD";
    if (!no_body) {
        if (!answer.content_type.empty()) response.setContentType(answer.content_type);
        response.setContentLength64(static_cast<Poco::Int64>(answer.body.size()));
    }
    std::ostream& out = response.send();
    if (!no_body) {
        out.write(answer.body.data(), static_cast<std::streamsize>(answer.body.size()));
        bytes_out_ = answer.body.size();
    }
    out.flush();
    if (!out) {
        // The client went away: nothing more to say to it, and nothing to keep alive.
        response.setKeepAlive(false);
        close_ = true;
    }
}

}  // namespace relais::http::detail
