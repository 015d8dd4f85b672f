// SPDX-License-Identifier: AGPL-3.0-or-later
// The delivery pipeline end to end: the real daemon, the real plugins, and a business
// application played by an HTTP server in this process (127.0.0.1, port 0).

#include <atomic>
#include <chrono>
#include <filesystem>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "support/daemon.h"
#include "support/http_call.h"
#include "support/mock_http_server.h"
#include "support/temp_dir.h"

namespace relais::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const std::string kPortalKey = "portal-key-0123456789abcdef";
const std::string kAdminKey = "admin-key-0123456789abcdef0";
const std::string kAppKey = "application-key-0123456789";

struct RouteSetup {
    std::string mode = "async";    ///< of the route to the application
    std::string on_sync_failure;   ///< empty: default
    std::string response_mapping;  ///< sync answer mapping file
    std::string extra_routes;      ///< more <route> elements
    std::string extra_connectors;  ///< more <connector>/<inbox> elements
};

RouteSetup syncRoute(std::string on_failure = "", std::string response_mapping = "") {
    RouteSetup setup;
    setup.mode = "sync";
    setup.on_sync_failure = std::move(on_failure);
    setup.response_mapping = std::move(response_mapping);
    return setup;
}

RouteSetup withExtra(std::string connectors, std::string routes) {
    RouteSetup setup;
    setup.extra_connectors = std::move(connectors);
    setup.extra_routes = std::move(routes);
    return setup;
}

std::string pipelineConfig(const TempDir& dir, const MockHttpServer& app, const RouteSetup& setup) {
    std::string route =
        "<route name=\"cantine\" procedure=\"restauration-scolaire\" "
        "connector=\"application\" mapping=\"" RELAIS_SOURCE_DIR
        "/mappings/examples/cantine-backoffice.xml\" mode=\"" +
        setup.mode + "\"";
    if (!setup.on_sync_failure.empty())
        route += " on-sync-failure=\"" + setup.on_sync_failure + "\"";
    if (!setup.response_mapping.empty()) {
        route += " response-mapping=\"" + setup.response_mapping + "\"";
    }
    route += "/>\n";
    return wrapConfig(baseConfigElements(dir) +
                      "<delivery workers=\"2\" idle-poll=\"20ms\" lease=\"30s\"/>\n"
                      "<adapters><adapter name=\"portail\" plugin=\"json\">"
                      "<param name=\"source-key\">numero_dossier</param>"
                      "<param name=\"procedure-field\">formulaire</param>"
                      "</adapter></adapters>\n"
                      "<connectors>\n"
                      "<connector name=\"application\" plugin=\"rest\">"
                      "<param name=\"url\">" +
                      app.url("/api/v1/inscriptions") +
                      "</param>"
                      "<param name=\"business-id\">json:id</param>"
                      "<param name=\"timeout\">5s</param>"
                      "<retry initial=\"20ms\" max=\"50ms\" give-up-after=\"1h\"/>"
                      "</connector>\n" +
                      setup.extra_connectors + "</connectors>\n<clients>\n" +
                      clientElement("portail", kPortalKey, "dossiers:submit dossiers:read") +
                      clientElement("exploitation", kAdminKey, "admin dossiers:read") +
                      clientElement("logiciel", kAppKey, "inbox:read") + "</clients>\n<routes>\n" +
                      route + setup.extra_routes + "</routes>\n");
}

/// The benchmark dossier with its form code turned into the procedure code the routes use.
std::string dossierBody(const std::string& key = "RS-2026-004217") {
    std::string body = readSourceFile("tests/fixtures/bench/dossier.json");
    body.replace(body.find("inscription-restauration-scolaire"), 33, "restauration-scolaire");
    body.replace(body.find("RS-2026-004217"), 14, key);
    return body;
}

MockResponse created(const std::string& id) {
    return MockResponse{201, "application/json", "{\"id\":\"" + id + "\"}", {}};
}

class PipelineTest : public ::testing::Test {
protected:
    void start(const RouteSetup& setup = {}) {
        daemon_ = std::make_unique<Daemon>(dir_, pipelineConfig(dir_, app_, setup));
    }
    HttpResult submit(const std::string& body = dossierBody()) {
        return httpCall(daemon_->port(), "POST", "/v1/adapters/portail/inbound",
                        {bearer(kPortalKey)}, body);
    }
    HttpResult get(const std::string& target, const std::string& key = kAdminKey) {
        return httpCall(daemon_->port(), "GET", target, {bearer(key)});
    }
    HttpResult post(const std::string& target, const std::string& body,
                    const std::string& key = kAdminKey) {
        return httpCall(daemon_->port(), "POST", target, {bearer(key)}, body);
    }
    /// Polls the dossier until its first delivery reaches `state` (deadline 15 s).
    sdk::Json waitForDelivery(const std::string& id, const std::string& state) {
        const auto deadline = std::chrono::steady_clock::now() + 15s;
        sdk::Json tracking;
        while (std::chrono::steady_clock::now() < deadline) {
            tracking = get("/v1/dossiers/" + id).json();
            const sdk::Json* current = tracking.path("deliveries[0].state");
            if (current != nullptr && current->asString() == state) return tracking;
            std::this_thread::sleep_for(10ms);
        }
        ADD_FAILURE() << "delivery of " << id << " never reached " << state << ": "
                      << tracking.dump();
        return tracking;
    }

    TempDir dir_;
    MockHttpServer app_{[](const ReceivedRequest&) { return created("BO-00000042"); }};
    std::unique_ptr<Daemon> daemon_;
};

TEST_F(PipelineTest, DeliversTheMappedDossierOnce) {
    start();
    const auto answer = submit();
    ASSERT_EQ(answer.status, 202) << answer.body;
    const std::string id = answer.json().find("id")->asString();
    const sdk::Json tracking = waitForDelivery(id, "done");
    ASSERT_TRUE(app_.waitForCount(1, 5s));
    const auto requests = app_.requests();
    ASSERT_EQ(requests.size(), 1U);
    EXPECT_EQ(requests[0].method, "POST");
    EXPECT_EQ(requests[0].uri, "/api/v1/inscriptions");
    EXPECT_EQ(
        sdk::Json::parse(requests[0].body).value(),
        sdk::Json::parse(readSourceFile("tests/fixtures/bench/expected-backoffice.json")).value());
    EXPECT_EQ(requests[0].header("Idempotency-Key"),
              tracking.path("deliveries[0].idempotency_key")->asString());
    EXPECT_EQ(tracking.path("links[0].business_id")->asString(), "BO-00000042");
    const auto events = get("/v1/dossiers/" + id + "/events").json();
    EXPECT_EQ(events.path("events[1].type")->asString(), "delivered");
    // Nothing else arrives later.
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(app_.count(), 1U);
}

TEST_F(PipelineTest, RetriesAfter503AndDeliversOnceWithTheSameKey) {
    std::atomic<int> calls{0};
    app_.setHandler([&](const ReceivedRequest&) {
        if (calls.fetch_add(1) < 2) {
            return MockResponse{503, "text/plain", "maintenance", {}};
        }
        return created("BO-7");
    });
    start();
    const std::string id = submit().json().find("id")->asString();
    waitForDelivery(id, "done");
    const auto requests = app_.requests();
    ASSERT_EQ(requests.size(), 3U);
    EXPECT_FALSE(requests[0].header("Idempotency-Key").empty());
    for (const auto& request : requests) {
        EXPECT_EQ(request.header("Idempotency-Key"), requests[0].header("Idempotency-Key"));
    }
    const auto tracking = get("/v1/dossiers/" + id).json();
    EXPECT_EQ(tracking.path("deliveries[0].attempts")->asInt(), 3);
}

TEST_F(PipelineTest, APermanentFailureIsDeadUntilReplayed) {
    std::atomic<bool> fixed{false};
    app_.setHandler([&](const ReceivedRequest&) {
        if (!fixed) {
            return MockResponse{400, "application/json", R"({"error":"unknown school"})", {}};
        }
        return created("BO-9");
    });
    start();
    const std::string id = submit().json().find("id")->asString();
    const sdk::Json dead = waitForDelivery(id, "dead");
    EXPECT_NE(dead.path("deliveries[0].last_error")->asString().find("400"), std::string::npos)
        << dead.dump();
    const auto listed = get("/v1/jobs?state=dead").json();
    ASSERT_EQ(listed.find("jobs")->size(), 1U);
    const std::string job = listed.path("jobs[0].job_id")->asString();
    EXPECT_EQ(app_.count(), 1U);  // not retried

    fixed = true;
    const auto replay = post("/v1/jobs/" + job + "/replay", "");
    ASSERT_EQ(replay.status, 202) << replay.body;
    waitForDelivery(id, "done");
    const auto requests = app_.requests();
    ASSERT_EQ(requests.size(), 2U);
    EXPECT_EQ(requests[0].header("Idempotency-Key"), requests[1].header("Idempotency-Key"));
    EXPECT_EQ(post("/v1/jobs/nope/replay", "").status, 404);
}

TEST_F(PipelineTest, ADuplicateWebhookIsDeliveredOnce) {
    start();
    const auto first = submit();
    const auto second = submit();
    ASSERT_EQ(first.status, 202);
    ASSERT_EQ(second.status, 200) << second.body;
    EXPECT_EQ(first.json().find("id")->asString(), second.json().find("id")->asString());
    waitForDelivery(first.json().find("id")->asString(), "done");
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(app_.count(), 1U);
}

TEST_F(PipelineTest, ASyncRouteAnswers201WithTheApplicationsId) {
    start(syncRoute());
    const auto answer = submit();
    ASSERT_EQ(answer.status, 201) << answer.body;
    EXPECT_EQ(answer.json().find("business_id")->asString(), "BO-00000042");
    EXPECT_EQ(app_.count(), 1U);  // delivered before the answer
    const std::string id = answer.json().find("id")->asString();
    EXPECT_EQ(get("/v1/dossiers/" + id).json().path("deliveries[0].state")->asString(), "done");
    // A replay of the webhook gets the same answer, without a second delivery.
    const auto replay = submit();
    EXPECT_EQ(replay.status, 200) << replay.body;
    EXPECT_EQ(replay.json().find("business_id")->asString(), "BO-00000042");
    EXPECT_EQ(app_.count(), 1U);
}

TEST_F(PipelineTest, ASyncRouteShapesItsAnswerWithAResponseMapping) {
    const std::string mapping =
        dir_.write("answer.xml", readSourceFile("bench/response-mapping.xml"));
    start(syncRoute("", mapping));
    const auto answer = submit();
    ASSERT_EQ(answer.status, 201) << answer.body;
    EXPECT_EQ(answer.json().find("backofficeId")->asString(), "BO-00000042");
    EXPECT_EQ(answer.json().find("externalRef")->asString(), "RS-2026-004217");
}

TEST_F(PipelineTest, ASyncRouteAnswers502AndKeepsTheJobForRetry) {
    std::atomic<bool> fixed{false};
    app_.setHandler([&](const ReceivedRequest&) {
        return fixed ? created("BO-5") : MockResponse{503, "text/plain", "down", {}};
    });
    start(syncRoute());
    const auto answer = submit();
    ASSERT_EQ(answer.status, 502) << answer.body;
    EXPECT_EQ(answer.content_type, "application/problem+json");
    EXPECT_TRUE(answer.json().find("retrying")->asBool());
    const std::string id = answer.json().find("dossier_id")->asString();
    fixed = true;
    waitForDelivery(id, "done");
}

TEST_F(PipelineTest, ASyncRouteCanSendFailuresToTheDeadLetterList) {
    app_.setHandler([](const ReceivedRequest&) { return MockResponse{503, "text/plain", "", {}}; });
    start(syncRoute("dead"));
    const auto answer = submit();
    ASSERT_EQ(answer.status, 502) << answer.body;
    EXPECT_FALSE(answer.json().find("retrying")->asBool());
    const std::string id = answer.json().find("dossier_id")->asString();
    EXPECT_EQ(get("/v1/dossiers/" + id).json().path("deliveries[0].state")->asString(), "dead");
}

TEST_F(PipelineTest, RefusesBadDossiersBeforeStoringAnything) {
    start();
    std::string bad_date = dossierBody("RS-BAD-DATE");
    bad_date.replace(bad_date.find("\"12/03/2017\""), 12, "\"2017-03-12\"");
    const auto date = submit(bad_date);
    EXPECT_EQ(date.status, 400) << date.body;
    EXPECT_EQ(date.json().find("field")->asString(), "enfants[0].date_naissance");

    std::string unknown = dossierBody("RS-UNKNOWN");
    unknown.replace(unknown.find("\"restauration-scolaire\""), 23, "\"permis-de-construire\"");
    const auto procedure = submit(unknown);
    EXPECT_EQ(procedure.status, 400) << procedure.body;
    EXPECT_EQ(procedure.json().find("field")->asString(), "procedure");

    const auto malformed = submit("{\"numero_dossier\": \"RS-1\",");
    EXPECT_EQ(malformed.status, 400) << malformed.body;

    // Nothing was stored: no job exists, and the application saw nothing.
    EXPECT_EQ(get("/v1/jobs").json().find("jobs")->size(), 0U);
    EXPECT_EQ(app_.count(), 0U);
}

TEST_F(PipelineTest, AnInboxHoldsDossiersUntilTheApplicationAcknowledges) {
    start(withExtra("<inbox name=\"etat-civil\"/>\n",
                    "<route name=\"ec\" procedure=\"restauration-scolaire\" "
                    "connector=\"etat-civil\"/>\n"));
    const std::string id = submit().json().find("id")->asString();
    // The inbox route is the second delivery of the dossier.
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    sdk::Json items;
    while (std::chrono::steady_clock::now() < deadline) {
        const auto inbox = get("/v1/inbox/etat-civil", kAppKey);
        ASSERT_EQ(inbox.status, 200) << inbox.body;
        items = *inbox.json().find("items");
        if (items.size() > 0) break;
        std::this_thread::sleep_for(10ms);
    }
    ASSERT_EQ(items.size(), 1U);
    EXPECT_EQ(items.path("[0].dossier_id")->asString(), id);
    // The payload is the dossier's fields (no mapping on this route), as JSON.
    EXPECT_EQ(items.path("[0].payload.numero_dossier")->asString(), "RS-2026-004217");
    const std::string item = items.path("[0].id")->asString();

    const auto ack =
        post("/v1/inbox/etat-civil/ack",
             R"({"acks":[{"id":")" + item + R"(","business_id":"EC-2026-1"}]})", kAppKey);
    ASSERT_EQ(ack.status, 200) << ack.body;
    EXPECT_EQ(ack.json().path("acknowledged[0]")->asString(), item);
    const auto again = post("/v1/inbox/etat-civil/ack", R"({"ids":[")" + item + R"("]})", kAppKey);
    EXPECT_EQ(again.json().path("already_acknowledged[0]")->asString(), item);
    EXPECT_EQ(get("/v1/inbox/etat-civil", kAppKey).json().find("items")->size(), 0U);

    // Other clients may not read it; bad bodies are problems naming the field.
    EXPECT_EQ(get("/v1/inbox/etat-civil", kPortalKey).status, 403);
    const auto bad = post("/v1/inbox/etat-civil/ack", R"({"ids":[]})", kAppKey);
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(bad.json().find("field")->asString(), "ids");
}

TEST_F(PipelineTest, AFileDropAppearsInItsDirectory) {
    start(
        withExtra("<connector name=\"ged\" plugin=\"filedrop\"><param "
                  "name=\"directory\">" +
                      dir_.file("ged") + "</param></connector>\n",
                  "<route name=\"ged\" procedure=\"restauration-scolaire\" "
                  "connector=\"ged\"/>\n"));
    const std::string id = submit().json().find("id")->asString();
    const std::string manifest =
        dir_.file("ged/restauration-scolaire-RS-2026-004217-" + id + ".manifest.json");
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    while (!fs::exists(manifest) && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(10ms);
    }
    ASSERT_TRUE(fs::exists(manifest));
    EXPECT_NE(readFileOrFail(manifest).find(id), std::string::npos);
}

TEST_F(PipelineTest, OperatorsCanRedeliverADossier) {
    start();
    const std::string id = submit().json().find("id")->asString();
    waitForDelivery(id, "done");
    const auto redeliver = post("/v1/dossiers/" + id + "/redeliver", "");
    ASSERT_EQ(redeliver.status, 202) << redeliver.body;
    ASSERT_TRUE(app_.waitForCount(2, 10s));
    const auto requests = app_.requests();
    // A redelivery is a new delivery on purpose: a new idempotency key.
    EXPECT_NE(requests[0].header("Idempotency-Key"), requests[1].header("Idempotency-Key"));
    EXPECT_EQ(post("/v1/dossiers/" + id + "/redeliver", "", kPortalKey).status, 403);
}

}  // namespace
}  // namespace relais::test
