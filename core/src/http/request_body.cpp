// SPDX-License-Identifier: AGPL-3.0-or-later
#include <string>

#include "http/request_handler.h"
#include "http/server_state.h"

namespace relais::http::detail {

void RequestHandler::checkDeclaredSize() {
    const auto& limits = state_.limits();
    // Declared size: refused before a single byte of the body is read.
    body_limit_ = route_->max_body_bytes != 0 ? route_->max_body_bytes : limits.max_body_bytes;
    if (content_length_ > 0 && static_cast<std::uint64_t>(content_length_) > body_limit_) {
        return refuse(makeProblem(413, "the body (" + std::to_string(content_length_) +
                                           " bytes) exceeds the limit of " +
                                           std::to_string(body_limit_) + " bytes"),
                      true);
    }
}

void RequestHandler::bodyRead(std::size_t bytes) noexcept {
    bytes_in_ = bytes;
    body_consumed_ = true;
}

void RequestHandler::bodyFailed(Response answer) noexcept {
    bytes_in_ = request_.body.size();
    request_.body.clear();
    refuse(std::move(answer), true);
}

}  // namespace relais::http::detail
