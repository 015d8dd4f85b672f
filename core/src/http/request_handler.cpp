// SPDX-License-Identifier: AGPL-3.0-or-later
#include "http/request_handler.h"

#include <exception>
#include <memory>
#include <utility>

#include <Poco/Net/HTTPServerRequestImpl.h>

#include "relais/common/crypto.h"
#include "relais/http/caller.h"
#include "relais/http/server.h"

#include "http/server_state.h"

namespace relais::http::detail {
namespace {

constexpr std::size_t kMaxRequestIdLength = 128;
// A client-supplied request id is echoed in headers and logs: keep it short and made of
// characters that cannot break either.
std::string sanitiseRequestId(std::string_view given) {
    std::string id;
    for (const char c : given) {
        if (id.size() == kMaxRequestIdLength) break;
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == ':';
        if (ok) id += c;
    }
    return id.empty() ? common::uuidV4() : id;
}

}  // namespace

std::string reasonFor(int status) {
    return Poco::Net::HTTPResponse::getReasonForStatus(
        static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
}

Response makeProblem(int status, std::string_view detail, std::string_view field) {
    return problem(status, reasonFor(status), detail, field);
}

RequestHandler::RequestHandler(ServerState& state) : state_(state), started_(Clock::now()) {
    state_.beginRequest();
}
RequestHandler::~RequestHandler() {
    // The next request on this connection has the keep-alive wait, then its own header
    // deadline.
    if (socket_ != nullptr) {
        const auto& limits = state_.limits();
        state_.guard().arm(*socket_, ConnectionGuard::Clock::now() +
                                         std::chrono::milliseconds(limits.keep_alive_timeout_ms) +
                                         std::chrono::milliseconds(limits.header_timeout_ms));
    }
    state_.endRequest();
}

void RequestHandler::prepare(const Poco::Net::HTTPServerRequest& request) noexcept {
    try {
        // Poco hands the factory a const request; the socket is only watched from here.
        auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(
            const_cast<Poco::Net::HTTPServerRequest*>(&request));
        if (impl != nullptr) socket_ = &impl->socket();
        check(request);
    } catch (const std::exception& e) {
        refusal_ = internalError(e.what());
        close_ = true;
    } catch (...) {
        refusal_ = internalError("unknown exception");
        close_ = true;
    }
    body_consumed_ = !chunked_ && content_length_ <= 0;
    if (socket_ != nullptr) {
        // Headers are in: the body (if any) has its own deadline; handling has none.
        if (body_consumed_ || refusal_) {
            state_.guard().disarm(*socket_);
        } else {
            state_.guard().arm(*socket_,
                               ConnectionGuard::Clock::now() +
                                   std::chrono::milliseconds(state_.limits().body_timeout_ms));
        }
    }
}

void RequestHandler::check(const Poco::Net::HTTPServerRequest& request) {
    request_.method = request.getMethod();
    request_.request_id = sanitiseRequestId(request.get("X-Request-Id", ""));
    request_.remote_address = request.clientAddress().toString();

    // Each stage refuses (sets `refusal_`) or lets the next one run.
    checkFraming(request);
    if (!refusal_) checkTarget(request);
    if (!refusal_) matchRoute();
    if (!refusal_ && !route_->right.empty()) authenticate(request);
    if (!refusal_) checkDeclaredSize();
}

void RequestHandler::handleRequest(Poco::Net::HTTPServerRequest& request,
                                   Poco::Net::HTTPServerResponse& response) {
    Response answer;
    bool refused = true;  // answered by the server, before the route's handler
    if (refusal_) {
        answer = std::move(*refusal_);
    } else if (auto body_error = readBody(request)) {
        answer = std::move(*body_error);
    } else {
        if (socket_ != nullptr) state_.guard().disarm(*socket_);
        if (auto signature_error = checkBodySignature()) {
            answer = std::move(*signature_error);
        } else {
            refused = false;
            answer = invoke();
            if (answer.status == 403 && !answer.audited) tellRefusal(answer);
        }
    }
    if (refused && route_ != nullptr) shapeRefusal(answer);
    try {
        send(response, answer);
    } catch (const std::exception& e) {
        // Nothing more can be said to this client; the request is still counted and logged.
        close_ = true;
        response.setKeepAlive(false);
        state_.errorLogger().warn("response not sent",
                                  {{"request_id", request_.request_id}, {"error", e.what()}});
    }

    ServerState::Outcome outcome;
    outcome.method = request_.method;
    outcome.raw_path = raw_path_;
    outcome.route = route_;
    outcome.status = answer.status;
    outcome.bytes_in = bytes_in_;
    outcome.bytes_out = bytes_out_;
    outcome.seconds = std::chrono::duration<double>(Clock::now() - started_).count();
    outcome.client =
        request_.client != nullptr ? std::string_view(request_.client->name()) : std::string_view();
    outcome.request_id = request_.request_id;
    outcome.remote = request_.remote_address;
    state_.record(outcome);

    if (close_ && !body_consumed_) linger(request);
}

void RequestHandler::tellRefusal(const Response& answer) noexcept try {
    std::string detail;
    if (auto parsed = sdk::Json::parse(answer.body)) {
        if (const sdk::Json* text = parsed->find("detail"); text != nullptr && text->isString()) {
            detail = text->asString();
        }
    }
    Refusal refusal;
    refusal.client =
        request_.client != nullptr ? std::string_view(request_.client->name()) : std::string_view();
    refusal.route = route_ != nullptr ? std::string_view(route_->name) : kUnmatched;
    refusal.method = request_.method;
    refusal.path = request_.path;
    refusal.detail = detail;
    refusal.request_id = request_.request_id;
    state_.refused(refusal);
} catch (...) {
    // Out of memory while describing it: the 403 still goes out; the pipeline logs what the
    // observer could not record, here there is nothing left to log with.
}

void RequestHandler::shapeRefusal(Response& answer) noexcept try {
    if (const RefusalShaper* shaper = state_.router().refusalShaper(route_->name)) {
        (*shaper)(request_, answer);
    }
} catch (...) {
    // The shaper could not rewrite it: the refusal goes out as the server wrote it.
}

Response RequestHandler::invoke() {
    try {
        return route_->handler(request_);
    } catch (const std::exception& e) {
        return internalError(e.what());
    } catch (...) {
        return internalError("unknown exception");
    }
}

Response RequestHandler::internalError(std::string_view what) {
    // The exception text may hold anything (paths, SQL, personal data): it goes to the log,
    // under the request id that the caller sees, and never into the response.
    state_.errorLogger().error(
        "request failed with an exception",
        {{"request_id", request_.request_id},
         {"route", route_ != nullptr ? route_->name : std::string(kUnmatched)},
         {"method", request_.method},
         {"error", std::string(what)}});
    return makeProblem(500,
                       "the request could not be handled because of an internal error; "
                       "the operator can find it in the logs under this request id");
}

Poco::Net::HTTPRequestHandler* HandlerFactory::createRequestHandler(
    const Poco::Net::HTTPServerRequest& request) {
    auto handler = std::make_unique<RequestHandler>(state_);
    handler->prepare(request);
    if (handler->refusal()) {
        request.response().setStatus(
            static_cast<Poco::Net::HTTPResponse::HTTPStatus>(handler->refusal()->status));
    }
    return handler.release();
}

}  // namespace relais::http::detail
