// SPDX-License-Identifier: AGPL-3.0-or-later
#include <cctype>
#include <sstream>
#include <string>
#include <vector>

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/StreamCopier.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "relais/common/errors.h"

#include "server_fixture.h"

namespace relais::http::test {
namespace {

// Runs `openssl` with `args` (no shell), its output appended to `log`; fails the test when
// it cannot start or exits non-zero.
void openssl(const std::vector<std::string>& args, const std::string& log) {
    std::vector<char*> argv;
    std::string program = "openssl";
    argv.push_back(program.data());
    std::vector<std::string> copies(args);
    for (auto& arg : copies) argv.push_back(arg.data());
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    pid_t pid = 0;
    const int rc = posix_spawnp(&pid, "openssl", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ASSERT_EQ(rc, 0) << "cannot run openssl: error " << rc;
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << "openssl " << args.front() << " failed:\n"
        << relais::test::readFileOrFail(log);
}

/// A throw-away PKI made with the `openssl` CLI: a CA, a server certificate for 127.0.0.1,
/// a client certificate from the same CA, and a client certificate from another CA.
struct Pki {
    std::string ca;
    std::string server_cert;
    std::string server_key;
    std::string client_cert;
    std::string client_key;
    std::string rogue_cert;
    std::string rogue_key;
};

void makeCa(const relais::test::TempDir& dir, const std::string& name, const std::string& log) {
    openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-days", "2", "-subj", "/CN=relais test " + name, "-addext",
             "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign",
             "-keyout", dir.file(name + ".key"), "-out", dir.file(name + ".pem")},
            log);
}

void makeLeaf(const relais::test::TempDir& dir, const std::string& ca, const std::string& name,
              const std::string& extensions, const std::string& log) {
    const auto ext = dir.write(name + ".ext", extensions);
    openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj",
             "/CN=" + (name == "server" ? std::string("127.0.0.1") : name), "-keyout",
             dir.file(name + ".key"), "-out", dir.file(name + ".csr")},
            log);
    openssl({"x509", "-req", "-days", "2", "-in", dir.file(name + ".csr"), "-CA",
             dir.file(ca + ".pem"), "-CAkey", dir.file(ca + ".key"), "-CAcreateserial", "-extfile",
             ext, "-out", dir.file(name + ".pem")},
            log);
}

Pki makePki(const relais::test::TempDir& dir) {
    const auto log = dir.file("openssl.log");
    makeCa(dir, "ca", log);
    makeCa(dir, "rogue-ca", log);
    makeLeaf(dir, "ca", "server",
             "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
             "subjectAltName=IP:127.0.0.1,DNS:localhost\n",
             log);
    makeLeaf(dir, "ca", "client", "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n", log);
    makeLeaf(dir, "rogue-ca", "rogue", "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n",
             log);
    return {dir.file("ca.pem"),     dir.file("server.pem"), dir.file("server.key"),
            dir.file("client.pem"), dir.file("client.key"), dir.file("rogue.pem"),
            dir.file("rogue.key")};
}

/// GET `path` over HTTPS, trusting `ca` only, optionally presenting a client certificate.
/// Returns the status; throws what Poco throws on TLS failures.
int httpsGet(int port, const std::string& path, const std::string& ca, const std::string& cert = {},
             const std::string& key = {}) {
    Poco::Net::Context::Params params;
    params.caLocation = ca;
    params.certificateFile = cert;
    params.privateKeyFile = key;
    params.verificationMode = Poco::Net::Context::VERIFY_RELAXED;
    params.loadDefaultCAs = false;
    Poco::Net::Context::Ptr context =
        new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
    Poco::Net::HTTPSClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port), context);
    session.setTimeout(Poco::Timespan(10, 0));
    Poco::Net::HTTPRequest request("GET", path, Poco::Net::HTTPMessage::HTTP_1_1);
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    auto& in = session.receiveResponse(response);
    std::ostringstream body;
    Poco::StreamCopier::copyStream(in, body);
    return static_cast<int>(response.getStatus());
}

class TlsTest : public ServerFixture {
protected:
    void SetUp() override {
        Poco::Net::initializeSSL();
        pki_ = makePki(dir_);
    }

    config::TlsConfig tls(bool require_client_certificate) const {
        config::TlsConfig tls;
        tls.enabled = true;
        tls.certificate_file = pki_.server_cert;
        tls.key_file = pki_.server_key;
        tls.ca_file = pki_.ca;
        tls.require_client_certificate = require_client_certificate;
        tls.where = {"/etc/relais/relais.xml", 7};
        return tls;
    }

    Pki pki_;
};

TEST_F(TlsTest, ServesHttpsToAClientTrustingTheCa) {
    start(testLimits(), true, tls(false));
    EXPECT_EQ(httpsGet(port_, "/healthz", pki_.ca), 200);
    // A client that does not trust the CA refuses the server.
    EXPECT_THROW(httpsGet(port_, "/healthz", pki_.client_cert), Poco::Exception);
}

TEST_F(TlsTest, RequiresAClientCertificateSignedByTheCaWhenConfigured) {
    start(testLimits(), true, tls(true));
    EXPECT_THROW(httpsGet(port_, "/healthz", pki_.ca), Poco::Exception);
    EXPECT_THROW(httpsGet(port_, "/healthz", pki_.ca, pki_.rogue_cert, pki_.rogue_key),
                 Poco::Exception);
    EXPECT_EQ(httpsGet(port_, "/healthz", pki_.ca, pki_.client_cert, pki_.client_key), 200);
}

/// The SHA-256 fingerprint of a PEM certificate as the config takes it (lowercase hex),
/// from `openssl x509 -fingerprint`.
std::string fingerprint(const relais::test::TempDir& dir, const std::string& cert) {
    const auto out = dir.file("fingerprint.txt");
    openssl({"x509", "-in", cert, "-noout", "-fingerprint", "-sha256"}, out);
    const std::string text = relais::test::readFileOrFail(out);
    std::string hex;
    for (std::size_t i = text.find('=') + 1; i < text.size(); ++i) {
        const char c = text[i];
        if (std::isxdigit(static_cast<unsigned char>(c)) != 0) {
            hex += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
    }
    return hex;
}

TEST_F(TlsTest, ClientCertificateStandsForTheClientItIsGivenTo) {
    config::ClientConfig by_cn;
    by_cn.name = "app-by-cn";
    by_cn.rights = {"dossiers:read"};
    by_cn.certificate_cn = "client";
    config::ClientConfig by_fingerprint;
    by_fingerprint.name = "ops-by-fingerprint";
    by_fingerprint.rights = {"jobs:admin"};
    by_fingerprint.certificate_sha256 = fingerprint(dir_, pki_.rogue_cert);
    ASSERT_EQ(by_fingerprint.certificate_sha256.size(), 64U);
    authenticator_ =
        std::make_unique<Authenticator>(std::vector<config::ClientConfig>{by_cn, by_fingerprint});
    // Asked for, not required: connections without one use other credentials.
    start(testLimits(), true, tls(false));

    EXPECT_EQ(httpsGet(port_, "/v1/dossiers/7", pki_.ca, pki_.client_cert, pki_.client_key), 200);
    // Not `ops-by-fingerprint`'s certificate (another key, same CN "client"): as `app-by-cn`,
    // it may not read dead jobs.
    EXPECT_EQ(httpsGet(port_, "/v1/jobs/dead", pki_.ca, pki_.client_cert, pki_.client_key), 403);
    EXPECT_EQ(httpsGet(port_, "/v1/dossiers/7", pki_.ca), 401);
    // A certificate from another CA does not get through the handshake.
    EXPECT_THROW(httpsGet(port_, "/v1/dossiers/7", pki_.ca, pki_.rogue_cert, pki_.rogue_key),
                 Poco::Exception);
}

TEST_F(TlsTest, ClientCertificateIsFoundByItsFingerprint) {
    config::ClientConfig pinned;
    pinned.name = "ops";
    pinned.rights = {"jobs:admin"};
    pinned.certificate_sha256 = fingerprint(dir_, pki_.client_cert);
    config::ClientConfig by_cn;
    by_cn.name = "app-by-cn";
    by_cn.rights = {"dossiers:read"};
    by_cn.certificate_cn = "client";
    // Both match; the pinned fingerprint is the more precise and wins.
    authenticator_ =
        std::make_unique<Authenticator>(std::vector<config::ClientConfig>{by_cn, pinned});
    start(testLimits(), true, tls(true));
    EXPECT_EQ(httpsGet(port_, "/v1/jobs/dead", pki_.ca, pki_.client_cert, pki_.client_key), 200);
    EXPECT_EQ(httpsGet(port_, "/v1/dossiers/7", pki_.ca, pki_.client_cert, pki_.client_key), 403);
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

}  // namespace
}  // namespace relais::http::test
