// SPDX-License-Identifier: AGPL-3.0-or-later
// Credentials other than bearer keys, over real sockets: Publik query signatures, HMAC body
// signatures, and what follows authentication (rates, refusals told to the audit).
//
// The signatures are independent vectors, computed with the openssl CLI at the fixed time
// 2026-11-25T12:00:00Z (unix 1795608000), which the authenticator's clock is set to:
//   Q='orig=wcs.example.fr&algo=sha256&timestamp=2026-11-25T12%3A00%3A00Z&nonce=4f1c…'
//   printf '%s' "$Q" | openssl dgst -sha256 -hmac 'wcs-shared-secret-0123456789' -binary |
//     base64
//   printf '%s' '1795608000.{"procedure":"cantine"}' |
//     openssl dgst -sha256 -hmac 'app-hmac-secret-0123456789abcdef'

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "relais/common/crypto.h"
#include "relais/http/authenticator.h"
#include "relais/http/server.h"

#include "server_fixture.h"
#include "support/http_call.h"

namespace relais::http::test {
namespace {

using relais::test::bearer;
using relais::test::httpCall;

constexpr std::int64_t kSignedAt = 1'795'608'000;  // 2026-11-25T12:00:00Z
constexpr const char* kPublikSecret = "wcs-shared-secret-0123456789";
constexpr const char* kHmacSecret = "app-hmac-secret-0123456789abcdef";

// The signed query, then its signature (base64, URL-quoted) under the right and a wrong key.
constexpr const char* kPublikQuery =
    "orig=wcs.example.fr&algo=sha256&timestamp=2026-11-25T12%3A00%3A00Z"
    "&nonce=4f1c2a9be0d34c7f8a6b5e3d2c1b0a99";
constexpr const char* kPublikSignature = "w4eQPi8f%2BVQSSiBV6l%2BnYKFD8DKJlLz/TlFtZabt9aU%3D";
constexpr const char* kWrongKeySignature = "lmSm3f/bHNQ12/IqYRYBX1t7YHgQ8XN068od31xYsZw%3D";
// sha512, with a parameter of the caller's before the signature's own.
constexpr const char* kPublikQuery512 =
    "subject=abc&orig=wcs.example.fr&algo=sha512&timestamp=2026-11-25T11%3A59%3A50Z&nonce=n2";
constexpr const char* kPublikSignature512 =
    "tGVda8XRJ3%2BCx9w/1nDICISMX6A5nVIC6T1t8U/wKACte6OyTcB61mNp0wkeTe46qhEohnZ%2BNMLeiNepiMCn9Q"
    "%3D%3D";

constexpr const char* kBody = R"({"procedure":"cantine"})";
constexpr const char* kBodySignature =
    "t=1795608000,v1=d22b158d449b7aca24eff8fdb8771e9aea65d55c2570e18ae8dce016c04647c3";

config::ClientConfig client(std::string name, std::vector<std::string> rights) {
    config::ClientConfig config;
    config.name = std::move(name);
    config.rights = std::move(rights);
    config.procedures = {"*"};
    config.instances = {"*"};
    return config;
}

class AuthTest : public ServerFixture {
protected:
    void SetUp() override {
        auto portal = client("portal", {"dossiers:read", "dossiers:submit"});
        portal.key_sha256 = common::sha256Hex("portal-key");
        auto wcs = client("wcs", {"dossiers:read"});
        wcs.publik_orig = "wcs.example.fr";
        wcs.publik_secret = kPublikSecret;
        auto app = client("app", {"dossiers:submit"});
        app.hmac_secret = kHmacSecret;
        auto limited = client("limited", {"dossiers:read"});
        limited.key_sha256 = common::sha256Hex("limited-key");
        limited.rate = 1;
        limited.burst = 2;
        authenticator_ = std::make_unique<Authenticator>(
            std::vector<config::ClientConfig>{portal, wcs, app, limited}, 30,
            Authenticator::ReplayGuard{}, [this] { return now_.load(); });
        refusals_ = [this](const Refusal& refusal) {
            const std::lock_guard lock(mutex_);
            refused_.push_back(std::string(refusal.client) + " " + std::string(refusal.route) +
                               " " + std::string(refusal.detail));
        };
        start();
    }

    relais::test::HttpResult get(const std::string& query,
                                 std::vector<std::pair<std::string, std::string>> headers = {}) {
        return httpCall(port_, "GET", "/v1/dossiers/42?" + query, headers);
    }

    relais::test::HttpResult postSigned(const std::string& body, const std::string& signature,
                                        const std::string& name = "app") {
        std::vector<std::pair<std::string, std::string>> headers;
        if (!name.empty()) headers.emplace_back("X-Relais-Client", name);
        if (!signature.empty()) headers.emplace_back("X-Relais-Signature", signature);
        return httpCall(port_, "POST", "/v1/echo", headers, body);
    }

    std::vector<std::string> refused() {
        const std::lock_guard lock(mutex_);
        return refused_;
    }

    std::atomic<std::int64_t> now_{kSignedAt};
    std::mutex mutex_;
    std::vector<std::string> refused_;
};

std::string signedQuery(const char* query, const char* signature) {
    return std::string(query) + "&signature=" + signature;
}

TEST_F(AuthTest, PublikSignatureFromAnIndependentImplementationIsAccepted) {
    const auto answer = get(signedQuery(kPublikQuery, kPublikSignature));
    ASSERT_EQ(answer.status, 200) << answer.body;
    const auto body = answer.json();
    EXPECT_EQ(body.find("client")->asString(), "wcs");

    const auto sha512 = get(signedQuery(kPublikQuery512, kPublikSignature512));
    ASSERT_EQ(sha512.status, 200) << sha512.body;
}

TEST_F(AuthTest, ReplayedPublikRequestIsRefused) {
    ASSERT_EQ(get(signedQuery(kPublikQuery, kPublikSignature)).status, 200);
    const auto replay = get(signedQuery(kPublikQuery, kPublikSignature));
    EXPECT_EQ(replay.status, 401);
    EXPECT_NE(replay.body.find("already used"), std::string::npos) << replay.body;
    EXPECT_NE(replay.header("WWW-Authenticate").find("invalid_token"), std::string::npos);
}

TEST_F(AuthTest, PublikSignatureFiveMinutesOldIsRefused) {
    now_ = kSignedAt + 300;
    const auto answer = get(signedQuery(kPublikQuery, kPublikSignature));
    EXPECT_EQ(answer.status, 401);
    EXPECT_NE(answer.body.find("timestamp"), std::string::npos) << answer.body;
    // Nor from the future.
    now_ = kSignedAt - 300;
    EXPECT_EQ(get(signedQuery(kPublikQuery, kPublikSignature)).status, 401);
}

TEST_F(AuthTest, PublikSignatureWithAWrongKeyOrAModifiedQueryIsRefused) {
    EXPECT_EQ(get(signedQuery(kPublikQuery, kWrongKeySignature)).status, 401);
    std::string modified = kPublikQuery;
    modified.back() = '8';  // another nonce under the same signature
    EXPECT_EQ(get(signedQuery(modified.c_str(), kPublikSignature)).status, 401);
    // A parameter added after the signature is not covered by it: refused.
    EXPECT_EQ(get(signedQuery(kPublikQuery, kPublikSignature) + "&x=1").status, 401);
    // None of these spent the nonce: the genuine request still passes.
    EXPECT_EQ(get(signedQuery(kPublikQuery, kPublikSignature)).status, 200);
}

TEST_F(AuthTest, PublikSignatureOfAnUnknownOrigIsRefused) {
    std::string query = kPublikQuery;
    query.replace(query.find("wcs.example.fr"), 14, "evil.example.fr");
    const auto answer = get(signedQuery(query.c_str(), kPublikSignature));
    EXPECT_EQ(answer.status, 401);
    EXPECT_EQ(answer.body.find(kPublikSecret), std::string::npos);
}

TEST_F(AuthTest, CredentialsOfTwoClientsAreRefused) {
    const auto answer = get(signedQuery(kPublikQuery, kPublikSignature), {bearer("portal-key")});
    EXPECT_EQ(answer.status, 401);
    EXPECT_NE(answer.body.find("different clients"), std::string::npos) << answer.body;
}

TEST_F(AuthTest, BodySignedWithHmacIsAcceptedOnce) {
    const auto answer = postSigned(kBody, kBodySignature);
    ASSERT_EQ(answer.status, 200) << answer.body;
    EXPECT_EQ(answer.body, kBody);
    const auto replay = postSigned(kBody, kBodySignature);
    EXPECT_EQ(replay.status, 401);
    EXPECT_NE(replay.body.find("already used"), std::string::npos) << replay.body;
}

TEST_F(AuthTest, HmacOverAnotherBodyOrAStaleTimeIsRefused) {
    EXPECT_EQ(postSigned(R"({"procedure":"cantinE"})", kBodySignature).status, 401);
    now_ = kSignedAt + 300;
    EXPECT_EQ(postSigned(kBody, kBodySignature).status, 401);
    now_ = kSignedAt;
    // The refusals above did not spend the signature.
    EXPECT_EQ(postSigned(kBody, kBodySignature).status, 200);
}

TEST_F(AuthTest, HmacNeedsBothHeadersAndAClientWithASecret) {
    EXPECT_EQ(postSigned(kBody, kBodySignature, "").status, 401);
    EXPECT_EQ(postSigned(kBody, "", "app").status, 401);
    EXPECT_EQ(postSigned(kBody, kBodySignature, "portal").status, 401);
    EXPECT_EQ(postSigned(kBody, kBodySignature, "nobody").status, 401);
    EXPECT_EQ(postSigned(kBody, "t=1795608000,v1=zz", "app").status, 401);
    EXPECT_EQ(
        postSigned(kBody, "v1=d22b158d449b7aca24eff8fdb8771e9aea65d55c2570e18ae8dce016c04647c3",
                   "app")
            .status,
        401);
}

TEST_F(AuthTest, ClientOverItsRateGets429WithRetryAfter) {
    EXPECT_EQ(get("", {bearer("limited-key")}).status, 200);
    EXPECT_EQ(get("", {bearer("limited-key")}).status, 200);
    const auto limited = get("", {bearer("limited-key")});
    EXPECT_EQ(limited.status, 429);
    EXPECT_EQ(limited.content_type, "application/problem+json");
    EXPECT_EQ(limited.header("Retry-After"), "1");
    // Other clients are not held back by it.
    EXPECT_EQ(get("", {bearer("portal-key")}).status, 200);
}

TEST_F(AuthTest, RefusalsAreToldToTheObserver) {
    // `wcs` may read but not submit.
    const auto answer = httpCall(
        port_, "POST", "/v1/echo?" + signedQuery(kPublikQuery, kPublikSignature), {}, kBody);
    ASSERT_EQ(answer.status, 403) << answer.body;
    EXPECT_EQ(answer.content_type, "application/problem+json");
    const auto seen = refused();
    ASSERT_EQ(seen.size(), 1U);
    EXPECT_EQ(seen[0], "wcs echo client 'wcs' lacks the right 'dossiers:submit'");
    // A 401 is not a refusal of rights: not told.
    EXPECT_EQ(get("", {bearer("wrong-key")}).status, 401);
    EXPECT_EQ(refused().size(), 1U);
}

TEST_F(AuthTest, HmacClientWithoutTheRightIsRefusedOnlyOnceItsBodyIsVerified) {
    // `app` may submit but not read: a forged signature gets 401, not the 403 that would
    // tell what `app` may do.
    const auto forged =
        httpCall(port_, "GET", "/v1/dossiers/1",
                 {{"X-Relais-Client", "app"},
                  {"X-Relais-Signature", "t=1795608000,v1=" + std::string(64, 'a')}});
    EXPECT_EQ(forged.status, 401);
    EXPECT_TRUE(refused().empty());
}

}  // namespace
}  // namespace relais::http::test
