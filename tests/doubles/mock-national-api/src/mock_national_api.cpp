// SPDX-License-Identifier: AGPL-3.0-or-later
#include "mock_national_api.h"

#include <utility>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/NullStream.h>
#include <Poco/StreamCopier.h>
#include <Poco/ThreadPool.h>

namespace relais::mock_api {
namespace {

constexpr int kMaxThreads = 16;

void send(Poco::Net::HTTPServerResponse& response, const MockAnswer& answer) {
    // Poco knows the reason phrase of every registered status (451 included); the cast is
    // how its API takes a number.
    response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(answer.status));
    response.setContentType(answer.content_type);
    for (const auto& [name, value] : answer.headers) response.set(name, value);
    response.setContentLength(static_cast<std::streamsize>(answer.body.size()));
    response.send() << answer.body;
}

}  // namespace

class MockNationalApi::Factory final : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit Factory(MockNationalApi& owner) : owner_(owner) {}

    Poco::Net::HTTPRequestHandler* createRequestHandler(
        const Poco::Net::HTTPServerRequest& /*request*/) override {
        return new Handler(owner_);
    }

private:
    class Handler final : public Poco::Net::HTTPRequestHandler {
    public:
        explicit Handler(MockNationalApi& owner) : owner_(owner) {}

        void handleRequest(Poco::Net::HTTPServerRequest& request,
                           Poco::Net::HTTPServerResponse& response) override {
            // Drain any body so that the connection can be kept alive.
            // (An unframed request has none: RFC 9112 §6.3.)
            if (request.hasContentLength() || request.getChunkedTransferEncoding()) {
                Poco::NullOutputStream sink;
                Poco::StreamCopier::copyStream(request.stream(), sink);
            }

            const std::string& target = request.getURI();
            const std::string path = target.substr(0, target.find('?'));
            if (path == "/_stats" && request.getMethod() == "GET") {
                MockAnswer stats;
                stats.body = "{\"requests\":" + std::to_string(owner_.requests_.load()) + "}";
                send(response, stats);
                return;
            }
            owner_.requests_.fetch_add(1);
            MockRequest call;
            call.method = request.getMethod();
            call.target = target;
            call.authorization = request.get("Authorization", "");
            const MockAnswer answer = owner_.book_.answer(call);
            if (owner_.options_.log) {
                owner_.options_.log(RequestLogLine{call.method, path, answer.status, answer.why});
            }
            send(response, answer);
        }

    private:
        MockNationalApi& owner_;
    };

    MockNationalApi& owner_;
};

struct MockNationalApi::Impl {
    // Its own pool, joined on destruction: the default pool's threads would outlive the
    // server and race with Poco's static destructors at exit.
    Poco::ThreadPool pool{2, kMaxThreads};
    Poco::Net::ServerSocket socket;
    std::unique_ptr<Poco::Net::HTTPServer> server;
};

MockNationalApi::MockNationalApi(Options options)
    : options_(std::move(options)),
      book_(CaseBook::load(options_.case_directories)),
      impl_(std::make_unique<Impl>()) {
    impl_->socket.bind(
        Poco::Net::SocketAddress(options_.address, static_cast<Poco::UInt16>(options_.port)), true);
    impl_->socket.listen(128);
    port_ = impl_->socket.address().port();
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(kMaxThreads);
    params->setKeepAlive(true);
    impl_->server = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), impl_->pool,
                                                            impl_->socket, params);
    impl_->server->start();
}

MockNationalApi::~MockNationalApi() {
    impl_->server->stopAll(true);
    impl_->pool.joinAll();
}

std::string MockNationalApi::url(std::string_view path) const {
    const bool ipv6 = options_.address.find(':') != std::string::npos;
    const std::string host = ipv6 ? "[" + options_.address + "]" : options_.address;
    return "http://" + host + ":" + std::to_string(port_) + std::string(path);
}

}  // namespace relais::mock_api
