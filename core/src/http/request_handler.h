// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <string_view>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/StreamSocket.h>

#include "relais/http/request.h"
#include "relais/http/router.h"

/// @file
/// The per-request handling of the HTTP server (internal to relais_http): what happens
/// between Poco having read a request's headers and the response leaving, in the order
/// documented in `relais/http/server.h`. The handler's stages are implemented one per file:
/// request_handler.cpp (life cycle, factory), request_framing.cpp, request_routing.cpp,
/// request_authentication.cpp (with peer_certificate.h), request_authorization.cpp (rate
/// and rights), request_body.cpp, response_sending.cpp, lingering_close.cpp.

namespace relais::http::detail {

class ServerState;

using Clock = std::chrono::steady_clock;

/// The route name of requests that matched none, in logs and refusals.
inline constexpr std::string_view kUnmatched = "unmatched";

/// The standard reason phrase of `status`.
std::string reasonFor(int status);

/// A problem document with the standard title of `status`.
Response makeProblem(int status, std::string_view detail, std::string_view field = {});

/// One request, from the end of its headers to the end of its response. Created by the
/// factory on a connection thread, deleted by Poco once `handleRequest` returned (or
/// threw); counts itself in flight for its whole life.
class RequestHandler final : public Poco::Net::HTTPRequestHandler {
public:
    explicit RequestHandler(ServerState& state);
    ~RequestHandler() override;
    RequestHandler(const RequestHandler&) = delete;
    RequestHandler& operator=(const RequestHandler&) = delete;

    /// The checks before the body. Never throws: an unexpected failure becomes a 500.
    void prepare(const Poco::Net::HTTPServerRequest& request) noexcept;
    const std::optional<Response>& refusal() const noexcept { return refusal_; }

    void handleRequest(Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response) override;

private:
    void check(const Poco::Net::HTTPServerRequest& request);
    // The stages of `check`, in order (request_framing.cpp, request_routing.cpp,
    // request_authentication.cpp, request_body.cpp); each refuses or returns.
    void checkFraming(const Poco::Net::HTTPServerRequest& request);
    void checkTarget(const Poco::Net::HTTPServerRequest& request);
    void matchRoute();
    void authenticate(const Poco::Net::HTTPServerRequest& request);
    void checkDeclaredSize();
    void refuse(Response response, bool close = false) {
        refusal_ = std::move(response);
        close_ = close_ || close;
    }
    std::optional<Response> readBody(Poco::Net::HTTPServerRequest& request);
    std::optional<Response> readFixed(std::istream& in);
    std::optional<Response> readChunked(Poco::Net::HTTPServerRequest& request);
    std::optional<Response> checkBodySignature();
    std::optional<Response> authorize();
    void tellRefusal(const Response& answer) noexcept;
    /// Passes a refusal through the matched route's `RefusalShaper`, if it has one.
    void shapeRefusal(Response& answer) noexcept;
    Response invoke();
    Response internalError(std::string_view what);
    void send(Poco::Net::HTTPServerResponse& response, Response& answer);
    void linger(Poco::Net::HTTPServerRequest& request) noexcept;

    ServerState& state_;
    Clock::time_point started_;
    Request request_;
    std::string raw_path_;
    const Endpoint* route_ = nullptr;
    std::optional<Response> refusal_;
    bool close_ = false;                // close the connection after the response
    bool chunked_ = false;              // `Transfer-Encoding: chunked`
    std::int64_t content_length_ = -1;  // -1: no Content-Length
    bool body_consumed_ = false;        // nothing of the body is left on the connection
    std::size_t body_limit_ = 0;
    std::size_t bytes_in_ = 0;
    std::size_t bytes_out_ = 0;
    Poco::Net::StreamSocket* socket_ = nullptr;  // the connection's, for its deadlines
    std::string signature_header_;               // `X-Relais-Signature`, for `checkBodySignature`
    bool body_signature_pending_ = false;        // the client signed its body
};

/// Creates one handler per request. Owned by Poco's HTTPServer (reference counted).
class HandlerFactory final : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit HandlerFactory(ServerState& state) noexcept : state_(state) {}

    /// Runs the checks that come before the body (framing, route, authentication, right,
    /// declared size). A refused request gets its error status set on the response right
    /// away, so that Poco does not send `100 Continue` for a body we will not read.
    Poco::Net::HTTPRequestHandler* createRequestHandler(
        const Poco::Net::HTTPServerRequest& request) override;

    /// Tells every connection the server stopped (`abort`: shut their sockets), as Poco's
    /// HTTPServer::stopAll does through this protected event.
    void stopConnections(const void* server, bool abort) {
        HTTPRequestHandlerFactory::serverStopped(server, abort);
    }
    /// The event `stopConnections` fires (`abort` as argument); each connection listens.
    Poco::BasicEvent<const bool>& stopEvent() noexcept { return serverStopped; }

private:
    ServerState& state_;
};

}  // namespace relais::http::detail
