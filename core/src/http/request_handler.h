// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <Poco/Net/HTTPRequestHandlerFactory.h>

/// @file
/// The per-request pipeline of the HTTP server (internal to relais_http): what happens
/// between Poco having read a request's headers and the response leaving, in the order
/// documented in `relais/http/server.h`.

namespace relais::http::detail {

class ServerState;

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
