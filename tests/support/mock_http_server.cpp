// SPDX-License-Identifier: AGPL-3.0-or-later
#include "support/mock_http_server.h"

#include <sstream>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/ThreadPool.h>

#include "relais/common/strings.h"

namespace relais::test {

std::string ReceivedRequest::header(const std::string& name) const {
    for (const auto& [key, value] : headers) {
        if (common::equalsIgnoreCase(key, name)) return value;
    }
    return {};
}

class MockHttpServer::Factory final : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit Factory(MockHttpServer& owner) : owner_(owner) {}

    Poco::Net::HTTPRequestHandler* createRequestHandler(
        const Poco::Net::HTTPServerRequest& /*request*/) override {
        return new Handler(owner_);
    }

private:
    class Handler final : public Poco::Net::HTTPRequestHandler {
    public:
        explicit Handler(MockHttpServer& owner) : owner_(owner) {}
        void handleRequest(Poco::Net::HTTPServerRequest& request,
                           Poco::Net::HTTPServerResponse& response) override {
            ReceivedRequest received;
            received.method = request.getMethod();
            received.uri = request.getURI();
            for (const auto& [name, value] : request) received.headers.emplace_back(name, value);
            std::ostringstream body;
            Poco::StreamCopier::copyStream(request.stream(), body);
            received.body = body.str();
            const MockResponse answer = owner_.handle(received);
            response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(answer.status));
            response.setContentType(answer.content_type);
            for (const auto& [name, value] : answer.headers) response.set(name, value);
            response.setContentLength(static_cast<std::streamsize>(answer.body.size()));
            response.send() << answer.body;
        }

    private:
        MockHttpServer& owner_;
    };

    MockHttpServer& owner_;
};

struct MockHttpServer::Impl {
    // Its own pool, joined on destruction: the default pool's threads would outlive the test
    // and race with Poco's static destructors at exit.
    Poco::ThreadPool pool{2, 16};
    Poco::Net::ServerSocket socket;
    std::unique_ptr<Poco::Net::HTTPServer> server;
};

MockHttpServer::MockHttpServer(Handler handler)
    : handler_(std::move(handler)), impl_(std::make_unique<Impl>()) {
    impl_->socket.bind(Poco::Net::SocketAddress("127.0.0.1", 0), true);
    impl_->socket.listen(64);
    port_ = impl_->socket.address().port();
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(16);
    params->setKeepAlive(true);
    impl_->server = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), impl_->pool,
                                                            impl_->socket, params);
    impl_->server->start();
}

MockHttpServer::~MockHttpServer() {
    impl_->server->stopAll(true);
    impl_->pool.joinAll();
}

std::string MockHttpServer::url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
}

void MockHttpServer::setHandler(Handler handler) {
    std::lock_guard lock(mutex_);
    handler_ = std::move(handler);
}

MockResponse MockHttpServer::handle(const ReceivedRequest& request) {
    Handler handler;
    {
        std::lock_guard lock(mutex_);
        requests_.push_back(request);
        handler = handler_;
    }
    arrived_.notify_all();
    if (!handler) return MockResponse{200, "application/json", "{}", {}};
    return handler(request);
}

std::vector<ReceivedRequest> MockHttpServer::requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
}

std::size_t MockHttpServer::count() const {
    std::lock_guard lock(mutex_);
    return requests_.size();
}

bool MockHttpServer::waitForCount(std::size_t n, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return arrived_.wait_for(lock, timeout, [&] { return requests_.size() >= n; });
}

}  // namespace relais::test
