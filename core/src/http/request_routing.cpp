// SPDX-License-Identifier: AGPL-3.0-or-later
#include <string>
#include <utility>

#include "relais/common/strings.h"

#include "http/request_handler.h"
#include "http/server_state.h"
#include "http/url.h"

namespace relais::http::detail {

void RequestHandler::checkTarget(const RequestHead& head) {
    // Target.
    std::string_view raw_path;
    std::string_view raw_query;
    if (!url::splitTarget(head.target, raw_path, raw_query)) {
        return refuse(makeProblem(400, "the request target must be a path starting with '/'"),
                      true);
    }
    raw_path_ = std::string(raw_path);
    auto path = url::decodePath(raw_path);
    if (!path) {
        return refuse(makeProblem(400,
                                  "the path has a malformed percent-escape, a NUL byte or "
                                  "a '.' or '..' segment"));
    }
    request_.path = std::move(*path);
    request_.raw_query = std::string(raw_query);
    auto query = url::parseQuery(raw_query);
    if (!query) return refuse(problemFromError(query.error()));
    request_.query = std::move(query).value();
}

void RequestHandler::matchRoute() {
    // Route.
    auto match = state_.router().match(request_.method, raw_path_);
    if (match.kind == Match::Kind::NotFound) {
        return refuse(makeProblem(404, "nothing is served at this path"));
    }
    if (match.kind == Match::Kind::MethodNotAllowed) {
        const auto allowed = common::join(match.allowed_methods, ", ");
        auto answer = makeProblem(
            405, "method " + request_.method + " is not allowed here; allowed: " + allowed);
        answer.headers.emplace_back("Allow", allowed);
        return refuse(std::move(answer));
    }
    route_ = match.route;
    request_.path_params = std::move(match.params);
}

}  // namespace relais::http::detail
