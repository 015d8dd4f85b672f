// SPDX-License-Identifier: AGPL-3.0-or-later
#include "http/request_handler.h"

#include <exception>
#include <memory>
#include <utility>

#include <Poco/Net/HTTPResponse.h>

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

RequestHandler::RequestHandler(ServerState& state, std::string remote_address)
    : state_(state), started_(Clock::now()) {
    request_.remote_address = std::move(remote_address);
    state_.beginRequest();
}

RequestHandler::~RequestHandler() { state_.endRequest(); }

void RequestHandler::prepare(RequestHead& head, const PeerCertificate& peer) noexcept {
    try {
        check(head, peer);
    } catch (const std::exception& e) {
        refusal_ = internalError(e.what());
        close_ = true;
    } catch (...) {
        refusal_ = internalError("unknown exception");
        close_ = true;
    }
    body_consumed_ = !chunked_ && content_length_ <= 0;
}

void RequestHandler::check(RequestHead& head, const PeerCertificate& peer) {
    request_.method = head.method;
    minor_version_ = head.minor_version;
    keep_alive_ = head.keepAlive();
    expect_continue_ = minor_version_ >= 1 && head.expectsContinue();
    request_.request_id = sanitiseRequestId(head.get("X-Request-Id"));

    // Each stage refuses (sets `refusal_`) or lets the next one run.
    checkFraming(head);
    if (!refusal_) checkTarget(head);
    if (!refusal_) matchRoute();
    if (!refusal_ && !route_->right.empty()) authenticate(head, peer);
    if (!refusal_) checkDeclaredSize();
    // The head is read no more: the handler gets its fields without a copy.
    request_.headers = std::move(head.fields);
}

RequestHandler::Body RequestHandler::body() const noexcept {
    if (refusal_ || body_consumed_) return Body::None;
    return chunked_ ? Body::Chunked : Body::Fixed;
}

bool RequestHandler::immediate() const noexcept {
    if (refusal_) return !audit_refusal_;
    return route_ != nullptr && route_->immediate && !body_signature_pending_;
}

std::string RequestHandler::respond() noexcept {
    Response answer;
    try {
        if (request_.request_id.empty()) request_.request_id = common::uuidV4();
        bool refused = true;  // answered by the server, before the route's handler
        if (refusal_) {
            answer = std::move(*refusal_);
        } else if (auto signature_error = checkBodySignature()) {
            answer = std::move(*signature_error);
        } else {
            refused = false;
            answer = invoke();
            if (answer.status == 403 && !answer.audited) tellRefusal(answer);
        }
        if (refused && audit_refusal_) tellRefusal(answer);
        if (refused && route_ != nullptr) shapeRefusal(answer);
        return serialise(answer);
    } catch (const std::exception& e) {
        // Out of memory while writing the answer: the connection closes without one.
        close_ = true;
        status_ = 500;
        state_.errorLogger().warn("response not sent",
                                  {{"request_id", request_.request_id}, {"error", e.what()}});
        return {};
    }
}

void RequestHandler::finish(bool written) noexcept {
    if (!written) close_ = true;
    ServerState::Outcome outcome;
    outcome.method = request_.method;
    outcome.raw_path = raw_path_;
    outcome.route = route_;
    outcome.status = status_;
    outcome.bytes_in = bytes_in_;
    outcome.bytes_out = written ? bytes_out_ : 0;
    outcome.seconds = std::chrono::duration<double>(Clock::now() - started_).count();
    outcome.client =
        request_.client != nullptr ? std::string_view(request_.client->name()) : std::string_view();
    outcome.request_id = request_.request_id;
    outcome.remote = request_.remote_address;
    state_.record(outcome);
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

}  // namespace relais::http::detail
