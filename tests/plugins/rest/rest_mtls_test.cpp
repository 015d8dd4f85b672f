// SPDX-License-Identifier: AGPL-3.0-or-later
// Mutual TLS to a business application, with certificates made by the test (a CA, the
// application's server certificate, relais's client certificate, and a second CA with a
// client certificate of its own, all from the openssl command line):
// - the connector class with the real host services, for the exact error codes;
// - the real daemon loading the real plugin, end to end from a portal's webhook.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <Poco/Net/SSLManager.h>
#include <gtest/gtest.h>

#include "relais/common/errors.h"
#include "relais/config/config.h"
#include "relais/plugin/instance.h"
#include "relais/plugin/library.h"
#include "relais/sdk/plugin.h"

#include "core/host/http_test_servers.h"
#include "plugins/support/instance_config.h"
#include "rest_connector.h"
#include "rest_test_descriptor.h"
#include "support/daemon.h"
#include "support/http_call.h"
#include "support/temp_dir.h"
#include "support/test_host.h"
#include "tls_mock_application.h"

namespace relais::plugins::rest {
namespace {

using sdk::ErrorCode;
using test::TestPki;
using test::TlsMockApplication;
using Params = std::vector<std::pair<std::string, std::string>>;

constexpr const relais_plugin_descriptor& kDescriptor = kRestTestDescriptor<RestConnector>;

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// The string at `path` in `json`, or "" (the test then fails on the comparison, not a crash).
std::string textAt(const sdk::Json& json, const std::string& path) {
    const sdk::Json* value = json.path(path);
    return value != nullptr && value->isString() ? value->asString() : std::string();
}

/// The certificates, made once for every test here (openssl takes a while). Owned by the
/// environment (gtest deletes it after the last test), set up before the first test.
class Certificates : public ::testing::Environment {
public:
    void SetUp() override {
        Poco::Net::initializeSSL();
        pki_ = new TestPki();
    }
    void TearDown() override {
        delete pki_;
        pki_ = nullptr;
    }

    static const TestPki& pki() { return *pki_; }

private:
    static inline TestPki* pki_ = nullptr;
};

[[maybe_unused]] const auto* const kCertificates =
    ::testing::AddGlobalTestEnvironment(new Certificates);

const TestPki& pki() { return Certificates::pki(); }

// --- The connector with the real host services ----------------------------------------

class RestMutualTlsTest : public ::testing::Test {
protected:
    void SetUp() override { host_ = services_.host("appli-mtls"); }

    /// One delivery through a connector configured with `tls_params` (and `ca-file` the
    /// test CA unless given).
    sdk::Result<sdk::DeliveryReceipt> deliverWith(const Params& tls_params) {
        Params params = {{"url", app_.url("/api/dossiers")},
                         {"business-id", "json:id"},
                         {"connect-timeout", "5s"},
                         {"timeout", "5s"}};
        params.insert(params.end(), tls_params.begin(), tls_params.end());
        bool has_ca = false;
        for (const auto& [name, value] : params) has_ca = has_ca || name == "ca-file";
        if (!has_ca) params.emplace_back("ca-file", pki().ca_cert);
        const config::InstanceConfig instance =
            test::instanceConfig("appli-mtls", "rest", params, services_.dir().file("relais.xml"));
        sdk::Settings settings;
        try {
            settings = plugin::validateSettings(kDescriptor, instance, services_.dir().path());
        } catch (const ConfigError& e) {
            return sdk::fail(ErrorCode::Internal, "config refused: " + e.message());
        }
        RestConnector connector(*host_);
        auto configured = connector.configure(settings);
        if (!configured) return std::move(configured).error();
        sdk::Delivery delivery;
        delivery.dossier = &dossier_;
        delivery.payload = R"({"externalRef":"RS-2026-004217"})";
        delivery.content_type = "application/json";
        delivery.idempotency_key = "rl-job-mtls";
        delivery.route = "cantine";
        return connector.deliver(delivery);
    }

    // Declared first, destroyed last: the services' HTTP client (and its pooled TLS
    // connections) is gone before the application stops, so no connection thread of the
    // application is inside OpenSSL while it shuts down.
    TlsMockApplication app_{pki().server_cert, pki().server_key, pki().ca_cert};
    test::TestServices services_;
    std::unique_ptr<sdk::Host> host_;
    sdk::Dossier dossier_{.id = "d0000000-0000-4000-8000-000000000042",
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

TEST_F(RestMutualTlsTest, DeliversWithTheClientCertificate) {
    auto receipt =
        deliverWith({{"client-certificate", pki().client_cert}, {"client-key", pki().client_key}});
    ASSERT_TRUE(receipt) << receipt.error().message;
    EXPECT_EQ(receipt->business_id, "BO-TLS-1");
    const auto requests = app_.requests();
    ASSERT_EQ(requests.size(), 1U);
    EXPECT_EQ(requests[0].client_subject_cn, "relais test client");
    EXPECT_EQ(requests[0].client_issuer_cn, "relais test CA");
    EXPECT_EQ(requests[0].method, "POST");
    EXPECT_EQ(requests[0].uri, "/api/dossiers");
    EXPECT_EQ(requests[0].idempotency_key, "rl-job-mtls");
    EXPECT_EQ(requests[0].body, R"({"externalRef":"RS-2026-004217"})");
}

TEST_F(RestMutualTlsTest, WithoutAClientCertificateTheDeliveryIsUnavailable) {
    auto receipt = deliverWith({});
    ASSERT_FALSE(receipt);
    EXPECT_EQ(receipt.error().code, ErrorCode::Unavailable) << receipt.error().message;
    EXPECT_TRUE(sdk::isTransient(receipt.error().code));
    EXPECT_TRUE(contains(receipt.error().message, "POST " + app_.url("/api/dossiers")))
        << receipt.error().message;
    EXPECT_EQ(app_.count(), 0U);
}

TEST_F(RestMutualTlsTest, AClientCertificateFromAnotherCaIsUnavailable) {
    auto receipt = deliverWith(
        {{"client-certificate", pki().rogue_client_cert}, {"client-key", pki().rogue_client_key}});
    ASSERT_FALSE(receipt);
    EXPECT_EQ(receipt.error().code, ErrorCode::Unavailable) << receipt.error().message;
    EXPECT_EQ(app_.count(), 0U);
}

TEST_F(RestMutualTlsTest, AnApplicationCertificateFromAnotherCaIsUnavailable) {
    // relais checks the application too: trusting the other CA only, it refuses the server.
    auto receipt = deliverWith({{"ca-file", pki().rogue_ca_cert},
                                {"client-certificate", pki().client_cert},
                                {"client-key", pki().client_key}});
    ASSERT_FALSE(receipt);
    EXPECT_EQ(receipt.error().code, ErrorCode::Unavailable) << receipt.error().message;
    EXPECT_EQ(app_.count(), 0U);
}

// --- The real daemon and the real plugin --------------------------------------------------

const std::string kPortalKey = "portal-key-0123456789abcdef";
const std::string kAdminKey = "admin-key-0123456789abcdef0";

std::string restConnector(const std::string& name, const TlsMockApplication& app,
                          const std::string& client_cert, const std::string& client_key) {
    std::string xml = "<connector name=\"" + name +
                      "\" plugin=\"rest\">"
                      "<param name=\"url\">" +
                      app.url("/api/dossiers") +
                      "</param>"
                      "<param name=\"business-id\">json:id</param>"
                      "<param name=\"timeout\">5s</param>"
                      "<param name=\"ca-file\">" +
                      pki().ca_cert + "</param>";
    if (!client_cert.empty()) {
        xml += "<param name=\"client-certificate\">" + client_cert +
               "</param><param name=\"client-key\">" + client_key + "</param>";
    }
    return xml + "</connector>\n";
}

std::string syncRoute(const std::string& name) {
    return "<route name=\"" + name + "\" procedure=\"inscription-" + name +
           "\" connector=\"appli-" + name + "\" mode=\"sync\"/>\n";
}

class RestMutualTlsDaemonTest : public ::testing::Test {
protected:
    void SetUp() override {
        const std::string config = test::wrapConfig(
            test::baseConfigElements(dir_) +
            "<delivery workers=\"2\" idle-poll=\"20ms\" lease=\"30s\"/>\n"
            "<adapters><adapter name=\"portail\" plugin=\"json\">"
            "<param name=\"source-key\">numero_dossier</param>"
            "<param name=\"procedure-field\">formulaire</param>"
            "</adapter></adapters>\n<connectors>\n" +
            restConnector("appli-mtls", app_, pki().client_cert, pki().client_key) +
            restConnector("appli-sans-certificat", app_, "", "") +
            restConnector("appli-autre-ac", app_, pki().rogue_client_cert, pki().rogue_client_key) +
            "</connectors>\n<clients>\n" +
            test::clientElement("portail", kPortalKey, "dossiers:submit dossiers:read") +
            test::clientElement("exploitation", kAdminKey, "admin dossiers:read") +
            "</clients>\n<routes>\n" + syncRoute("mtls") + syncRoute("sans-certificat") +
            syncRoute("autre-ac") + "</routes>\n");
        daemon_ = std::make_unique<test::Daemon>(dir_, config);
    }

    /// A portal's webhook for a dossier of procedure `inscription-<route>`.
    test::HttpResult submit(const std::string& route, const std::string& key) {
        std::string body = test::readSourceFile("tests/fixtures/bench/dossier.json");
        body.replace(body.find("inscription-restauration-scolaire"), 33, "inscription-" + route);
        body.replace(body.find("RS-2026-004217"), 14, key);
        return test::httpCall(daemon_->port(), "POST", "/v1/adapters/portail/inbound",
                              {test::bearer(kPortalKey)}, body);
    }

    sdk::Json tracking(const std::string& dossier_id) {
        return test::httpCall(daemon_->port(), "GET", "/v1/dossiers/" + dossier_id,
                              {test::bearer(kAdminKey)})
            .json();
    }

    /// A failed synchronous delivery: 502, kept for a retry, nothing reached the application.
    void expectRefusedAndRetried(const std::string& route, const std::string& key) {
        const auto answer = submit(route, key);
        ASSERT_EQ(answer.status, 502) << answer.body;
        const sdk::Json problem = answer.json();
        const sdk::Json* retrying = problem.find("retrying");
        ASSERT_NE(retrying, nullptr) << answer.body;
        EXPECT_TRUE(retrying->asBool()) << answer.body;
        EXPECT_TRUE(contains(textAt(problem, "detail"), app_.url("/api/dossiers"))) << answer.body;
        const sdk::Json state = tracking(textAt(problem, "dossier_id"));
        EXPECT_EQ(textAt(state, "deliveries[0].state"), "pending") << state.dump();
        EXPECT_FALSE(textAt(state, "deliveries[0].last_error").empty()) << state.dump();
        EXPECT_EQ(app_.count(), 0U);
    }

    test::TempDir dir_;
    TlsMockApplication app_{pki().server_cert, pki().server_key, pki().ca_cert};
    std::unique_ptr<test::Daemon> daemon_;
};

TEST_F(RestMutualTlsDaemonTest, DeliversWithTheClientCertificate) {
    const auto answer = submit("mtls", "RS-MTLS-1");
    ASSERT_EQ(answer.status, 201) << answer.body << "\n" << daemon_->logs();
    EXPECT_EQ(textAt(answer.json(), "business_id"), "BO-TLS-1");
    const auto requests = app_.requests();
    ASSERT_EQ(requests.size(), 1U);
    EXPECT_EQ(requests[0].client_subject_cn, "relais test client");
    EXPECT_EQ(requests[0].client_issuer_cn, "relais test CA");
    EXPECT_EQ(requests[0].uri, "/api/dossiers");
    EXPECT_FALSE(requests[0].idempotency_key.empty());
    // The payload is the dossier's fields (no mapping on the route).
    const auto payload = sdk::Json::parse(requests[0].body);
    ASSERT_TRUE(payload) << requests[0].body;
    EXPECT_EQ(textAt(*payload, "numero_dossier"), "RS-MTLS-1");
    const sdk::Json state = tracking(textAt(answer.json(), "id"));
    EXPECT_EQ(textAt(state, "deliveries[0].state"), "done") << state.dump();
}

TEST_F(RestMutualTlsDaemonTest, WithoutAClientCertificateTheDeliveryWaitsForRetry) {
    expectRefusedAndRetried("sans-certificat", "RS-MTLS-2");
}

TEST_F(RestMutualTlsDaemonTest, AClientCertificateFromAnotherCaIsRefused) {
    expectRefusedAndRetried("autre-ac", "RS-MTLS-3");
    // The instance with the right certificate is not affected (no connection is shared
    // between instances with different TLS settings).
    const auto answer = submit("mtls", "RS-MTLS-4");
    ASSERT_EQ(answer.status, 201) << answer.body;
    const auto requests = app_.requests();
    ASSERT_EQ(requests.size(), 1U);
    EXPECT_EQ(requests[0].client_subject_cn, "relais test client");
}

}  // namespace
}  // namespace relais::plugins::rest
