// SPDX-License-Identifier: AGPL-3.0-or-later
#include "http_front.h"

#include <utility>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/ThreadPool.h>

namespace relais::ds_mock {
namespace {

class Exchange final : public Poco::Net::HTTPRequestHandler {
public:
    explicit Exchange(const HttpHandler& handler) : handler_(handler) {}

    void handleRequest(Poco::Net::HTTPServerRequest& in,
                       Poco::Net::HTTPServerResponse& out) override {
        HttpRequest request;
        request.method = in.getMethod();
        const std::string& uri = in.getURI();
        const auto question = uri.find('?');
        request.path = uri.substr(0, question);
        if (question != std::string::npos) request.query = uri.substr(question + 1);
        request.authorization = in.get("Authorization", "");
        // Unframed means no body (RFC 9112 §6.3), not "read until the client closes".
        if (in.hasContentLength() || in.getChunkedTransferEncoding()) {
            Poco::StreamCopier::copyToString(in.stream(), request.body);
        }

        const StorageAnswer answer = handler_(request);
        out.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(answer.status));
        if (!answer.content_type.empty()) out.setContentType(answer.content_type);
        if (!answer.filename.empty()) {
            out.set("Content-Disposition", "attachment; filename=\"" + answer.filename + "\"");
        }
        out.setContentLength(static_cast<std::streamsize>(answer.body.size()));
        out.send() << answer.body;
    }

private:
    const HttpHandler& handler_;
};

class ExchangeFactory final : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit ExchangeFactory(HttpHandler handler) : handler_(std::move(handler)) {}

    Poco::Net::HTTPRequestHandler* createRequestHandler(
        const Poco::Net::HTTPServerRequest& /*request*/) override {
        return new Exchange(handler_);
    }

private:
    HttpHandler handler_;
};

}  // namespace

struct HttpFront::Parts {
    Poco::ThreadPool pool{1, 8};
    Poco::Net::ServerSocket socket;
    std::unique_ptr<Poco::Net::HTTPServer> server;
};

HttpFront::HttpFront(const std::string& address, int port, HttpHandler handler)
    : parts_(std::make_unique<Parts>()) {
    // This constructor of ServerSocket binds (reusing the address) and listens.
    parts_->socket =
        Poco::Net::ServerSocket(Poco::Net::SocketAddress(address, static_cast<Poco::UInt16>(port)));
    Poco::Net::HTTPServerParams::Ptr params(new Poco::Net::HTTPServerParams);
    params->setMaxThreads(8);
    parts_->server = std::make_unique<Poco::Net::HTTPServer>(
        new ExchangeFactory(std::move(handler)), parts_->pool, parts_->socket, params);
    parts_->server->start();
}

HttpFront::~HttpFront() {
    parts_->server->stopAll(true);
    parts_->pool.joinAll();
}

int HttpFront::port() const { return parts_->socket.address().port(); }

}  // namespace relais::ds_mock
