// SPDX-License-Identifier: AGPL-3.0-or-later
#include <string>

#include "relais/http/authenticator.h"

#include "http/request_handler.h"
#include "http/server_state.h"

namespace relais::http::detail {

std::optional<Response> RequestHandler::authorize() {
    const Caller& client = *request_.client;
    if (const auto wait = state_.rateLimiter().admit(client); wait > 0) {
        auto answer = makeProblem(429, "client '" + client.name() +
                                           "' sends more requests than its rate allows; "
                                           "retry in " +
                                           std::to_string(wait) + " s");
        answer.headers.emplace_back("Retry-After", std::to_string(wait));
        return answer;
    }
    if (!client.hasRight(route_->right)) {
        auto answer = makeProblem(
            403, "client '" + client.name() + "' lacks the right '" + route_->right + "'");
        // Told to the refusal observer (the audit trail, a write) by `respond`, off the
        // event loop.
        audit_refusal_ = true;
        return answer;
    }
    return std::nullopt;
}

}  // namespace relais::http::detail
