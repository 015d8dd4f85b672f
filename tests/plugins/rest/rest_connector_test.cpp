// SPDX-License-Identifier: AGPL-3.0-or-later
// Logic tests of the REST connector against a real HTTP server standing in for the business
// application, with the real host services (HTTP client, secrets, logs).

#include "rest_connector.h"

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <gtest/gtest.h>

#include "relais/common/crypto.h"
#include "relais/common/errors.h"
#include "relais/config/config.h"
#include "relais/http/publik_signature.h"
#include "relais/plugin/instance.h"
#include "relais/plugin/library.h"
#include "relais/sdk/host.h"
#include "relais/sdk/plugin.h"

#include "plugins/support/instance_config.h"
#include "rest_test_descriptor.h"
#include "support/mock_http_server.h"
#include "support/test_host.h"

namespace relais::plugins::rest {
namespace {

using sdk::ErrorCode;
using test::MockResponse;
using test::ReceivedRequest;
using Params = std::vector<std::pair<std::string, std::string>>;

constexpr const relais_plugin_descriptor& kDescriptor = kRestTestDescriptor<RestConnector>;

constexpr const char* kToken = "tok-Zq8-secret-bearer-value";
constexpr const char* kPassword = "p@ss-secret-basic";
constexpr const char* kHmacSecret = "whsec-0123456789abcdef0123456789abcdef";
constexpr const char* kPublikSecret = "publik-Kq3v9-shared-key-for-relais";
constexpr const char* kPublikOrig = "relais.mairie.example";
constexpr const char* kPayload = R"({"externalRef":"RS-2026-004217","enfant":"PAYLOAD-MARKER"})";

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

std::int64_t unixNow() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The HMAC of `data` in standard base64 as the OpenSSL command line computes it, not relais:
// the independent check of what a Publik site recomputes.
std::string opensslHmacBase64(const test::TempDir& dir, const std::string& algo,
                              const std::string& secret, const std::string& data) {
    const std::string in = dir.write("hmac/in", data);
    const std::string out = dir.file("hmac/out");
    const std::string command = "openssl dgst -" + algo + " -hmac '" + secret + "' -binary " + in +
                                " | base64 -w0 >" + out + " 2>&1";
    if (std::system(command.c_str()) != 0) {  // NOLINT(cert-env33-c, concurrency-mt-unsafe)
        ADD_FAILURE() << "failed: " << command << "\n" << test::readFileOrFail(out);
        return {};
    }
    return test::readFileOrFail(out);
}

// What a Publik site checks, done twice: with the openssl command line over the bytes
// before `&signature=`, and with the core's verifier. Returns the parameters relais signed.
struct PublikCheck {
    std::string unsigned_part;  ///< the query before `&signature=`
    std::string signature;      ///< base64, URL-unquoted
    http::publik::VerifiedQuery verified;
};

PublikCheck checkPublikSignature(const test::TempDir& dir, const std::string& uri,
                                 const std::string& algo, const std::string& secret) {
    PublikCheck check;
    const auto question = uri.find('?');
    if (question == std::string::npos) {
        ADD_FAILURE() << "no query in " << uri;
        return check;
    }
    const std::string query = uri.substr(question + 1);
    const auto cut = query.rfind("&signature=");
    if (cut == std::string::npos) {
        ADD_FAILURE() << "no signature in " << query;
        return check;
    }
    check.unsigned_part = query.substr(0, cut);
    std::string quoted = query.substr(cut + 11);
    for (const auto& [from, to] : {std::pair<std::string, std::string>{"%2B", "+"}, {"%3D", "="}}) {
        for (auto at = quoted.find(from); at != std::string::npos; at = quoted.find(from)) {
            quoted.replace(at, from.size(), to);
        }
    }
    check.signature = quoted;
    EXPECT_EQ(check.signature, opensslHmacBase64(dir, algo, secret, check.unsigned_part))
        << "signed bytes: " << check.unsigned_part;
    auto verified = http::publik::verifyQuery(
        query,
        [&](std::string_view orig) -> std::optional<std::string> {
            if (orig == kPublikOrig) return secret;
            return std::nullopt;
        },
        unixNow(), 60);
    if (!verified) {
        ADD_FAILURE() << verified.error().message;
        return check;
    }
    check.verified = std::move(verified).value();
    return check;
}

// A door the mock's handler waits at, so that a test controls when the application answers.
class Gate {
public:
    void open() {
        {
            std::lock_guard lock(mutex_);
            open_ = true;
        }
        opened_.notify_all();
    }
    bool waitOpen(std::chrono::milliseconds timeout) {
        std::unique_lock lock(mutex_);
        return opened_.wait_for(lock, timeout, [&] { return open_; });
    }

private:
    std::mutex mutex_;  // guards open_
    std::condition_variable opened_;
    bool open_ = false;
};

class RestConnectorTest : public ::testing::Test {
protected:
    void SetUp() override {
        (void)services_.dir().write("secrets/token", std::string(kToken) + "\n");
        (void)services_.dir().write("secrets/password", kPassword);
        (void)services_.dir().write("secrets/hmac", kHmacSecret);
        (void)services_.dir().write("secrets/publik", std::string(kPublikSecret) + "\n");
        host_ = services_.host("appli-cantine");
        connector_ = std::make_unique<RestConnector>(*host_);
    }

    // The instance as relais.xml would declare it, with these <param>s.
    config::InstanceConfig instance(const Params& params) const {
        return test::instanceConfig("appli-cantine", "rest", params,
                                    services_.dir().file("relais.xml"));
    }

    // The settings the host would build from these <param>s (defaults filled, types
    // checked); a ConfigError fails the test.
    sdk::Settings settings(const Params& params) const {
        try {
            return plugin::validateSettings(kDescriptor, instance(params), services_.dir().path());
        } catch (const ConfigError& e) {
            ADD_FAILURE() << e.message();
            return {};
        }
    }

    sdk::Result<void> configure(Params params) {
        bool has_url = false;
        for (const auto& [name, value] : params) has_url = has_url || name == "url";
        if (!has_url) params.emplace_back("url", app_.url("/api/dossiers"));
        return connector_->configure(settings(params));
    }

    void configureOrFail(Params params) {
        auto configured = configure(std::move(params));
        ASSERT_TRUE(configured) << configured.error().message;
    }

    sdk::Delivery delivery() {
        sdk::Delivery d;
        d.dossier = &dossier_;
        d.payload = kPayload;
        d.content_type = "application/json";
        d.idempotency_key = "rl-job-1";
        d.route = "cantine";
        return d;
    }

    ReceivedRequest lastRequest() const {
        const auto requests = app_.requests();
        if (requests.empty()) {
            ADD_FAILURE() << "the application received nothing";
            return {};
        }
        return requests.back();
    }

    test::TestServices services_;
    test::MockHttpServer app_;
    std::unique_ptr<sdk::Host> host_;
    std::unique_ptr<RestConnector> connector_;
    sdk::Dossier dossier_{.id = "d0000000-0000-4000-8000-000000000001",
                          .source = "portail",
                          .source_key = "RS-2026-004217",
                          .procedure = "restauration-scolaire",
                          .subject = std::nullopt,
                          .submitted_at = sdk::Timestamp::fromUnixSeconds(1'794'614'400),
                          .fields = {},
                          .attachments = {},
                          .status = sdk::Status::Submitted,
                          .portal_status = {},
                          .version = 1};
};

TEST(RestDescriptor, IsValidAndDeclaresDeliverAndHealth) {
    EXPECT_EQ(plugin::validateDescriptor(kDescriptor), "");
    EXPECT_EQ(kDescriptor.operations, sdk::operation::kDeliver | sdk::operation::kHealth);
}

TEST_F(RestConnectorTest, DeliversWithTheBusinessIdFromJson) {
    app_.setHandler([](const ReceivedRequest&) {
        return MockResponse{
            201, "application/json", R"({"data": {"numero": "CAN-2026-00042", "id": 42}})", {}};
    });
    configureOrFail({{"business-id", "json:data.id"}, {"display-id", "json:data.numero"}});
    auto receipt = connector_->deliver(delivery());
    ASSERT_TRUE(receipt) << receipt.error().message;
    EXPECT_EQ(receipt->business_id, "42");
    EXPECT_EQ(receipt->display_id, "CAN-2026-00042");
    EXPECT_FALSE(receipt->awaits_acknowledgement);
    ASSERT_NE(receipt->response.path("data.numero"), nullptr);
    EXPECT_EQ(receipt->response.path("data.numero")->asString(), "CAN-2026-00042");

    const ReceivedRequest request = lastRequest();
    EXPECT_EQ(request.method, "POST");
    EXPECT_EQ(request.uri, "/api/dossiers");
    EXPECT_EQ(request.body, kPayload);
    EXPECT_EQ(request.header("Content-Type"), "application/json");
    EXPECT_EQ(request.header("Idempotency-Key"), "rl-job-1");
    EXPECT_EQ(request.header("Authorization"), "");
    EXPECT_EQ(request.header("X-Relais-Signature"), "");
}

TEST_F(RestConnectorTest, DeliversWithTheBusinessIdFromTheLocationHeader) {
    app_.setHandler([this](const ReceivedRequest&) {
        return MockResponse{
            201,
            "text/plain",
            "created",
            {{"Location", app_.url("/api/dossiers/CAN-77/")}, {"X-Numero", "N 2026/77"}}};
    });
    configureOrFail({{"business-id", "header:Location"}, {"display-id", "header:X-Numero"}});
    auto receipt = connector_->deliver(delivery());
    ASSERT_TRUE(receipt) << receipt.error().message;
    EXPECT_EQ(receipt->business_id, "CAN-77");
    EXPECT_EQ(receipt->display_id, "N 2026/77");
    EXPECT_TRUE(receipt->response.isNull()) << "a body that is not JSON is not kept";
}

TEST_F(RestConnectorTest, WithoutBusinessIdConfiguredDeliversWithoutLink) {
    app_.setHandler([](const ReceivedRequest&) { return MockResponse{204, "", "", {}}; });
    configureOrFail({});
    auto receipt = connector_->deliver(delivery());
    ASSERT_TRUE(receipt) << receipt.error().message;
    EXPECT_EQ(receipt->business_id, "");
}

TEST_F(RestConnectorTest, ASuccessWithoutTheConfiguredBusinessIdIsPermanent) {
    app_.setHandler([](const ReceivedRequest&) {
        return MockResponse{200, "application/json", R"({"ok":true})", {}};
    });
    configureOrFail({{"business-id", "json:data.id"}, {"display-id", "json:numero"}});
    auto receipt = connector_->deliver(delivery());
    ASSERT_FALSE(receipt);
    EXPECT_EQ(receipt.error().code, ErrorCode::Permanent);
    EXPECT_EQ(receipt.error().field, "business-id");
    const std::string& message = receipt.error().message;
    EXPECT_TRUE(contains(message, "answered 200")) << message;
    EXPECT_TRUE(contains(message, "cannot link the dossier")) << message;
    EXPECT_TRUE(contains(message, "data.id")) << message;
    EXPECT_TRUE(contains(message, "Idempotency-Key")) << message;
    EXPECT_TRUE(contains(message, R"({"ok":true})")) << message;
}

TEST_F(RestConnectorTest, AMissingDisplayIdIsOnlyAWarning) {
    app_.setHandler([](const ReceivedRequest&) {
        return MockResponse{201, "application/json", R"({"id":"A1"})", {}};
    });
    configureOrFail({{"business-id", "json:id"}, {"display-id", "json:numero"}});
    auto receipt = connector_->deliver(delivery());
    ASSERT_TRUE(receipt) << receipt.error().message;
    EXPECT_EQ(receipt->business_id, "A1");
    EXPECT_EQ(receipt->display_id, "");
    EXPECT_TRUE(contains(services_.logs(), "no display id in the answer"));
}

TEST_F(RestConnectorTest, SubstitutesTheUrlTemplateWithEncoding) {
    dossier_.source_key = "RS/2026 004217&x=1";
    configureOrFail(
        {{"url",
          app_.url("/api/{procedure}/dossiers/{source_key}?route={route}&id={dossier_id}")}});
    auto receipt = connector_->deliver(delivery());
    ASSERT_TRUE(receipt) << receipt.error().message;
    EXPECT_EQ(lastRequest().uri,
              "/api/restauration-scolaire/dossiers/RS%2F2026%20004217%26x%3D1?route=cantine&id=" +
                  dossier_.id);
}

TEST_F(RestConnectorTest, AUrlNeedingAnUnknownBusinessIdIsRefusedBeforeSending) {
    configureOrFail({{"url", app_.url("/api/dossiers/{business_id}")}, {"method", "PUT"}});
    auto receipt = connector_->deliver(delivery());
    ASSERT_FALSE(receipt);
    EXPECT_EQ(receipt.error().code, ErrorCode::InvalidArgument);
    EXPECT_TRUE(contains(receipt.error().message, "{business_id}"));
    EXPECT_EQ(app_.count(), 0U);
}

TEST_F(RestConnectorTest, AUrlUsesTheBusinessIdOfAnEarlierDelivery) {
    configureOrFail({{"url", app_.url("/api/dossiers/{business_id}")}, {"method", "PUT"}});
    sdk::Delivery update = delivery();
    update.business_id = "CAN 77/1";
    auto receipt = connector_->deliver(update);
    ASSERT_TRUE(receipt) << receipt.error().message;
    EXPECT_EQ(lastRequest().uri, "/api/dossiers/CAN%2077%2F1");
    EXPECT_EQ(lastRequest().method, "PUT");
}

TEST_F(RestConnectorTest, SendsMethodContentTypeExtraHeadersAndIdempotencyKey) {
    configureOrFail({{"method", "PUT"},
                     {"content-type", "application/vnd.cantine+json; charset=utf-8"},
                     {"headers", R"(X-Collectivite: 75056, Accept: application/json\, text/plain)"},
                     {"idempotency-header", "X-Request-Id"}});
    auto d = delivery();
    d.idempotency_key = "rl-job-77";
    auto receipt = connector_->deliver(d);
    ASSERT_TRUE(receipt) << receipt.error().message;
    const ReceivedRequest request = lastRequest();
    EXPECT_EQ(request.method, "PUT");
    EXPECT_EQ(request.header("Content-Type"), "application/vnd.cantine+json; charset=utf-8");
    EXPECT_EQ(request.header("X-Collectivite"), "75056");
    EXPECT_EQ(request.header("Accept"), "application/json, text/plain");
    EXPECT_EQ(request.header("X-Request-Id"), "rl-job-77");
    EXPECT_EQ(request.header("Idempotency-Key"), "");
}

TEST_F(RestConnectorTest, TheSameIdempotencyKeyTravelsOnEveryAttempt) {
    int calls = 0;
    std::mutex mutex;  // guards calls
    app_.setHandler([&](const ReceivedRequest&) {
        std::lock_guard lock(mutex);
        return ++calls == 1 ? MockResponse{503, "text/plain", "busy", {}}
                            : MockResponse{201, "application/json", R"({"id":"X"})", {}};
    });
    configureOrFail({{"business-id", "json:id"}});
    auto first = delivery();
    ASSERT_FALSE(connector_->deliver(first));
    auto second = delivery();
    second.attempt = 2;
    ASSERT_TRUE(connector_->deliver(second));
    const auto requests = app_.requests();
    ASSERT_EQ(requests.size(), 2U);
    EXPECT_EQ(requests[0].header("Idempotency-Key"), "rl-job-1");
    EXPECT_EQ(requests[1].header("Idempotency-Key"), "rl-job-1");
}

TEST_F(RestConnectorTest, SendsABearerToken) {
    configureOrFail({{"auth", "bearer"}, {"token", "file:secrets/token"}});
    ASSERT_TRUE(connector_->deliver(delivery()));
    EXPECT_EQ(lastRequest().header("Authorization"), std::string("Bearer ") + kToken);
}

TEST_F(RestConnectorTest, SendsBasicCredentials) {
    configureOrFail(
        {{"auth", "basic"}, {"username", "agent-cantine"}, {"password", "file:secrets/password"}});
    ASSERT_TRUE(connector_->deliver(delivery()));
    std::string decoded;
    const std::string header = lastRequest().header("Authorization");
    ASSERT_TRUE(header.starts_with("Basic ")) << header;
    ASSERT_TRUE(common::base64Decode(header.substr(6), decoded));
    EXPECT_EQ(decoded, std::string("agent-cantine:") + kPassword);
}

TEST_F(RestConnectorTest, SendsAnApiKeyInItsHeader) {
    configureOrFail(
        {{"auth", "api-key"}, {"token", "file:secrets/token"}, {"api-key-header", "X-Api-Key"}});
    ASSERT_TRUE(connector_->deliver(delivery()));
    EXPECT_EQ(lastRequest().header("X-Api-Key"), kToken);
    EXPECT_EQ(lastRequest().header("Authorization"), "");
}

TEST_F(RestConnectorTest, SignsTheBodyWithHmac) {
    configureOrFail({{"auth", "hmac"}, {"hmac-secret", "file:secrets/hmac"}});
    const auto before = std::chrono::system_clock::now();
    ASSERT_TRUE(connector_->deliver(delivery()));
    const auto after = std::chrono::system_clock::now();
    const ReceivedRequest request = lastRequest();
    const std::string signature = request.header("X-Relais-Signature");
    // t=<unix seconds>,v1=<hex>
    ASSERT_TRUE(signature.starts_with("t=")) << signature;
    const auto comma = signature.find(",v1=");
    ASSERT_NE(comma, std::string::npos) << signature;
    const std::string t = signature.substr(2, comma - 2);
    const std::string v1 = signature.substr(comma + 4);
    const auto seconds = [](auto tp) {
        return std::chrono::duration_cast<std::chrono::seconds>(tp.time_since_epoch()).count();
    };
    EXPECT_GE(std::stoll(t), seconds(before));
    EXPECT_LE(std::stoll(t), seconds(after));
    // Recomputed independently, as an application would: HMAC-SHA256(secret, t "." body).
    EXPECT_EQ(v1, common::toHex(common::hmac("sha256", kHmacSecret, t + "." + request.body)));
    EXPECT_EQ(request.body, kPayload);
    EXPECT_EQ(request.header("Authorization"), "");
}

TEST_F(RestConnectorTest, SignsTheQueryForPublik) {
    configureOrFail({{"url", app_.url("/api/forms/cantine/submit?mode=test")},
                     {"auth", "publik"},
                     {"publik-orig", kPublikOrig},
                     {"publik-secret", "file:secrets/publik"}});
    const std::int64_t before = unixNow();
    auto receipt = connector_->deliver(delivery());
    const std::int64_t after = unixNow();
    ASSERT_TRUE(receipt) << receipt.error().message;

    const ReceivedRequest request = lastRequest();
    ASSERT_TRUE(request.uri.starts_with("/api/forms/cantine/submit?mode=test&orig=" +
                                        std::string(kPublikOrig) + "&algo=sha256&timestamp="))
        << request.uri;
    const PublikCheck check =
        checkPublikSignature(services_.dir(), request.uri, "sha256", kPublikSecret);
    EXPECT_EQ(check.verified.orig, kPublikOrig);
    EXPECT_GE(check.verified.timestamp, before);
    EXPECT_LE(check.verified.timestamp, after);
    EXPECT_EQ(check.verified.nonce.size(), 32U);
    // The rest of the request is as with any other mode.
    EXPECT_EQ(request.body, kPayload);
    EXPECT_EQ(request.header("Idempotency-Key"), "rl-job-1");
    EXPECT_EQ(request.header("Authorization"), "");
    EXPECT_EQ(request.header("X-Relais-Signature"), "");
    EXPECT_TRUE(contains(services_.logs(), "auth=publik signs the query only"))
        << "plain http: the body is not covered";
}

TEST_F(RestConnectorTest, EachPublikAttemptHasItsOwnNonce) {
    int calls = 0;
    std::mutex mutex;  // guards calls
    app_.setHandler([&](const ReceivedRequest&) {
        std::lock_guard lock(mutex);
        return ++calls == 1 ? MockResponse{503, "text/plain", "busy", {}}
                            : MockResponse{201, "application/json", R"({"id":"X"})", {}};
    });
    configureOrFail({{"auth", "publik"},
                     {"publik-orig", kPublikOrig},
                     {"publik-secret", "file:secrets/publik"},
                     {"publik-algo", "sha512"}});
    auto first = connector_->deliver(delivery());
    ASSERT_FALSE(first);
    EXPECT_EQ(first.error().code, ErrorCode::Retryable);
    auto second_delivery = delivery();
    second_delivery.attempt = 2;
    ASSERT_TRUE(connector_->deliver(second_delivery));
    const auto requests = app_.requests();
    ASSERT_EQ(requests.size(), 2U);
    const auto a = checkPublikSignature(services_.dir(), requests[0].uri, "sha512", kPublikSecret);
    const auto b = checkPublikSignature(services_.dir(), requests[1].uri, "sha512", kPublikSecret);
    EXPECT_TRUE(contains(a.unsigned_part, "&algo=sha512&")) << a.unsigned_part;
    EXPECT_NE(a.verified.nonce, b.verified.nonce) << "a replayed nonce is refused";
    EXPECT_EQ(requests[0].header("Idempotency-Key"), requests[1].header("Idempotency-Key"));
}

TEST_F(RestConnectorTest, SignsTheHealthCallForPublik) {
    configureOrFail({{"health-url", app_.url("/api/health")},
                     {"auth", "publik"},
                     {"publik-orig", kPublikOrig},
                     {"publik-secret", "file:secrets/publik"},
                     {"publik-algo", "sha1"}});
    auto report = connector_->health();
    ASSERT_TRUE(report);
    EXPECT_TRUE(report->healthy) << report->detail;
    const ReceivedRequest request = lastRequest();
    EXPECT_EQ(request.method, "GET");
    ASSERT_TRUE(request.uri.starts_with("/api/health?orig=" + std::string(kPublikOrig) + "&"))
        << request.uri;
    EXPECT_EQ(
        checkPublikSignature(services_.dir(), request.uri, "sha1", kPublikSecret).verified.orig,
        kPublikOrig);
    EXPECT_FALSE(contains(report->detail, "signature")) << "the query stays out of messages";
}

TEST_F(RestConnectorTest, ThePublikSecretIsMasked) {
    // An application that quotes the key it expected in its error page.
    app_.setHandler([](const ReceivedRequest&) {
        return MockResponse{
            403,
            "text/plain",
            std::string("invalid signature, key ") + kPublikSecret + " for " + kPublikOrig,
            {}};
    });
    configureOrFail({{"auth", "publik"},
                     {"publik-orig", kPublikOrig},
                     {"publik-secret", "file:secrets/publik"}});
    auto receipt = connector_->deliver(delivery());
    ASSERT_FALSE(receipt);
    EXPECT_EQ(receipt.error().code, ErrorCode::Permanent);
    EXPECT_TRUE(contains(receipt.error().message, "invalid signature, key *** for"))
        << receipt.error().message;
    EXPECT_FALSE(contains(receipt.error().message, kPublikSecret));
    EXPECT_FALSE(contains(receipt.error().message, "signature=")) << "no query in messages";
    EXPECT_FALSE(contains(services_.logs(), kPublikSecret));
}

TEST_F(RestConnectorTest, PublikAlgoMustBeKnown) {
    const config::InstanceConfig declared = instance({{"url", app_.url("/api")},
                                                      {"auth", "publik"},
                                                      {"publik-orig", kPublikOrig},
                                                      {"publik-secret", "file:secrets/publik"},
                                                      {"publik-algo", "md5"}});
    try {
        (void)plugin::validateSettings(kDescriptor, declared, services_.dir().path());
        ADD_FAILURE() << "publik-algo=md5 accepted";
    } catch (const ConfigError& e) {
        EXPECT_TRUE(contains(e.message(), "publik-algo")) << e.message();
    }
}

TEST_F(RestConnectorTest, A503WithRetryAfterIsRetryableWithItsDelay) {
    app_.setHandler([](const ReceivedRequest&) {
        return MockResponse{503, "text/plain", "maintenance en cours", {{"Retry-After", "120"}}};
    });
    configureOrFail({});
    auto receipt = connector_->deliver(delivery());
    ASSERT_FALSE(receipt);
    EXPECT_EQ(receipt.error().code, ErrorCode::Retryable);
    EXPECT_EQ(receipt.error().retry_after_seconds, 120);
    EXPECT_TRUE(contains(receipt.error().message, "503")) << receipt.error().message;
    EXPECT_TRUE(contains(receipt.error().message, "maintenance en cours"));
}

TEST_F(RestConnectorTest, A429WithAnHttpDateIsRetryableUntilThatDate) {
    const std::time_t at = std::time(nullptr) + 90;
    std::tm tm{};
    ::gmtime_r(&at, &tm);
    char date[64];
    ASSERT_GT(std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm), 0U);
    app_.setHandler([&](const ReceivedRequest&) {
        return MockResponse{429, "text/plain", "", {{"Retry-After", date}}};
    });
    configureOrFail({});
    auto receipt = connector_->deliver(delivery());
    ASSERT_FALSE(receipt);
    EXPECT_EQ(receipt.error().code, ErrorCode::Retryable);
    EXPECT_GE(receipt.error().retry_after_seconds, 85);
    EXPECT_LE(receipt.error().retry_after_seconds, 90);
}

TEST_F(RestConnectorTest, A400IsPermanentWithStatusAndASanitisedExcerpt) {
    std::string body = "{\"erreur\":\r\n\"champ date_naissance manquant\"}\x01";
    body += std::string(1000, 'z');
    app_.setHandler([&](const ReceivedRequest&) {
        return MockResponse{400, "application/json", body, {}};
    });
    configureOrFail({});
    auto receipt = connector_->deliver(delivery());
    ASSERT_FALSE(receipt);
    EXPECT_EQ(receipt.error().code, ErrorCode::Permanent);
    EXPECT_EQ(receipt.error().retry_after_seconds, 0);
    const std::string& message = receipt.error().message;
    EXPECT_TRUE(contains(message, "POST " + app_.url("/api/dossiers") + " answered 400"))
        << message;
    EXPECT_TRUE(contains(message, R"({"erreur": "champ date_naissance manquant"})")) << message;
    EXPECT_FALSE(contains(message, "\n"));
    EXPECT_FALSE(contains(message, "\x01"));
    EXPECT_FALSE(contains(message, "PAYLOAD-MARKER")) << "never the request body";
    const auto excerpt_at = message.find(": {");
    ASSERT_NE(excerpt_at, std::string::npos);
    EXPECT_LE(message.size() - excerpt_at - 2, 200U) << message;
}

TEST_F(RestConnectorTest, ConfiguredCodesDecideTheOutcome) {
    // An application that answers 409 with the existing dossier's id for a duplicate.
    app_.setHandler([](const ReceivedRequest&) {
        return MockResponse{409, "application/json", R"({"id":"EXISTING-1"})", {}};
    });
    configureOrFail({{"success-codes", "200, 201, 409"}, {"business-id", "json:id"}});
    auto receipt = connector_->deliver(delivery());
    ASSERT_TRUE(receipt) << receipt.error().message;
    EXPECT_EQ(receipt->business_id, "EXISTING-1");

    // A status in neither list is permanent, even a 5xx.
    app_.setHandler([](const ReceivedRequest&) { return MockResponse{501, "", "", {}}; });
    auto refused = connector_->deliver(delivery());
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::Permanent);
    EXPECT_TRUE(contains(refused.error().message, "(empty body)")) << refused.error().message;
}

TEST_F(RestConnectorTest, ASlowApplicationIsATimeout) {
    // Shared with the handler, which may still be running when the test ends.
    auto gate = std::make_shared<Gate>();
    app_.setHandler([gate](const ReceivedRequest&) {
        gate->waitOpen(std::chrono::seconds(10));
        return MockResponse{201, "application/json", "{}", {}};
    });
    configureOrFail({{"timeout", "300ms"}});
    auto receipt = connector_->deliver(delivery());
    gate->open();
    ASSERT_FALSE(receipt);
    EXPECT_EQ(receipt.error().code, ErrorCode::Timeout) << receipt.error().message;
    EXPECT_TRUE(contains(receipt.error().message, "POST " + app_.url("/api/dossiers")));
}

TEST_F(RestConnectorTest, ARefusedConnectionIsUnavailable) {
    int port = 0;
    {
        // A port that was free a moment ago and has nobody listening any more.
        Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
        port = socket.address().port();
    }
    configureOrFail({{"url", "http://127.0.0.1:" + std::to_string(port) + "/api/dossiers"}});
    auto receipt = connector_->deliver(delivery());
    ASSERT_FALSE(receipt);
    EXPECT_EQ(receipt.error().code, ErrorCode::Unavailable) << receipt.error().message;
}

TEST_F(RestConnectorTest, TlsSettingsReachTheHttpClient) {
    const std::string ca = services_.dir().write("tls/ca.pem", "not a certificate\n");
    configureOrFail({{"url", "https://127.0.0.1:" + std::to_string(app_.port()) + "/api/dossiers"},
                     {"ca-file", ca}});
    auto receipt = connector_->deliver(delivery());
    ASSERT_FALSE(receipt);
    EXPECT_EQ(receipt.error().code, ErrorCode::InvalidArgument) << receipt.error().message;
    EXPECT_EQ(receipt.error().field, "tls.ca_file");
    EXPECT_TRUE(contains(receipt.error().message, ca));

    const std::string cert = services_.dir().write("tls/client.pem", "not a certificate\n");
    const std::string key = services_.dir().write("tls/client.key", "not a key\n");
    auto mutual = std::make_unique<RestConnector>(*host_);
    ASSERT_TRUE(mutual->configure(
        settings({{"url", "https://127.0.0.1:" + std::to_string(app_.port()) + "/api/dossiers"},
                  {"verify-peer", "false"},
                  {"client-certificate", cert},
                  {"client-key", key}})));
    auto refused = mutual->deliver(delivery());
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::InvalidArgument) << refused.error().message;
    EXPECT_EQ(refused.error().field, "tls.client_cert_file");
}

TEST_F(RestConnectorTest, UnreadableTlsFilesStopTheConfiguration) {
    auto configured = configure({{"ca-file", services_.dir().file("tls/absent.pem")}});
    ASSERT_FALSE(configured);
    EXPECT_EQ(configured.error().field, "ca-file");
    EXPECT_TRUE(contains(configured.error().message, "absent.pem"));

    const std::string cert = services_.dir().write("tls/client.pem", "x");
    configured = configure({{"client-certificate", cert}});
    ASSERT_FALSE(configured);
    EXPECT_EQ(configured.error().field, "client-key") << "the missing half is named";
}

TEST_F(RestConnectorTest, RefusesBadConfigurations) {
    struct Case {
        Params params;
        std::string field;
    };
    const std::vector<Case> cases = {
        {{{"headers", "X-A: a\rb"}}, "headers"},
        {{{"headers", "Host: other.example"}}, "headers"},
        {{{"headers", "Authorization: Bearer inline"}}, "headers"},
        {{{"headers", "X-Request-Id: 1"}, {"idempotency-header", "X-Request-Id"}},
         "idempotency-header"},
        {{{"idempotency-header", "Content-Length"}}, "idempotency-header"},
        {{{"business-id", "xpath:/dossier/id"}}, "business-id"},
        {{{"display-id", "json:data..numero"}}, "display-id"},
        {{{"auth", "bearer"}}, "token"},
        {{{"token", "file:secrets/token"}}, "token"},
        {{{"auth", "basic"}, {"password", "file:secrets/password"}}, "username"},
        {{{"auth", "basic"}, {"username", "a:b"}, {"password", "file:secrets/password"}},
         "username"},
        {{{"auth", "hmac"}, {"hmac-secret", "file:secrets/hmac"}, {"token", "file:secrets/token"}},
         "token"},
        {{{"api-key-header", "X-Key"}}, "api-key-header"},
        {{{"auth", "api-key"}, {"token", "file:secrets/token"}, {"api-key-header", "Host"}},
         "api-key-header"},
        {{{"success-codes", "200, 503"}}, "retry-codes"},
        {{{"retry-codes", "5xx"}}, "retry-codes"},
        {{{"url", "http://127.0.0.1:9/{nope}"}}, "url"},
        {{{"content-type", "json"}}, "content-type"},
        {{{"timeout", "0s"}}, "timeout"},
        {{{"auth", "publik"}, {"publik-secret", "file:secrets/publik"}}, "publik-orig"},
        {{{"auth", "publik"}, {"publik-orig", kPublikOrig}}, "publik-secret"},
        {{{"auth", "publik"}, {"publik-orig", " "}, {"publik-secret", "file:secrets/publik"}},
         "publik-orig"},
        {{{"auth", "publik"}, {"publik-orig", kPublikOrig}, {"publik-secret", "file:secrets/none"}},
         "publik-secret"},
        {{{"publik-orig", kPublikOrig}}, "publik-orig"},
        {{{"auth", "hmac"}, {"hmac-secret", "file:secrets/hmac"}, {"publik-algo", "sha1"}},
         "publik-algo"},
        {{{"auth", "publik"},
          {"publik-orig", kPublikOrig},
          {"publik-secret", "file:secrets/publik"},
          {"url", "https://wcs.example/api/forms/x?orig=other"}},
         "url"},
        {{{"auth", "publik"},
          {"publik-orig", kPublikOrig},
          {"publik-secret", "file:secrets/publik"},
          {"health-url", "https://wcs.example/api/health?nonce=1"}},
         "health-url"},
    };
    for (const auto& c : cases) {
        auto fresh = std::make_unique<RestConnector>(*host_);
        Params params = c.params;
        bool has_url = false;
        for (const auto& [name, value] : params) has_url = has_url || name == "url";
        if (!has_url) params.emplace_back("url", app_.url("/api/dossiers"));
        auto configured = fresh->configure(settings(params));
        ASSERT_FALSE(configured) << c.params.front().first << "=" << c.params.front().second;
        EXPECT_EQ(configured.error().code, ErrorCode::InvalidArgument);
        EXPECT_EQ(configured.error().field, c.field) << configured.error().message;
        EXPECT_TRUE(contains(configured.error().message, c.field)) << configured.error().message;
    }
}

TEST_F(RestConnectorTest, AMissingSecretNamesItsReferenceOnly) {
    auto configured = configure({{"auth", "bearer"}, {"token", "file:secrets/absent"}});
    ASSERT_FALSE(configured);
    EXPECT_EQ(configured.error().field, "token");
    EXPECT_TRUE(contains(configured.error().message, "file:secrets/absent"))
        << configured.error().message;

    // A secret that resolves but cannot be a bearer token: the reference is named, the value
    // is not.
    const std::string bad_value = "two words-secret";
    (void)services_.dir().write("secrets/spaced", bad_value);
    configured = configure({{"auth", "bearer"}, {"token", "file:secrets/spaced"}});
    ASSERT_FALSE(configured);
    EXPECT_TRUE(contains(configured.error().message, "file:secrets/spaced"));
    EXPECT_FALSE(contains(configured.error().message, bad_value));
}

TEST_F(RestConnectorTest, SecretsNeverReachMessagesOrLogs) {
    // An application that echoes the request's credentials in its error page.
    app_.setHandler([](const ReceivedRequest& request) {
        return MockResponse{
            401,
            "text/plain",
            "refused: " + request.header("Authorization") + " / " + request.header("X-Api-Key"),
            {}};
    });
    std::vector<std::string> messages;
    configureOrFail({{"auth", "bearer"}, {"token", "file:secrets/token"}});
    auto bearer = connector_->deliver(delivery());
    ASSERT_FALSE(bearer);
    EXPECT_EQ(bearer.error().code, ErrorCode::Permanent);
    messages.push_back(bearer.error().message);

    auto basic = std::make_unique<RestConnector>(*host_);
    ASSERT_TRUE(basic->configure(settings({{"url", app_.url("/api/dossiers")},
                                           {"auth", "basic"},
                                           {"username", "agent"},
                                           {"password", "file:secrets/password"}})));
    auto basic_result = basic->deliver(delivery());
    ASSERT_FALSE(basic_result);
    messages.push_back(basic_result.error().message);
    const std::string basic_header = lastRequest().header("Authorization");

    EXPECT_TRUE(contains(messages[0], "refused: Bearer ***")) << messages[0];
    for (const auto& message : messages) {
        EXPECT_FALSE(contains(message, kToken)) << message;
        EXPECT_FALSE(contains(message, kPassword)) << message;
        EXPECT_FALSE(contains(message, basic_header.substr(6))) << message;
    }
    const std::string logs = services_.logs();
    EXPECT_FALSE(logs.empty());
    for (const char* secret : {kToken, kPassword, kHmacSecret}) {
        EXPECT_FALSE(contains(logs, secret)) << logs;
    }
    EXPECT_FALSE(contains(logs, "PAYLOAD-MARKER")) << "the payload is personal data";
}

TEST_F(RestConnectorTest, HealthWithoutAUrlIsHealthy) {
    configureOrFail({});
    auto report = connector_->health();
    ASSERT_TRUE(report);
    EXPECT_TRUE(report->healthy);
    EXPECT_EQ(report->detail, "no health check configured");
    EXPECT_EQ(app_.count(), 0U);
}

TEST_F(RestConnectorTest, HealthGetsTheHealthUrlWithCredentials) {
    int status = 200;
    std::mutex mutex;  // guards status
    app_.setHandler([&](const ReceivedRequest&) {
        std::lock_guard lock(mutex);
        return MockResponse{status, "application/json", "{}", {}};
    });
    configureOrFail({{"health-url", app_.url("/api/health")},
                     {"auth", "bearer"},
                     {"token", "file:secrets/token"}});
    auto report = connector_->health();
    ASSERT_TRUE(report);
    EXPECT_TRUE(report->healthy) << report->detail;
    const ReceivedRequest request = lastRequest();
    EXPECT_EQ(request.method, "GET");
    EXPECT_EQ(request.uri, "/api/health");
    EXPECT_EQ(request.header("Authorization"), std::string("Bearer ") + kToken);

    {
        std::lock_guard lock(mutex);
        status = 503;
    }
    report = connector_->health();
    ASSERT_TRUE(report);
    EXPECT_FALSE(report->healthy);
    EXPECT_TRUE(contains(report->detail, "503")) << report->detail;
}

TEST_F(RestConnectorTest, AnUnreachableHealthUrlIsUnhealthyNotAnError) {
    int port = 0;
    {
        Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
        port = socket.address().port();
    }
    configureOrFail({{"health-url", "http://127.0.0.1:" + std::to_string(port) + "/health"},
                     {"connect-timeout", "1s"}});
    auto report = connector_->health();
    ASSERT_TRUE(report);
    EXPECT_FALSE(report->healthy);
    EXPECT_TRUE(contains(report->detail, "GET http://127.0.0.1:")) << report->detail;
}

TEST_F(RestConnectorTest, DeliversConcurrently) {
    app_.setHandler([](const ReceivedRequest& request) {
        return MockResponse{201,
                            "application/json",
                            R"({"id":")" + request.header("Idempotency-Key") + R"("})",
                            {}};
    });
    configureOrFail({{"business-id", "json:id"}});
    constexpr int kThreads = 6;
    constexpr int kPerThread = 10;
    std::vector<std::vector<std::string>> ids(kThreads);
    std::vector<std::thread> threads;
    threads.reserve(kThreads);
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kPerThread; ++i) {
                auto d = delivery();
                d.idempotency_key = "rl-job-" + std::to_string(t) + "-" + std::to_string(i);
                auto receipt = connector_->deliver(d);
                ids[t].push_back(receipt ? receipt->business_id : receipt.error().message);
            }
        });
    }
    for (auto& thread : threads) thread.join();
    for (int t = 0; t < kThreads; ++t) {
        for (int i = 0; i < kPerThread; ++i) {
            EXPECT_EQ(ids[t][i], "rl-job-" + std::to_string(t) + "-" + std::to_string(i));
        }
    }
    EXPECT_EQ(app_.count(), static_cast<std::size_t>(kThreads * kPerThread));
}

TEST_F(RestConnectorTest, RefusesADeliveryWithoutDossierOrIdempotencyKey) {
    configureOrFail({});
    auto d = delivery();
    d.idempotency_key.clear();
    auto receipt = connector_->deliver(d);
    ASSERT_FALSE(receipt);
    EXPECT_EQ(receipt.error().code, ErrorCode::InvalidArgument);
    d = delivery();
    d.dossier = nullptr;
    EXPECT_FALSE(connector_->deliver(d));
    EXPECT_EQ(app_.count(), 0U);
}

}  // namespace
}  // namespace relais::plugins::rest
