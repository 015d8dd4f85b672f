// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "relais/http/request.h"
#include "relais/http/router.h"

#include "http/head_parser.h"
#include "http/peer_certificate.h"

/// @file
/// The per-request handling of the HTTP server (internal to relais_http): what happens
/// between a request's head having arrived and its response having left, in the order
/// documented in `relais/http/server.h`. The connection (connection.h) moves the bytes;
/// this decides. The stages are implemented one per file: request_handler.cpp (life
/// cycle), request_framing.cpp, request_routing.cpp, request_authentication.cpp (with
/// peer_certificate.h), request_authorization.cpp (rate and rights), request_body.cpp,
/// response_sending.cpp.

namespace relais::http::detail {

class ServerState;

using Clock = std::chrono::steady_clock;

/// The route name of requests that matched none, in logs and refusals.
inline constexpr std::string_view kUnmatched = "unmatched";

/// The standard reason phrase of `status`.
std::string reasonFor(int status);

/// A problem document with the standard title of `status`.
Response makeProblem(int status, std::string_view detail, std::string_view field = {});

/// One request, from the end of its head to the end of its response; counts itself in
/// flight for its whole life. Used by one thread at a time: the connection's event loop,
/// then (for `respond`) a worker, then the event loop again.
class RequestHandler {
public:
    /// How the body is framed, once `prepare` let the request through.
    enum class Body { None, Fixed, Chunked };

    RequestHandler(ServerState& state, std::string remote_address);
    ~RequestHandler();
    RequestHandler(const RequestHandler&) = delete;
    RequestHandler& operator=(const RequestHandler&) = delete;

    /// The checks before the body (framing, target, route, authentication with `peer`,
    /// rate and right, declared size). Never throws: an unexpected failure becomes a 500.
    void prepare(RequestHead& head, const PeerCertificate& peer) noexcept;
    /// Answers with `answer` without running the route (an unparsable head, a connection
    /// beyond its address's limit, no worker free); the connection closes when `close`.
    void refuse(Response answer, bool close = false) {
        refusal_ = std::move(answer);
        close_ = close_ || close;
    }
    bool refused() const noexcept { return refusal_.has_value(); }
    /// The connection closes after this response (it carried its share of requests).
    void closeAfterResponse() noexcept { close_ = true; }

    Body body() const noexcept;
    std::int64_t contentLength() const noexcept { return content_length_; }
    std::size_t bodyLimit() const noexcept { return body_limit_; }
    /// Where the connection puts the body's content.
    std::string& bodyBuffer() noexcept { return request_.body; }
    /// The whole body arrived (`bytes` on the wire).
    void bodyRead(std::size_t bytes) noexcept;
    /// The body could not be read (too large, malformed): answered with `answer`, and the
    /// connection closes.
    void bodyFailed(Response answer) noexcept;
    /// Whether `Expect: 100-continue` asked for an interim answer before the body.
    bool wantsContinue() const noexcept { return expect_continue_ && !refusal_; }
    /// Whether `respond` may run on the event loop: the route is `Endpoint::immediate`, or
    /// the request is refused with nothing to write to the audit trail.
    bool immediate() const noexcept;

    /// Runs the request (its refusal, or the body signature check and the route's
    /// handler) and returns the response as bytes for the wire. Never throws.
    std::string respond() noexcept;
    /// Whether the connection must close after the response.
    bool closeAfter() const noexcept { return close_; }
    /// Whether the request's body is entirely off the connection (else the connection
    /// closes, lingering so that the client still sending sees the answer).
    bool bodyConsumed() const noexcept { return body_consumed_; }
    /// Counts the request and writes its access-log line, once the response is written
    /// (`written` false: it could not be).
    void finish(bool written) noexcept;

private:
    void check(RequestHead& head, const PeerCertificate& peer);
    // The stages of `check`, in order (request_framing.cpp, request_routing.cpp,
    // request_authentication.cpp, request_body.cpp); each refuses or returns.
    void checkFraming(const RequestHead& head);
    void checkTarget(const RequestHead& head);
    void matchRoute();
    void authenticate(const RequestHead& head, const PeerCertificate& peer);
    void checkDeclaredSize();
    std::optional<Response> checkBodySignature();
    std::optional<Response> authorize();
    void tellRefusal(const Response& answer) noexcept;
    /// Passes a refusal through the matched route's `RefusalShaper`, if it has one.
    void shapeRefusal(Response& answer) noexcept;
    Response invoke();
    Response internalError(std::string_view what);
    std::string serialise(Response& answer);

    ServerState& state_;
    Clock::time_point started_;
    Request request_;
    std::string raw_path_;
    int minor_version_ = 1;
    bool keep_alive_ = false;
    bool expect_continue_ = false;
    const Endpoint* route_ = nullptr;
    std::optional<Response> refusal_;
    int status_ = 0;
    bool close_ = false;                // close the connection after the response
    bool chunked_ = false;              // `Transfer-Encoding: chunked`
    std::int64_t content_length_ = -1;  // -1: no Content-Length
    bool body_consumed_ = true;         // nothing of the body is left on the connection
    std::size_t body_limit_ = 0;
    std::size_t bytes_in_ = 0;
    std::size_t bytes_out_ = 0;
    std::string signature_header_;         // `X-Relais-Signature`, for `checkBodySignature`
    bool body_signature_pending_ = false;  // the client signed its body
    bool audit_refusal_ = false;           // a 403 of the rights check, for the observer
};

}  // namespace relais::http::detail
