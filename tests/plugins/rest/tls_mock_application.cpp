// SPDX-License-Identifier: AGPL-3.0-or-later
#include "tls_mock_application.h"

#include <utility>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/X509Certificate.h>
#include <Poco/StreamCopier.h>

#include "core/host/http_test_servers.h"

namespace relais::test {
namespace {

class Handler final : public Poco::Net::HTTPRequestHandler {
public:
    explicit Handler(TlsMockApplication& application) : application_(application) {}

    void handleRequest(Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response) override {
        TlsRequest received;
        received.method = request.getMethod();
        received.uri = request.getURI();
        received.idempotency_key = request.get("Idempotency-Key", "");
        received.content_type = request.getContentType();
        Poco::StreamCopier::copyToString(request.stream(), received.body);
        // The certificate the client proved it holds during the handshake.
        auto& impl = static_cast<Poco::Net::HTTPServerRequestImpl&>(request);
        const Poco::Net::SecureStreamSocket socket(impl.socket());
        if (socket.havePeerCertificate()) {
            const Poco::Net::X509Certificate certificate = socket.peerCertificate();
            received.client_subject_cn = certificate.commonName();
            received.client_issuer_cn =
                certificate.issuerName(Poco::Net::X509Certificate::NID_COMMON_NAME);
        }
        const std::string body = R"({"id":")" + application_.record(std::move(received)) + "\"}";
        response.setStatus(Poco::Net::HTTPResponse::HTTP_CREATED);
        response.setContentType("application/json");
        response.sendBuffer(body.data(), body.size());
    }

private:
    TlsMockApplication& application_;
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit Factory(TlsMockApplication& application) : application_(application) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(
        const Poco::Net::HTTPServerRequest& /*request*/) override {
        return new Handler(application_);
    }

private:
    TlsMockApplication& application_;
};

}  // namespace

TlsMockApplication::TlsMockApplication(const std::string& server_cert,
                                       const std::string& server_key, const std::string& client_ca)
    : threads_(2, 16) {
    const Poco::Net::SecureServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0), 64,
                                               serverContext(server_cert, server_key, client_ca));
    port_ = socket.address().port();
    auto* params = new Poco::Net::HTTPServerParams;
    // One request per connection: every connection thread ends by itself after its answer,
    // so stopping never has to cut a TLS connection from another thread (OpenSSL objects are
    // not shared between threads).
    params->setKeepAlive(false);
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), threads_, socket, params);
    server_->start();
}

TlsMockApplication::~TlsMockApplication() {
    server_->stop();
    threads_.joinAll();
}

std::string TlsMockApplication::url(std::string_view path) const {
    return "https://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

std::vector<TlsRequest> TlsMockApplication::requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
}

std::size_t TlsMockApplication::count() const {
    std::lock_guard lock(mutex_);
    return requests_.size();
}

std::string TlsMockApplication::record(TlsRequest request) {
    std::lock_guard lock(mutex_);
    requests_.push_back(std::move(request));
    return "BO-TLS-" + std::to_string(requests_.size());
}

}  // namespace relais::test
