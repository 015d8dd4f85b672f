// SPDX-License-Identifier: AGPL-3.0-or-later
#include <stdexcept>
#include <string>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerSession.h>

#include "http/chunked_body.h"
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

std::optional<Response> RequestHandler::readBody(Poco::Net::HTTPServerRequest& request) {
    if (!chunked_ && content_length_ <= 0) return std::nullopt;
    try {
        return chunked_ ? readChunked(request) : readFixed(request.stream());
    } catch (const Poco::TimeoutException&) {
        close_ = true;
        return makeProblem(408, "the body did not arrive in time");
    } catch (const Poco::Exception& e) {
        // Reset or broken connection: the answer will probably not arrive either.
        close_ = true;
        return makeProblem(400, "the body could not be read: " + e.message());
    } catch (const std::exception& e) {
        close_ = true;
        return internalError(e.what());
    }
}

std::optional<Response> RequestHandler::readFixed(std::istream& in) {
    // Make the stream rethrow what its buffer throws (timeouts, resets) instead of only
    // setting badbit, so that each failure gets its own status.
    in.exceptions(std::ios::badbit);
    std::string& body = request_.body;
    const auto expected = static_cast<std::size_t>(content_length_);
    body.resize(expected);
    in.read(body.data(), static_cast<std::streamsize>(expected));
    bytes_in_ = static_cast<std::size_t>(in.gcount());
    if (bytes_in_ < expected) {
        body.clear();
        close_ = true;
        return makeProblem(400, "the body ended after " + std::to_string(bytes_in_) + " of the " +
                                    std::to_string(expected) +
                                    " bytes announced by Content-Length");
    }
    body_consumed_ = true;
    return std::nullopt;
}

std::optional<Response> RequestHandler::readChunked(Poco::Net::HTTPServerRequest& request) {
    auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request);
    if (impl == nullptr) throw std::logic_error("request does not come from Poco's HTTP server");
    const auto result = readChunkedBody(impl->session(), body_limit_, request_.body);
    bytes_in_ = request_.body.size();
    switch (result.outcome) {
        case ChunkedOutcome::Complete:
            body_consumed_ = true;
            return std::nullopt;
        case ChunkedOutcome::TooLarge:
            request_.body.clear();
            close_ = true;
            return makeProblem(
                413, "the body exceeds the limit of " + std::to_string(body_limit_) + " bytes");
        case ChunkedOutcome::Malformed:
        case ChunkedOutcome::Truncated:
            break;
    }
    request_.body.clear();
    close_ = true;
    return makeProblem(400, "malformed chunked body: " + result.detail);
}

}  // namespace relais::http::detail
