// SPDX-License-Identifier: AGPL-3.0-or-later
// The real `relais serve` on 127.0.0.1 (port 0), talked to over HTTP.

#include "support/daemon.h"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <thread>

#include <Poco/DigestEngine.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include "support/http_call.h"
#include "support/temp_dir.h"
#include "support/test_pki.h"

namespace relais::test {
namespace {

namespace fs = std::filesystem;

const std::string kPortalKey = "portal-key-0123456789abcdef";
const std::string kReaderKey = "reader-key-0123456789abcdef";
const std::string kAdminKey = "admin-key-0123456789abcdef0";

std::string demoInstances(const TempDir& dir) {
    return "<adapters><adapter name=\"portail\" plugin=\"json\">"
           "<param name=\"source-key\">numero_dossier</param>"
           "<param name=\"procedure\">restauration-scolaire</param>"
           "<param name=\"submitted-at\">date_depot</param>"
           "<param name=\"required-fields\">numero_dossier, demandeur</param>"
           "</adapter></adapters>\n"
           "<connectors><connector name=\"fichiers\" plugin=\"filedrop\">"
           "<param name=\"directory\">" +
           dir.file("outbox") +
           "</param>"
           "</connector></connectors>\n";
}

std::string demoConfig(const TempDir& dir, const std::string& limits = "") {
    std::string base = baseConfigElements(dir);
    if (!limits.empty()) {
        base.replace(base.find("port=\"0\"/>"), 10, "port=\"0\">" + limits + "</server>");
    }
    return wrapConfig(base + demoInstances(dir) + "<clients>\n" +
                      clientElement("portail", kPortalKey, "dossiers:submit dossiers:read",
                                    "restauration-scolaire", "portail fichiers") +
                      clientElement("lecteur", kReaderKey, "dossiers:read") +
                      clientElement("exploitation", kAdminKey, "admin") + "</clients>\n" +
                      "<routes><route name=\"cantine\" procedure=\"restauration-scolaire\" "
                      "connector=\"fichiers\"/></routes>\n");
}

class DaemonTest : public ::testing::Test {
protected:
    void start(const std::string& limits = "") {
        daemon_ = std::make_unique<Daemon>(dir_, demoConfig(dir_, limits));
    }
    HttpResult get(const std::string& target, const std::string& key = "") {
        std::vector<std::pair<std::string, std::string>> headers;
        if (!key.empty()) headers.push_back(bearer(key));
        return httpCall(daemon_->port(), "GET", target, headers);
    }
    HttpResult post(const std::string& target, const std::string& body, const std::string& key,
                    const std::string& content_type = "application/json") {
        return httpCall(daemon_->port(), "POST", target, {bearer(key)}, body, content_type);
    }

    TempDir dir_;
    std::unique_ptr<Daemon> daemon_;
};

void expectProblem(const HttpResult& result, int status) {
    EXPECT_EQ(result.status, status) << result.body;
    EXPECT_EQ(result.content_type, "application/problem+json") << result.body;
    const sdk::Json body = result.json();
    EXPECT_EQ(body.find("status") != nullptr ? body.find("status")->asInt() : 0, status);
    EXPECT_NE(body.find("title"), nullptr) << result.body;
    EXPECT_NE(body.find("type"), nullptr) << result.body;
    EXPECT_NE(body.find("detail"), nullptr) << result.body;
}

TEST_F(DaemonTest, HealthzAnswersWithoutAKey) {
    start();
    const auto result = get("/healthz");
    EXPECT_EQ(result.status, 200);
    EXPECT_EQ(result.json().find("status")->asString(), "ok");
    EXPECT_FALSE(result.header("X-Request-Id").empty());
}

TEST_F(DaemonTest, ReadyzNeedsAKeyAndSaysReady) {
    start();
    expectProblem(get("/readyz"), 401);
    const auto ready = get("/readyz", kAdminKey);
    EXPECT_EQ(ready.status, 200) << ready.body;
    EXPECT_EQ(ready.json().find("status")->asString(), "ready");
    EXPECT_EQ(ready.json().path("checks.store")->asString(), "ok");
}

TEST_F(DaemonTest, EveryRouteButHealthzNeedsAClient) {
    start();
    for (const char* target :
         {"/readyz", "/metrics", "/v1/connectors", "/v1/dossiers/x", "/v1/dossiers/x/events"}) {
        const auto result = get(target);
        expectProblem(result, 401);
        EXPECT_NE(result.header("WWW-Authenticate").find("Bearer"), std::string::npos) << target;
    }
    expectProblem(get("/metrics", "not-a-known-key-at-all-000"), 401);
}

TEST_F(DaemonTest, RefusesWhatIsOutsideTheClientsRights) {
    start();
    const auto metrics = get("/metrics", kPortalKey);
    expectProblem(metrics, 403);
    EXPECT_NE(metrics.json().find("detail")->asString().find("metrics:read"), std::string::npos);
    const auto submit = post("/v1/adapters/portail/inbound",
                             readSourceFile("tests/fixtures/bench/dossier.json"), kReaderKey);
    expectProblem(submit, 403);
    EXPECT_NE(submit.json().find("detail")->asString().find("dossiers:submit"), std::string::npos);
}

TEST_F(DaemonTest, MetricsCountRequestsByRouteAndCode) {
    start();
    (void)get("/healthz");
    (void)get("/metrics");
    // A request is counted once its answer is sent (with its size and duration), so the
    // client may read /metrics a moment before the counters of its two requests move.
    auto metrics = get("/metrics", kAdminKey);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (metrics.status == 200 &&
           (metrics.body.find("route=\"healthz\"") == std::string::npos ||
            metrics.body.find("code=\"401\"") == std::string::npos) &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        metrics = get("/metrics", kAdminKey);
    }
    ASSERT_EQ(metrics.status, 200);
    EXPECT_EQ(metrics.content_type.find("text/plain"), 0U);
    EXPECT_NE(metrics.body.find("relais_build_info{version=\""), std::string::npos);
    EXPECT_NE(metrics.body.find("relais_http_requests_total{"), std::string::npos);
    EXPECT_NE(metrics.body.find("route=\"healthz\""), std::string::npos);
    EXPECT_NE(metrics.body.find("code=\"401\""), std::string::npos);
    EXPECT_NE(metrics.body.find("relais_http_request_duration_seconds_bucket{"), std::string::npos);
}

TEST_F(DaemonTest, APortalWithoutCallbackCostsOnePushJobThenNone) {
    start();
    std::string body = readSourceFile("tests/fixtures/bench/dossier.json");
    const auto first = post("/v1/adapters/portail/inbound", body, kPortalKey);
    ASSERT_EQ(first.status, 202) << first.body;
    const std::string first_id = first.json().find("id")->asString();
    // The acknowledgement's push tells relais that this JSON adapter (no callback-url) has
    // nowhere to push: that job ends done, and the instance gets no more push jobs.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    sdk::Json tracking;
    for (;;) {
        tracking = get("/v1/dossiers/" + first_id, kPortalKey).json();
        const sdk::Json* pushes = tracking.find("pushes");
        if (pushes != nullptr && pushes->size() == 1 &&
            pushes->at(0)->find("state")->asString() == "done") {
            break;
        }
        ASSERT_LT(std::chrono::steady_clock::now(), deadline) << tracking.dump();
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }

    body.replace(body.find("RS-2026-004217"), 14, "RS-2026-004218");
    const auto second = post("/v1/adapters/portail/inbound", body, kPortalKey);
    ASSERT_EQ(second.status, 202) << second.body;
    const std::string second_id = second.json().find("id")->asString();
    tracking = waitForDossierStatus(daemon_->port(), kPortalKey, second_id, "acknowledged");
    const sdk::Json* pushes = tracking.find("pushes");
    EXPECT_TRUE(pushes == nullptr || pushes->size() == 0) << tracking.dump();
}

TEST_F(DaemonTest, RefusesAnOversizedBodyWith413) {
    start("<limits max-body=\"1KiB\"/>");
    const auto result =
        post("/v1/adapters/portail/inbound", std::string(4096, ' ') + "{}", kPortalKey);
    expectProblem(result, 413);
}

TEST_F(DaemonTest, StoresADossierAndAnswersOnlyAfterwards) {
    start();
    const std::string body = readSourceFile("tests/fixtures/bench/dossier.json");
    const auto first = post("/v1/adapters/portail/inbound", body, kPortalKey);
    ASSERT_EQ(first.status, 202) << first.body;
    const std::string id = first.json().find("id")->asString();
    EXPECT_EQ(first.json().find("status_url")->asString(), "/v1/dossiers/" + id);

    // A replayed webhook gets the same id and creates nothing.
    const auto replay = post("/v1/adapters/portail/inbound", body, kPortalKey);
    EXPECT_EQ(replay.status, 200) << replay.body;
    EXPECT_EQ(replay.json().find("id")->asString(), id);

    const auto tracking = get("/v1/dossiers/" + id, kPortalKey);
    ASSERT_EQ(tracking.status, 200) << tracking.body;
    EXPECT_EQ(tracking.json().find("source_key")->asString(), "RS-2026-004217");
    // The demo's delivery may already have been acknowledged: either way it was stored.
    const std::string status = tracking.json().find("status")->asString();
    EXPECT_TRUE(status == "submitted" || status == "acknowledged") << status;
    EXPECT_EQ(tracking.json().find("deliveries")->size(), 1U);

    const auto events = get("/v1/dossiers/" + id + "/events", kPortalKey);
    ASSERT_EQ(events.status, 200) << events.body;
    EXPECT_EQ(events.json().path("events[0].type")->asString(), "submitted");

    // Acknowledged means on disk: a crash right after the answer loses nothing.
    daemon_->kill();
    daemon_ = std::make_unique<Daemon>(dir_, demoConfig(dir_));
    EXPECT_EQ(get("/v1/dossiers/" + id, kPortalKey).status, 200);
}

TEST_F(DaemonTest, BadDossiersGetAProblemNamingTheField) {
    start();
    const auto not_json = post("/v1/adapters/portail/inbound", "{\"numero_dossier\":", kPortalKey);
    expectProblem(not_json, 400);
    const auto missing =
        post("/v1/adapters/portail/inbound", R"({"demandeur": {"nom": "X"}})", kPortalKey);
    expectProblem(missing, 400);
    EXPECT_EQ(missing.json().find("field")->asString(), "numero_dossier");
    const auto unknown = post("/v1/adapters/nope/inbound", "{}", kPortalKey);
    expectProblem(unknown, 404);
}

// Identifiers become keys and file names: a 100 kB dossier id is refused, naming the field,
// and nothing is stored.
TEST_F(DaemonTest, OverlongIdentifiersAreRefusedNamingTheField) {
    start();
    std::string body = readSourceFile("tests/fixtures/bench/dossier.json");
    body.replace(body.find("RS-2026-004217"), 14, std::string(100'000, '7'));
    const auto refused = post("/v1/adapters/portail/inbound", body, kPortalKey);
    expectProblem(refused, 400);
    EXPECT_EQ(refused.json().find("field")->asString(), "source_key");
    EXPECT_NE(refused.json().find("detail")->asString().find("256"), std::string::npos);

    // 256 bytes pass.
    body = readSourceFile("tests/fixtures/bench/dossier.json");
    body.replace(body.find("RS-2026-004217"), 14, std::string(256, '7'));
    const auto accepted = post("/v1/adapters/portail/inbound", body, kPortalKey);
    EXPECT_EQ(accepted.status, 202) << accepted.body;
}

TEST_F(DaemonTest, UnknownRoutesAndMethodsAreProblems) {
    start();
    expectProblem(get("/v1/nothing-here", kAdminKey), 404);
    const auto wrong_method = httpCall(daemon_->port(), "DELETE", "/healthz");
    expectProblem(wrong_method, 405);
    EXPECT_NE(wrong_method.header("Allow").find("GET"), std::string::npos);
}

TEST_F(DaemonTest, StopsGracefullyOnSigterm) {
    start();
    EXPECT_EQ(daemon_->stop(), 0);
    EXPECT_NE(daemon_->logs().find("relais stopped"), std::string::npos);
}

/// The SHA-256 of the certificate a new HTTPS connection to `port` is served, trusting
/// `ca` only (the connection also checks it chains and names 127.0.0.1).
std::string servedFingerprint(int port, const std::string& ca) {
    Poco::Net::Context::Params params;
    params.caLocation = ca;
    params.verificationMode = Poco::Net::Context::VERIFY_RELAXED;
    params.loadDefaultCAs = false;
    Poco::Net::HTTPSClientSession session(
        "127.0.0.1", static_cast<Poco::UInt16>(port),
        new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params));
    session.setTimeout(Poco::Timespan(10, 0));
    Poco::Net::HTTPRequest request("GET", "/healthz", Poco::Net::HTTPMessage::HTTP_1_1);
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::ostringstream body;
    Poco::StreamCopier::copyStream(session.receiveResponse(response), body);
    EXPECT_EQ(response.getStatus(), Poco::Net::HTTPResponse::HTTP_OK);
    return Poco::DigestEngine::digestToHex(session.serverCertificate().fingerprint("SHA256"));
}

/// Waits (deadline 15 s) until the daemon's logs hold `text` `count` times.
bool waitForLog(const Daemon& daemon, const std::string& text, int count) {
    using namespace std::chrono_literals;
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    for (;;) {
        const std::string logs = daemon.logs();
        int found = 0;
        for (auto at = logs.find(text); at != std::string::npos; at = logs.find(text, at + 1)) {
            ++found;
        }
        if (found >= count) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(20ms);
    }
}

TEST_F(DaemonTest, SighupServesARenewedCertificateAndKeepsItWhenTheNextOneIsUnusable) {
    Poco::Net::initializeSSL();
    TestPki pki;
    const std::string cert = dir_.write("tls.pem", readFileOrFail(pki.server_cert));
    const std::string key = dir_.write("tls.key", readFileOrFail(pki.server_key));
    start("<tls certificate=\"" + cert + "\" key=\"" + key + "\"/>");
    EXPECT_EQ(servedFingerprint(daemon_->port(), pki.ca_cert), pki.fingerprint(pki.server_cert));

    // A renewal written over the files, then `systemctl reload relais`.
    const auto renewed = pki.issue("renewed", "/CN=renewed",
                                   "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
                                   pki.ca_cert, pki.ca_key);
    const auto replace = [this](const std::string& from, const std::string& to) {
        const auto next = dir_.write("next.tmp", readFileOrFail(from));
        ASSERT_EQ(std::rename(next.c_str(), to.c_str()), 0);
    };
    replace(renewed.cert, cert);
    replace(renewed.key, key);
    ASSERT_EQ(::kill(daemon_->pid(), SIGHUP), 0);
    ASSERT_TRUE(waitForLog(*daemon_, "TLS certificate reloaded", 1)) << daemon_->logs();
    EXPECT_NE(daemon_->logs().find(pki.fingerprint(renewed.cert)), std::string::npos);
    EXPECT_EQ(servedFingerprint(daemon_->port(), pki.ca_cert), pki.fingerprint(renewed.cert));

    // The next one is copied half-way: its key is another certificate's.
    replace(pki.client_key, key);
    ASSERT_EQ(::kill(daemon_->pid(), SIGHUP), 0);
    ASSERT_TRUE(waitForLog(*daemon_, "TLS certificate not reloaded", 1)) << daemon_->logs();
    EXPECT_EQ(servedFingerprint(daemon_->port(), pki.ca_cert), pki.fingerprint(renewed.cert));
    EXPECT_EQ(daemon_->stop(), 0);
}

TEST_F(DaemonTest, ListsConnectorsForOperators) {
    start();
    const auto list = get("/v1/connectors?health=1", kAdminKey);
    ASSERT_EQ(list.status, 200) << list.body;
    const sdk::Json body = list.json();
    ASSERT_EQ(body.find("connectors")->size(), 2U);
    EXPECT_EQ(body.path("connectors[1].name")->asString(), "fichiers");
    EXPECT_TRUE(body.path("connectors[1].health.healthy")->asBool());
}

TEST_F(DaemonTest, RefusesAPluginBuiltForAnotherAbiNamingIt) {
    // A plugin directory with the real plugins plus one built with another ABI version.
    const std::string plugins = dir_.file("plugins");
    fs::create_directories(plugins);
    for (const auto& entry : fs::directory_iterator(RELAIS_PLUGIN_DIR)) {
        if (!entry.is_regular_file() || entry.path().extension() != ".so") continue;
        fs::copy_file(entry.path(), plugins + "/" + entry.path().filename().string());
    }
    fs::copy_file(std::string(RELAIS_FIXTURE_PLUGIN_DIR) + "/libfixture_wrong_abi.so",
                  plugins + "/libfixture_wrong_abi.so");
    std::string config = demoConfig(dir_);
    config.replace(config.find(RELAIS_PLUGIN_DIR), std::string(RELAIS_PLUGIN_DIR).size(), plugins);

    // Refused, named in the log; the other plugins still serve.
    daemon_ = std::make_unique<Daemon>(dir_, config);
    EXPECT_EQ(get("/healthz").status, 200);
    const std::string logs = daemon_->logs();
    EXPECT_NE(logs.find("libfixture_wrong_abi.so"), std::string::npos) << logs;
    EXPECT_NE(logs.find("ABI version"), std::string::npos) << logs;
    daemon_->stop();

    // An instance that needs it stops the start, naming the library and the reason.
    config.replace(config.find("<connectors>"), 12,
                   "<connectors><connector name=\"vieux\" plugin=\"fixture-wrong-abi\"/>");
    const std::string path = dir_.write("needs-old.xml", config);
    const auto result = runRelais({"serve", "--config", path});
    EXPECT_EQ(result.exit_code, 78) << result.err;
    EXPECT_NE(result.err.find("libfixture_wrong_abi.so"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("ABI version"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace relais::test
