// SPDX-License-Identifier: AGPL-3.0-or-later
#include <cstdio>
#include <ctime>
#include <sstream>
#include <string>
#include <vector>

#include <Poco/DigestEngine.h>
#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include "relais/common/errors.h"
#include "relais/sdk/result.h"

#include "server_fixture.h"
#include "support/test_pki.h"

namespace relais::http::test {
namespace {

/// A keep-alive HTTPS connection to the server, trusting `ca` only.
class HttpsConnection {
public:
    HttpsConnection(int port, const std::string& ca, const std::string& cert = {},
                    const std::string& key = {})
        : session_("127.0.0.1", static_cast<Poco::UInt16>(port), clientContext(ca, cert, key)) {
        session_.setTimeout(Poco::Timespan(10, 0));
        session_.setKeepAlive(true);
    }

    int get(const std::string& path) {
        Poco::Net::HTTPRequest request("GET", path, Poco::Net::HTTPMessage::HTTP_1_1);
        request.setKeepAlive(true);
        session_.sendRequest(request);
        Poco::Net::HTTPResponse response;
        auto& in = session_.receiveResponse(response);
        std::ostringstream body;
        Poco::StreamCopier::copyStream(in, body);
        return static_cast<int>(response.getStatus());
    }

    /// The SHA-256 of the certificate the server presented on this connection.
    std::string serverFingerprint() {
        return Poco::DigestEngine::digestToHex(session_.serverCertificate().fingerprint("SHA256"));
    }

private:
    static Poco::Net::Context::Ptr clientContext(const std::string& ca, const std::string& cert,
                                                 const std::string& key) {
        Poco::Net::Context::Params params;
        params.caLocation = ca;
        params.certificateFile = cert;
        params.privateKeyFile = key;
        params.verificationMode = Poco::Net::Context::VERIFY_RELAXED;
        params.loadDefaultCAs = false;
        return new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
    }

    Poco::Net::HTTPSClientSession session_;
};

/// GET `path` over HTTPS on a new connection, trusting `ca` only, optionally presenting a
/// client certificate. Returns the status; throws what Poco throws on TLS failures.
int httpsGet(int port, const std::string& path, const std::string& ca, const std::string& cert = {},
             const std::string& key = {}) {
    return HttpsConnection(port, ca, cert, key).get(path);
}

class TlsTest : public ServerFixture {
protected:
    void SetUp() override { Poco::Net::initializeSSL(); }

    config::TlsConfig tls(bool require_client_certificate) const {
        config::TlsConfig tls;
        tls.enabled = true;
        tls.certificate_file = pki_.server_cert;
        tls.key_file = pki_.server_key;
        tls.ca_file = pki_.ca_cert;
        tls.require_client_certificate = require_client_certificate;
        tls.where = {"/etc/relais/relais.xml", 7};
        return tls;
    }

    relais::test::TestPki pki_;
};

TEST_F(TlsTest, ServesHttpsToAClientTrustingTheCa) {
    start(testLimits(), true, tls(false));
    EXPECT_EQ(httpsGet(port_, "/healthz", pki_.ca_cert), 200);
    // A client that does not trust the CA refuses the server.
    EXPECT_THROW(httpsGet(port_, "/healthz", pki_.client_cert), Poco::Exception);
}

TEST_F(TlsTest, RequiresAClientCertificateSignedByTheCaWhenConfigured) {
    start(testLimits(), true, tls(true));
    EXPECT_THROW(httpsGet(port_, "/healthz", pki_.ca_cert), Poco::Exception);
    EXPECT_THROW(
        httpsGet(port_, "/healthz", pki_.ca_cert, pki_.rogue_client_cert, pki_.rogue_client_key),
        Poco::Exception);
    EXPECT_EQ(httpsGet(port_, "/healthz", pki_.ca_cert, pki_.client_cert, pki_.client_key), 200);
}

TEST_F(TlsTest, ClientCertificateStandsForTheClientItIsGivenTo) {
    config::ClientConfig by_cn;
    by_cn.name = "app-by-cn";
    by_cn.rights = {"dossiers:read"};
    by_cn.certificate_cn = "relais test client";
    config::ClientConfig by_fingerprint;
    by_fingerprint.name = "ops-by-fingerprint";
    by_fingerprint.rights = {"jobs:admin"};
    by_fingerprint.certificate_sha256 = pki_.fingerprint(pki_.rogue_client_cert);
    ASSERT_EQ(by_fingerprint.certificate_sha256.size(), 64U);
    authenticator_ =
        std::make_unique<Authenticator>(std::vector<config::ClientConfig>{by_cn, by_fingerprint});
    // Asked for, not required: connections without one use other credentials.
    start(testLimits(), true, tls(false));

    EXPECT_EQ(httpsGet(port_, "/v1/dossiers/7", pki_.ca_cert, pki_.client_cert, pki_.client_key),
              200);
    // Not `ops-by-fingerprint`'s certificate (another key, same CN "client"): as `app-by-cn`,
    // it may not read dead jobs.
    EXPECT_EQ(httpsGet(port_, "/v1/jobs/dead", pki_.ca_cert, pki_.client_cert, pki_.client_key),
              403);
    EXPECT_EQ(httpsGet(port_, "/v1/dossiers/7", pki_.ca_cert), 401);
    // A certificate from another CA does not get through the handshake.
    EXPECT_THROW(httpsGet(port_, "/v1/dossiers/7", pki_.ca_cert, pki_.rogue_client_cert,
                          pki_.rogue_client_key),
                 Poco::Exception);
}

TEST_F(TlsTest, ClientCertificateIsFoundByItsFingerprint) {
    config::ClientConfig pinned;
    pinned.name = "ops";
    pinned.rights = {"jobs:admin"};
    pinned.certificate_sha256 = pki_.fingerprint(pki_.client_cert);
    config::ClientConfig by_cn;
    by_cn.name = "app-by-cn";
    by_cn.rights = {"dossiers:read"};
    by_cn.certificate_cn = "relais test client";
    // Both match; the pinned fingerprint is the more precise and wins.
    authenticator_ =
        std::make_unique<Authenticator>(std::vector<config::ClientConfig>{by_cn, pinned});
    start(testLimits(), true, tls(true));
    EXPECT_EQ(httpsGet(port_, "/v1/jobs/dead", pki_.ca_cert, pki_.client_cert, pki_.client_key),
              200);
    EXPECT_EQ(httpsGet(port_, "/v1/dossiers/7", pki_.ca_cert, pki_.client_cert, pki_.client_key),
              403);
}

TEST_F(TlsTest, RefusesUnreadableOrUnusableFilesAsConfigErrors) {
    auto missing = tls(false);
    missing.key_file = dir_.file("nope.key");
    try {
        start(testLimits(), true, missing);
        FAIL() << "no error for a missing key file";
    } catch (const ConfigError& e) {
        EXPECT_NE(e.message().find("/etc/relais/relais.xml:7"), std::string::npos) << e.message();
        EXPECT_NE(e.message().find("nope.key"), std::string::npos) << e.message();
    }
    auto garbage = tls(false);
    garbage.certificate_file = dir_.write("garbage.pem", "not a certificate\n");
    EXPECT_THROW(start(testLimits(), true, garbage), ConfigError);
    auto no_ca = tls(true);
    no_ca.ca_file.clear();
    EXPECT_THROW(start(testLimits(), true, no_ca), ConfigError);
}

/// Replaces `target` by `source` the way renewal tools do (a new file renamed over the old
/// one), so that a reader never sees half a file.
void replaceFile(const relais::test::TempDir& dir, const std::string& source,
                 const std::string& target) {
    const auto next = dir.write("replacement.tmp", relais::test::readFileOrFail(source));
    ASSERT_EQ(std::rename(next.c_str(), target.c_str()), 0) << target;
}

TEST_F(TlsTest, ReloadedCertificateGoesToNewConnectionsWhileOpenOnesGoOn) {
    start(testLimits(), true, tls(false));
    const std::string first = pki_.fingerprint(pki_.server_cert);
    HttpsConnection before(port_, pki_.ca_cert);
    ASSERT_EQ(before.get("/healthz"), 200);
    ASSERT_EQ(before.serverFingerprint(), first);

    // The renewal: a new key and certificate from the same CA, written over the old files.
    const auto renewal = pki_.issue("renewed", "/CN=renewed",
                                    "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
                                    pki_.ca_cert, pki_.ca_key);
    const std::string renewed = pki_.fingerprint(renewal.cert);
    ASSERT_NE(renewed, first);
    replaceFile(dir_, renewal.cert, pki_.server_cert);
    replaceFile(dir_, renewal.key, pki_.server_key);

    auto info = server_->reloadCertificate();
    ASSERT_TRUE(info) << info.error().message;
    EXPECT_EQ(info->sha256, renewed);
    EXPECT_NE(info->subject.find("CN=renewed"), std::string::npos) << info->subject;
    EXPECT_GT(info->not_after, std::time(nullptr));
    EXPECT_NE(metrics_.render().find("relais_tls_certificate_expiry_timestamp_seconds " +
                                     std::to_string(info->not_after)),
              std::string::npos)
        << metrics_.render();

    HttpsConnection after(port_, pki_.ca_cert);
    EXPECT_EQ(after.get("/healthz"), 200);
    EXPECT_EQ(after.serverFingerprint(), renewed);
    // The connection opened before is not cut: it is still the same TLS session, with the
    // certificate it was made with.
    EXPECT_EQ(before.get("/healthz"), 200);
    EXPECT_EQ(before.serverFingerprint(), first);
}

TEST_F(TlsTest, AReloadThatCannotBeUsedKeepsTheCertificateInUse) {
    start(testLimits(), true, tls(false));
    const std::string in_use = pki_.fingerprint(pki_.server_cert);

    // A key that is not the certificate's (a renewal copied half-way).
    replaceFile(dir_, pki_.client_key, pki_.server_key);
    auto mismatch = server_->reloadCertificate();
    ASSERT_FALSE(mismatch);
    EXPECT_EQ(mismatch.error().code, sdk::ErrorCode::InvalidArgument);
    EXPECT_NE(mismatch.error().message.find("does not match"), std::string::npos)
        << mismatch.error().message;
    EXPECT_NE(mismatch.error().message.find(pki_.server_key), std::string::npos);

    const auto damaged = dir_.write("damaged.pem", "-----BEGIN CERTIFICATE-----\nnope\n");
    replaceFile(dir_, damaged, pki_.server_cert);
    auto garbage = server_->reloadCertificate();
    ASSERT_FALSE(garbage);
    EXPECT_NE(garbage.error().message.find(pki_.server_cert), std::string::npos)
        << garbage.error().message;

    HttpsConnection connection(port_, pki_.ca_cert);
    EXPECT_EQ(connection.get("/healthz"), 200);
    EXPECT_EQ(connection.serverFingerprint(), in_use);
}

TEST_F(TlsTest, AReloadedClientCaDecidesWhichClientCertificatesGetIn) {
    // The server's client CA in a file of its own (the test client trusts `ca` throughout).
    auto config = tls(true);
    config.ca_file = dir_.write("clients-ca.pem", relais::test::readFileOrFail(pki_.ca_cert));
    start(testLimits(), true, config);
    EXPECT_EQ(httpsGet(port_, "/healthz", pki_.ca_cert, pki_.client_cert, pki_.client_key), 200);
    EXPECT_THROW(
        httpsGet(port_, "/healthz", pki_.ca_cert, pki_.rogue_client_cert, pki_.rogue_client_key),
        Poco::Exception);

    // The organisation moves its client certificates to another CA.
    replaceFile(dir_, pki_.rogue_ca_cert, config.ca_file);
    ASSERT_TRUE(server_->reloadCertificate());
    EXPECT_EQ(
        httpsGet(port_, "/healthz", pki_.ca_cert, pki_.rogue_client_cert, pki_.rogue_client_key),
        200);
    EXPECT_THROW(httpsGet(port_, "/healthz", pki_.ca_cert, pki_.client_cert, pki_.client_key),
                 Poco::Exception);
}

TEST_F(TlsTest, ReloadingWithoutTlsIsRefused) {
    start();
    auto reloaded = server_->reloadCertificate();
    ASSERT_FALSE(reloaded);
    EXPECT_EQ(reloaded.error().code, sdk::ErrorCode::Conflict);
}

}  // namespace
}  // namespace relais::http::test
