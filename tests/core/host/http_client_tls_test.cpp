// SPDX-License-Identifier: AGPL-3.0-or-later
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include <Poco/Net/NetSSL.h>
#include <gtest/gtest.h>

#include "relais/host/http_client.h"

#include "http_test_servers.h"

namespace relais::host {
namespace {

using sdk::ErrorCode;
using sdk::HttpRequest;
using test::EchoServer;
using test::RawServer;
using test::TestPki;

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

class HttpClientTls : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        Poco::Net::initializeSSL();
        pki_ = new TestPki();
    }
    static void TearDownTestSuite() {
        delete pki_;
        pki_ = nullptr;
    }

    static const TestPki& pki() { return *pki_; }

    static HttpRequest get(std::string url, std::string ca_file = pki().ca_cert) {
        HttpRequest request;
        request.url = std::move(url);
        request.tls.ca_file = std::move(ca_file);
        return request;
    }

    static EchoServer* makeServer(bool require_client_cert = false) {
        return new EchoServer(test::serverContext(pki().server_cert, pki().server_key,
                                                  require_client_cert ? pki().ca_cert : ""));
    }

private:
    static TestPki* pki_;
};

TestPki* HttpClientTls::pki_ = nullptr;

TEST_F(HttpClientTls, ServerTrustedThroughCaFileAnswersOverOneConnection) {
    std::unique_ptr<EchoServer> server(makeServer());
    auto client = makeHttpClient();
    for (int i = 0; i < 5; ++i) {
        auto response = client->send(get(server->url("/echo?n=" + std::to_string(i))));
        ASSERT_TRUE(response.ok()) << response.error().message;
        EXPECT_EQ(response->status, 200);
        EXPECT_EQ(response->body.rfind("GET /echo?n=" + std::to_string(i) + "\n", 0), 0U);
    }
    EXPECT_EQ(server->acceptedConnections(), 1);
}

TEST_F(HttpClientTls, ServerNotInTheSystemStoreIsUnavailable) {
    std::unique_ptr<EchoServer> server(makeServer());
    auto client = makeHttpClient();
    auto response = client->send(get(server->url("/echo"), ""));
    ASSERT_FALSE(response.ok());
    EXPECT_EQ(response.error().code, ErrorCode::Unavailable);
    EXPECT_TRUE(contains(response.error().message, "127.0.0.1:" + std::to_string(server->port())))
        << response.error().message;
    EXPECT_TRUE(contains(response.error().message, "certificate is not trusted"))
        << response.error().message;
    EXPECT_EQ(server->acceptedConnections(), 1);
}

TEST_F(HttpClientTls, ServerSignedByAnotherCaIsUnavailable) {
    std::unique_ptr<EchoServer> server(makeServer());
    auto client = makeHttpClient();
    auto response = client->send(get(server->url("/echo"), pki().rogue_ca_cert));
    ASSERT_FALSE(response.ok());
    EXPECT_EQ(response.error().code, ErrorCode::Unavailable) << response.error().message;
}

TEST_F(HttpClientTls, VerifyPeerFalseAcceptsAnUntrustedServer) {
    std::unique_ptr<EchoServer> server(makeServer());
    auto client = makeHttpClient();
    HttpRequest request = get(server->url("/echo"), "");
    request.tls.verify_peer = false;
    auto response = client->send(request);
    ASSERT_TRUE(response.ok()) << response.error().message;
    EXPECT_EQ(response->status, 200);
}

TEST_F(HttpClientTls, CertificateForAnotherHostNameIsRefused) {
    std::unique_ptr<EchoServer> server(
        new EchoServer(test::serverContext(pki().wrong_name_cert, pki().wrong_name_key)));
    auto client = makeHttpClient();
    auto response = client->send(get(server->url("/echo")));
    ASSERT_FALSE(response.ok());
    EXPECT_EQ(response.error().code, ErrorCode::Unavailable);
    EXPECT_TRUE(contains(response.error().message, "127.0.0.1:" + std::to_string(server->port())))
        << response.error().message;
    EXPECT_TRUE(contains(response.error().message, "not valid for the name 127.0.0.1"))
        << response.error().message;

    // The same certificate is fine when the name is not checked.
    HttpRequest unchecked = get(server->url("/echo"));
    unchecked.tls.verify_peer = false;
    EXPECT_TRUE(client->send(unchecked).ok());
}

TEST_F(HttpClientTls, MutualTlsWithoutClientCertificateIsUnavailable) {
    std::unique_ptr<EchoServer> server(makeServer(true));
    auto client = makeHttpClient();
    auto response = client->send(get(server->url("/echo")));
    ASSERT_FALSE(response.ok());
    EXPECT_EQ(response.error().code, ErrorCode::Unavailable) << response.error().message;
}

TEST_F(HttpClientTls, MutualTlsWithClientCertificateSucceeds) {
    std::unique_ptr<EchoServer> server(makeServer(true));
    auto client = makeHttpClient();
    HttpRequest request = get(server->url("/echo"));
    request.tls.client_cert_file = pki().client_cert;
    request.tls.client_key_file = pki().client_key;
    for (int i = 0; i < 3; ++i) {
        auto response = client->send(request);
        ASSERT_TRUE(response.ok()) << response.error().message;
        EXPECT_EQ(response->status, 200);
    }
    EXPECT_EQ(server->acceptedConnections(), 1);
}

TEST_F(HttpClientTls, MutualTlsWithCertificateFromUnknownCaIsUnavailable) {
    std::unique_ptr<EchoServer> server(makeServer(true));
    auto client = makeHttpClient();
    HttpRequest request = get(server->url("/echo"));
    request.tls.client_cert_file = pki().rogue_client_cert;
    request.tls.client_key_file = pki().rogue_client_key;
    auto response = client->send(request);
    ASSERT_FALSE(response.ok());
    EXPECT_EQ(response.error().code, ErrorCode::Unavailable) << response.error().message;
}

TEST_F(HttpClientTls, ConnectionsWithDifferentTlsOptionsAreNotShared) {
    std::unique_ptr<EchoServer> server(makeServer());
    auto client = makeHttpClient();
    ASSERT_TRUE(client->send(get(server->url("/echo"))).ok());
    // A pooled connection verified with the CA must not serve a request that would have
    // failed verification on its own.
    auto untrusted = client->send(get(server->url("/echo"), pki().rogue_ca_cert));
    ASSERT_FALSE(untrusted.ok());
    EXPECT_EQ(untrusted.error().code, ErrorCode::Unavailable);
    HttpRequest unverified = get(server->url("/echo"));
    unverified.tls.verify_peer = false;
    ASSERT_TRUE(client->send(unverified).ok());
    EXPECT_EQ(server->acceptedConnections(), 3);
}

TEST_F(HttpClientTls, UnreadableTlsFilesAreInvalidArgumentNamingTheField) {
    std::unique_ptr<EchoServer> server(makeServer());
    auto client = makeHttpClient();

    auto missing_ca = client->send(get(server->url("/echo"), "/nonexistent/ca.pem"));
    ASSERT_FALSE(missing_ca.ok());
    EXPECT_EQ(missing_ca.error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(missing_ca.error().field, "tls.ca_file");
    EXPECT_TRUE(contains(missing_ca.error().message, "/nonexistent/ca.pem"))
        << missing_ca.error().message;

    HttpRequest wrong_key = get(server->url("/echo"));
    wrong_key.tls.client_cert_file = pki().client_cert;
    wrong_key.tls.client_key_file = pki().server_key;
    auto mismatch = client->send(wrong_key);
    ASSERT_FALSE(mismatch.ok());
    EXPECT_EQ(mismatch.error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(mismatch.error().field, "tls.client_key_file") << mismatch.error().message;

    HttpRequest key_only = get(server->url("/echo"));
    key_only.tls.client_key_file = pki().client_key;
    auto lone_key = client->send(key_only);
    ASSERT_FALSE(lone_key.ok());
    EXPECT_EQ(lone_key.error().code, ErrorCode::InvalidArgument);

    HttpRequest not_pem = get(server->url("/echo"));
    not_pem.tls.client_cert_file = pki().ca_key;  // a key, not a certificate
    not_pem.tls.client_key_file = pki().client_key;
    auto bad_cert = client->send(not_pem);
    ASSERT_FALSE(bad_cert.ok());
    EXPECT_EQ(bad_cert.error().field, "tls.client_cert_file") << bad_cert.error().message;

    HttpRequest encrypted = get(server->url("/echo"));
    encrypted.tls.client_cert_file = pki().client_cert;
    encrypted.tls.client_key_file = pki().client_key_encrypted;
    auto locked = client->send(encrypted);  // refused, never prompting for a passphrase
    ASSERT_FALSE(locked.ok());
    EXPECT_EQ(locked.error().field, "tls.client_key_file");
    EXPECT_TRUE(contains(locked.error().message, "encrypted")) << locked.error().message;

    EXPECT_EQ(server->acceptedConnections(), 0);
}

TEST_F(HttpClientTls, RenewedCaFileIsPickedUpWithoutRestart) {
    std::unique_ptr<EchoServer> server(makeServer());
    test::TempDir dir;
    const std::string ca = dir.write("ca.pem", test::readFileOrFail(pki().rogue_ca_cert));
    auto client = makeHttpClient();
    ASSERT_FALSE(client->send(get(server->url("/echo"), ca)).ok());

    // Replaced by another file (new inode), as configuration management does.
    const std::string next = dir.write("ca.pem.new", test::readFileOrFail(pki().ca_cert));
    std::filesystem::rename(next, ca);
    auto response = client->send(get(server->url("/echo"), ca));
    EXPECT_TRUE(response.ok()) << response.error().message;
}

TEST_F(HttpClientTls, StalledHandshakeIsUnavailableWithinTheConnectTimeout) {
    RawServer server(
        [&server](Poco::Net::StreamSocket&, int) { server.waitForStop(std::chrono::seconds(60)); });
    auto client = makeHttpClient();
    HttpRequest request = get(server.url("/", true));
    request.connect_timeout_ms = 300;

    const auto start = std::chrono::steady_clock::now();
    auto response = client->send(request);
    const auto elapsed = std::chrono::steady_clock::now() - start;

    ASSERT_FALSE(response.ok());
    EXPECT_EQ(response.error().code, ErrorCode::Unavailable) << response.error().message;
    EXPECT_GE(elapsed, std::chrono::milliseconds(250));
    EXPECT_LT(elapsed, std::chrono::seconds(5));
}

TEST_F(HttpClientTls, SlowServerIsTimeout) {
    std::unique_ptr<EchoServer> server(makeServer());
    auto client = makeHttpClient();
    HttpRequest request = get(server->url("/delay?ms=30000"));
    request.timeout_ms = 300;

    const auto start = std::chrono::steady_clock::now();
    auto response = client->send(request);
    const auto elapsed = std::chrono::steady_clock::now() - start;

    ASSERT_FALSE(response.ok());
    EXPECT_EQ(response.error().code, ErrorCode::Timeout) << response.error().message;
    EXPECT_LT(elapsed, std::chrono::seconds(5));
}

TEST_F(HttpClientTls, PlainHttpServerIsUnavailable) {
    EchoServer server;
    auto client = makeHttpClient();
    HttpRequest request = get("https://127.0.0.1:" + std::to_string(server.port()) + "/echo");
    auto response = client->send(request);
    ASSERT_FALSE(response.ok());
    EXPECT_EQ(response.error().code, ErrorCode::Unavailable) << response.error().message;
}

}  // namespace
}  // namespace relais::host
