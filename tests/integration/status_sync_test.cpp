// SPDX-License-Identifier: AGPL-3.0-or-later
// Status sync end to end over the real daemon: a dossier posted through the JSON adapter is
// delivered to a business application (REST connector, a mock on 127.0.0.1), becomes
// acknowledged, the application posts its decision (by its own id, through the link, ten
// times with one Idempotency-Key), and the portal's callback (another mock) receives each
// public event exactly once, signed with X-Relais-Signature (checked with Poco's HMAC, an
// implementation independent of relais's libcrypto one). Also: the portal down (retried,
// catches up), a permanent refusal (dead, then replayed), the events API's validation, and
// conflicts resolved by an operator.

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <Poco/SHA2Engine.h>
#include <gtest/gtest.h>

#include "support/daemon.h"
#include "support/http_call.h"
#include "support/mock_http_server.h"
#include "support/temp_dir.h"

namespace relais::test {
namespace {

using namespace std::chrono_literals;

const std::string kPortalKey = "portal-key-0123456789abcdef";
const std::string kAdminKey = "admin-key-0123456789abcdef0";
const std::string kAppKey = "application-key-0123456789";
const std::string kHmacSecret = "callback-hmac-secret-0123456789";

std::string dossierBody(const std::string& key) {
    std::string body = readSourceFile("tests/fixtures/bench/dossier.json");
    body.replace(body.find("inscription-restauration-scolaire"), 33, "restauration-scolaire");
    body.replace(body.find("RS-2026-004217"), 14, key);
    return body;
}

std::string acceptedBody() {
    return R"({"type": "status_changed", "status": "accepted",)"
           R"( "sub_status": {"code": "ACC", "label": "Accordé"},)"
           R"( "message": "Votre inscription est acceptée à compter du 4 janvier.",)"
           R"( "occurred_at": "2026-12-01T09:00:00+01:00", "actor": "agent-12",)"
           R"( "source_event_key": "decision-1", "source_version": "3"})";
}

std::string inReviewBody() {
    return R"({"type": "status_changed", "status": "in_review",)"
           R"( "sub_status": {"code": "INS", "label": "En instruction"}})";
}

// Hex HMAC-SHA256 (RFC 2104) over Poco's SHA-256, not the OpenSSL code the SDK signs with.
std::string pocoHmacHex(const std::string& key, const std::string& data) {
    constexpr std::size_t kBlock = 64;
    std::string k = key;
    if (k.size() > kBlock) {
        Poco::SHA2Engine hash;
        hash.update(k);
        const auto digest = hash.digest();
        k.assign(digest.begin(), digest.end());
    }
    k.resize(kBlock, '\0');
    std::string inner_pad(kBlock, '\0');
    std::string outer_pad(kBlock, '\0');
    for (std::size_t i = 0; i < kBlock; ++i) {
        inner_pad[i] = static_cast<char>(k[i] ^ 0x36);
        outer_pad[i] = static_cast<char>(k[i] ^ 0x5c);
    }
    Poco::SHA2Engine inner;
    inner.update(inner_pad);
    inner.update(data);
    const auto inner_digest = inner.digest();
    Poco::SHA2Engine outer;
    outer.update(outer_pad);
    outer.update(inner_digest.data(), static_cast<unsigned>(inner_digest.size()));
    return Poco::DigestEngine::digestToHex(outer.digest());
}

// Checks `X-Relais-Signature: t=<seconds>,v1=<hex>` of a received callback.
void expectSigned(const ReceivedRequest& request) {
    const std::string header = request.header("X-Relais-Signature");
    std::string all;
    for (const auto& [name, value] : request.headers) all += name + ": " + value + "\n";
    ASSERT_EQ(header.rfind("t=", 0), 0u) << all << request.body;
    const std::size_t comma = header.find(",v1=");
    ASSERT_NE(comma, std::string::npos) << header;
    const std::string t = header.substr(2, comma - 2);
    const std::string v1 = header.substr(comma + 4);
    EXPECT_EQ(v1, pocoHmacHex(kHmacSecret, t + "." + request.body));
    EXPECT_LE(std::abs(std::stoll(t) - static_cast<long long>(std::time(nullptr))), 300);
}

class StatusSyncTest : public ::testing::Test {
protected:
    // The built plugins, the fixture adapter (whose `withdraw:<key>` body is a citizen's
    // withdrawal) and the fixture status feed (a connector whose poll says that `SF-FEED-1`
    // is in review), in a plugin directory of this test.
    std::string baseWithFixtureAdapter() {
        const std::string plugins = dir_.file("plugins");
        std::filesystem::create_directories(plugins);
        for (const auto& entry : std::filesystem::directory_iterator(RELAIS_PLUGIN_DIR)) {
            if (entry.is_regular_file() && entry.path().extension() == ".so") {
                std::filesystem::copy_file(entry.path(),
                                           plugins + "/" + entry.path().filename().string());
            }
        }
        std::filesystem::copy_file(
            std::string(RELAIS_FIXTURE_PLUGIN_DIR) + "/libfixture_adapter.so",
            plugins + "/libfixture_adapter.so");
        std::filesystem::copy_file(
            std::string(RELAIS_FIXTURE_PLUGIN_DIR) + "/status-feed/libfixture_status_feed.so",
            plugins + "/libfixture_status_feed.so");
        std::string base = baseConfigElements(dir_);
        base.replace(base.find(RELAIS_PLUGIN_DIR), std::string(RELAIS_PLUGIN_DIR).size(), plugins);
        return base;
    }

    void start(const std::string& portal_give_up = "1h") {
        const std::string config = wrapConfig(
            baseWithFixtureAdapter() +
            "<delivery workers=\"2\" idle-poll=\"20ms\" lease=\"30s\"/>\n"
            "<adapters><adapter name=\"portail\" plugin=\"json\">"
            "<param name=\"source-key\">numero_dossier</param>"
            "<param name=\"procedure-field\">formulaire</param>"
            "<param name=\"callback-url\">" +
            portal_.url("/relais/statuts") +
            "</param>"
            "<param name=\"callback-hmac-secret\">env:RELAIS_TEST_CALLBACK_HMAC</param>"
            "<param name=\"callback-timeout\">5s</param>"
            "<retry initial=\"20ms\" max=\"50ms\" give-up-after=\"" +
            portal_give_up +
            "\"/>"
            "</adapter><adapter name=\"guichet\" plugin=\"fixture-adapter\"/></adapters>\n"
            "<connectors>\n<connector name=\"application\" plugin=\"rest\">"
            "<param name=\"url\">" +
            app_.url("/api/v1/inscriptions") +
            "</param><param name=\"business-id\">json:id</param>"
            "<param name=\"timeout\">5s</param>"
            "<retry initial=\"20ms\" max=\"50ms\" give-up-after=\"1h\"/>"
            "</connector>\n"
            "<connector name=\"feed\" plugin=\"fixture-status-feed\" poll-interval=\"20ms\"/>\n"
            "</connectors>\n<clients>\n" +
            clientElement("portail", kPortalKey, "dossiers:submit dossiers:read") +
            clientElement("exploitation", kAdminKey, "admin dossiers:read") +
            clientElement("logiciel", kAppKey, "events:write dossiers:read") +
            "</clients>\n<routes>\n"
            "<route name=\"cantine\" procedure=\"restauration-scolaire\" "
            "connector=\"application\" mapping=\"" RELAIS_SOURCE_DIR
            "/mappings/examples/cantine-backoffice.xml\"/>\n"
            "<route name=\"guichet\" procedure=\"fixture\" connector=\"application\"/>\n"
            "<route name=\"guichet-feed\" procedure=\"fixture\" connector=\"feed\"/>\n"
            "</routes>\n");
        daemon_ = std::make_unique<Daemon>(
            dir_, config, std::vector<std::string>{"RELAIS_TEST_CALLBACK_HMAC=" + kHmacSecret});
    }

    std::string submit(const std::string& key) {
        const HttpResult result = httpCall(daemon_->port(), "POST", "/v1/adapters/portail/inbound",
                                           {bearer(kPortalKey)}, dossierBody(key));
        EXPECT_EQ(result.status, 202) << result.body;
        return result.json().find("id") != nullptr ? result.json().find("id")->asString() : "";
    }

    HttpResult get(const std::string& target, const std::string& key = kAdminKey) {
        return httpCall(daemon_->port(), "GET", target, {bearer(key)});
    }

    HttpResult postEvent(const std::string& target, const std::string& body,
                         const std::string& idempotency_key, const std::string& key = kAppKey) {
        std::vector<std::pair<std::string, std::string>> headers = {bearer(key)};
        if (!idempotency_key.empty()) headers.emplace_back("Idempotency-Key", idempotency_key);
        return httpCall(daemon_->port(), "POST", target, headers, body);
    }

    sdk::Json waitForStatus(const std::string& id, const std::string& status) {
        return waitForDossierStatus(daemon_->port(), kAdminKey, id, status);
    }

    // Waits (deadline 15 s) until every push of the dossier is in `state`.
    sdk::Json waitForPushes(const std::string& id, std::size_t count, const std::string& state) {
        const auto deadline = std::chrono::steady_clock::now() + 15s;
        sdk::Json tracking;
        while (std::chrono::steady_clock::now() < deadline) {
            tracking = get("/v1/dossiers/" + id).json();
            const sdk::Json* pushes = tracking.find("pushes");
            std::size_t in_state = 0;
            for (std::size_t i = 0; pushes != nullptr && i < pushes->size(); ++i) {
                if (pushes->at(i)->find("state")->asString() == state) ++in_state;
            }
            if (in_state == count) return tracking;
            std::this_thread::sleep_for(10ms);
        }
        ADD_FAILURE() << id << " never had " << count << " pushes " << state << ": "
                      << tracking.dump();
        return tracking;
    }

    std::vector<ReceivedRequest> callbacks() const { return portal_.requests(); }

    TempDir dir_;
    MockHttpServer app_{[](const ReceivedRequest&) {
        return MockResponse{201, "application/json", R"({"id":"BO-00000042"})", {}};
    }};
    MockHttpServer portal_{[](const ReceivedRequest&) { return MockResponse{204, "", "", {}}; }};
    std::unique_ptr<Daemon> daemon_;
};

TEST_F(StatusSyncTest, ADecisionTravelsFromTheApplicationToThePortalOnceAndSigned) {
    start();
    const std::string id = submit("RS-2026-100001");
    const sdk::Json tracking = waitForStatus(id, "acknowledged");
    ASSERT_TRUE(portal_.waitForCount(1, 15s));
    // The portal learns the acknowledgement with the application's id.
    const ReceivedRequest first_callback = callbacks()[0];
    const sdk::Json acknowledged = sdk::Json::parse(first_callback.body).value();
    EXPECT_EQ(acknowledged.path("event.payload.status")->asString(), "acknowledged");
    EXPECT_EQ(acknowledged.path("event.payload.business_id")->asString(), "BO-00000042");
    expectSigned(first_callback);

    // The application takes the dossier up, then posts its decision by its own id, ten times
    // with one key.
    const std::string target = "/v1/links/application/BO-00000042/events";
    ASSERT_EQ(postEvent(target, inReviewBody(), "bo-review-1").status, 201);
    const HttpResult first = postEvent(target, acceptedBody(), "bo-decision-1");
    ASSERT_EQ(first.status, 201) << first.body;
    EXPECT_EQ(first.json().find("status")->asString(), "accepted");
    EXPECT_EQ(first.json().find("dossier_id")->asString(), id);
    for (int i = 0; i < 9; ++i) {
        const HttpResult again = postEvent(target, acceptedBody(), "bo-decision-1");
        EXPECT_EQ(again.status, 201);
        EXPECT_EQ(again.body, first.body);
        EXPECT_EQ(again.header("Idempotent-Replayed"), "true");
    }
    waitForStatus(id, "accepted");
    waitForPushes(id, 3, "done");
    const std::vector<ReceivedRequest> received = callbacks();
    ASSERT_EQ(received.size(), 3u);  // exactly one POST for the decision
    const ReceivedRequest& decision = received[2];
    expectSigned(decision);
    const sdk::Json pushed = sdk::Json::parse(decision.body).value();
    EXPECT_EQ(pushed.path("event.payload.status")->asString(), "accepted");
    EXPECT_EQ(pushed.path("event.payload.sub_status.label")->asString(), "Accordé");
    EXPECT_EQ(pushed.path("event.payload.message")->asString(),
              "Votre inscription est acceptée à compter du 4 janvier.");
    EXPECT_EQ(decision.header("Idempotency-Key"), pushed.path("event.id")->asString());

    // The same decision under another key is the same source event: one event still.
    EXPECT_EQ(postEvent(target, acceptedBody(), "bo-decision-1-bis").status, 200);
    EXPECT_EQ(callbacks().size(), 3u);

    // The timeline, in the portal's words, oldest first.
    const sdk::Json timeline = get("/v1/dossiers/" + id + "/timeline", kPortalKey).json();
    EXPECT_EQ(timeline.find("status")->asString(), "accepted");
    EXPECT_EQ(timeline.find("label")->asString(), "Accordé");
    const sdk::Json& events = *timeline.find("events");
    ASSERT_EQ(events.size(), 4u) << timeline.dump();
    EXPECT_EQ(events.at(0)->find("status")->asString(), "submitted");
    EXPECT_EQ(events.at(1)->find("status")->asString(), "acknowledged");
    EXPECT_EQ(events.at(1)->find("business_id")->asString(), "BO-00000042");
    EXPECT_EQ(events.at(2)->find("label")->asString(), "En instruction");
    EXPECT_EQ(events.at(3)->find("label")->asString(), "Accordé");
    EXPECT_NE(events.at(3)->find("message"), nullptr);
    EXPECT_EQ(get("/v1/dossiers/" + id, kPortalKey).json().path("sub_status.code")->asString(),
              "ACC");
    (void)tracking;
}

TEST_F(StatusSyncTest, ThePortalDownIsRetriedAndCatchesUpInOrder) {
    std::atomic<int> refusals{4};
    portal_.setHandler([&refusals](const ReceivedRequest&) {
        if (refusals.fetch_sub(1) > 0) return MockResponse{503, "text/plain", "down", {}};
        return MockResponse{200, "application/json", "{}", {}};
    });
    start();
    const std::string id = submit("RS-2026-100002");
    waitForStatus(id, "acknowledged");
    ASSERT_EQ(postEvent("/v1/dossiers/" + id + "/events", inReviewBody(), "k-1").status, 201);
    waitForPushes(id, 2, "done");
    std::vector<std::string> delivered;
    for (const auto& request : callbacks()) {
        const auto body = sdk::Json::parse(request.body);
        if (body) delivered.push_back(body->path("event.payload.status")->asString());
    }
    ASSERT_GE(delivered.size(), 6u);  // four refusals, then both
    // In order: the acknowledgement is retried until it passes, only then the next.
    EXPECT_EQ(delivered.back(), "in_review");
    EXPECT_EQ(delivered[delivered.size() - 2], "acknowledged");
    for (std::size_t i = 0; i + 1 < delivered.size(); ++i) EXPECT_EQ(delivered[i], "acknowledged");
}

TEST_F(StatusSyncTest, APermanentRefusalIsDeadUntilReplayed) {
    std::atomic<bool> refuse{true};
    portal_.setHandler([&refuse](const ReceivedRequest&) {
        if (refuse.load()) return MockResponse{400, "text/plain", "unknown dossier", {}};
        return MockResponse{200, "application/json", "{}", {}};
    });
    start();
    const std::string id = submit("RS-2026-100003");
    const sdk::Json tracking = waitForPushes(id, 1, "dead");
    const std::string job = tracking.path("pushes[0].job_id")->asString();
    const sdk::Json dead = get("/v1/jobs?state=dead").json();
    EXPECT_NE(dead.dump().find(job), std::string::npos) << dead.dump();
    refuse = false;
    const HttpResult replay =
        httpCall(daemon_->port(), "POST", "/v1/jobs/" + job + "/replay", {bearer(kAdminKey)});
    EXPECT_LT(replay.status, 300) << replay.body;
    waitForPushes(id, 1, "done");
    EXPECT_EQ(callbacks().size(), 2u);
}

TEST_F(StatusSyncTest, APortalDownPastTheRetryBudgetIsDeadUntilReplayed) {
    std::atomic<bool> down{true};
    portal_.setHandler([&down](const ReceivedRequest&) {
        if (down.load()) return MockResponse{503, "text/plain", "down", {}};
        return MockResponse{200, "application/json", "{}", {}};
    });
    start("300ms");
    const std::string id = submit("RS-2026-100006");
    const sdk::Json tracking = waitForPushes(id, 1, "dead");
    EXPECT_NE(tracking.path("pushes[0].last_error")->asString().find("gave up after"),
              std::string::npos)
        << tracking.dump();
    EXPECT_GE(callbacks().size(), 2u);  // retried before giving up
    down = false;
    const std::string job = tracking.path("pushes[0].job_id")->asString();
    ASSERT_LT(httpCall(daemon_->port(), "POST", "/v1/jobs/" + job + "/replay", {bearer(kAdminKey)})
                  .status,
              300);
    waitForPushes(id, 1, "done");
}

TEST_F(StatusSyncTest, TheEventsApiValidatesStrictlyAndNamesTheField) {
    start();
    const std::string id = submit("RS-2026-100004");
    waitForStatus(id, "acknowledged");
    const std::string target = "/v1/dossiers/" + id + "/events";
    const auto field = [](const HttpResult& r) {
        const sdk::Json body = r.json();
        const sdk::Json* f = body.find("field");
        return f != nullptr ? f->asString() : std::string();
    };
    HttpResult r = postEvent(target, inReviewBody(), "");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(field(r), "Idempotency-Key");
    r = postEvent(target, R"({"type": "status_changed", "status": "granted"})", "v-1");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(field(r), "status");
    r = postEvent(target, R"({"type": "status_changed", "status": "in_review", "colour": 1})",
                  "v-2");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(field(r), "colour");
    r = postEvent(target,
                  R"({"type": "message", "message": "Pièce", "documents": [{"url": "https://x"}]})",
                  "v-3");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(field(r), "documents[0].name");
    r = postEvent(target,
                  R"({"type": "status_changed", "status": "in_review",)"
                  R"( "occurred_at": "2026-12-01T09:00:00"})",
                  "v-4");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(field(r), "occurred_at");
    // A transition outside the lifecycle: 409 naming both states.
    r = postEvent(target, R"({"type": "status_changed", "status": "accepted"})", "v-5");
    EXPECT_EQ(r.status, 409) << r.body;
    EXPECT_EQ(r.content_type, "application/problem+json");
    EXPECT_NE(r.body.find("'acknowledged' to 'accepted'"), std::string::npos) << r.body;
    // One key, another body.
    ASSERT_EQ(postEvent(target, inReviewBody(), "v-6").status, 201);
    r = postEvent(target, R"({"type": "message", "message": "Pièce reçue"})", "v-6");
    EXPECT_EQ(r.status, 409);
    EXPECT_EQ(field(r), "Idempotency-Key");
    // Unknown link, missing right.
    EXPECT_EQ(postEvent("/v1/links/application/NOPE/events", inReviewBody(), "v-7").status, 404);
    EXPECT_EQ(postEvent(target, inReviewBody(), "v-8", kPortalKey).status, 403);
}

// A refusal states its reasons (CRPA L211-2): without `message` it is refused before anything
// is stored or pushed. Identifiers over `max-identifier` (256 bytes) are refused by name.
TEST_F(StatusSyncTest, ARefusalNeedsItsMotivationAndIdentifiersAreBounded) {
    start();
    const std::string id = submit("RS-2026-100005");
    waitForStatus(id, "acknowledged");
    const std::string target = "/v1/dossiers/" + id + "/events";
    ASSERT_EQ(postEvent(target, inReviewBody(), "m-1").status, 201);
    HttpResult r = postEvent(target, R"({"type": "status_changed", "status": "refused"})", "m-2");
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(r.json().find("field")->asString(), "message") << r.body;
    r = postEvent(target,
                  R"({"type": "message", "message": "Bonjour", "source_event_key": ")" +
                      std::string(5'000, 'k') + "\"}",
                  "m-3");
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(r.json().find("field")->asString(), "source_event_key") << r.body;
    // Nothing was recorded: the dossier is still in review, and the refusal with its
    // motivation goes through.
    r = postEvent(target,
                  R"({"type": "status_changed", "status": "refused", "message": "Hors délai."})",
                  "m-4");
    EXPECT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(r.json().find("status")->asString(), "refused") << r.body;
}

// The `ok` polls of the fixture feed so far, from /metrics.
long feedPolls(const std::string& metrics) {
    const std::string name = "relais_polls_total{connector=\"feed\",outcome=\"ok\"} ";
    const std::size_t at = metrics.find(name);
    return at == std::string::npos ? 0 : std::stol(metrics.substr(at + name.size()));
}

TEST_F(StatusSyncTest, AStatusFromAConnectorsPollIsAppliedOnce) {
    start();
    const HttpResult filed = httpCall(daemon_->port(), "POST", "/v1/adapters/guichet/inbound",
                                      {bearer(kPortalKey)}, "FEED-1", "text/plain");
    ASSERT_EQ(filed.status, 202) << filed.body;
    const std::string id = filed.json().find("id")->asString();
    waitForStatus(id, "in_review");
    // Polled again and again, the same event is applied once.
    const long seen = feedPolls(get("/metrics").body);
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    while (feedPolls(get("/metrics").body) < seen + 3 &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(10ms);
    }
    ASSERT_GE(feedPolls(get("/metrics").body), seen + 3);
    const sdk::Json timeline = get("/v1/dossiers/" + id + "/timeline", kPortalKey).json();
    const sdk::Json* events = timeline.find("events");
    ASSERT_NE(events, nullptr);
    ASSERT_EQ(events->size(), 3u) << timeline.dump();  // submitted, acknowledged, in review
    EXPECT_EQ(events->at(2)->find("label")->asString(), "En examen");
    EXPECT_EQ(timeline.find("label")->asString(), "En examen");
}

TEST_F(StatusSyncTest, CrossingDecisionsWaitForAnOperator) {
    start();
    const HttpResult filed = httpCall(daemon_->port(), "POST", "/v1/adapters/guichet/inbound",
                                      {bearer(kPortalKey)}, "G-1", "text/plain");
    ASSERT_EQ(filed.status, 202) << filed.body;
    const std::string id = filed.json().find("id")->asString();
    waitForStatus(id, "acknowledged");
    ASSERT_EQ(postEvent("/v1/dossiers/" + id + "/events", inReviewBody(), "c-1").status, 201);
    // The citizen withdraws on the portal: the adapter reports it as a portal-side event.
    const HttpResult withdrawal = httpCall(daemon_->port(), "POST", "/v1/adapters/guichet/inbound",
                                           {bearer(kPortalKey)}, "withdraw:G-1", "text/plain");
    ASSERT_EQ(withdrawal.status, 202) << withdrawal.body;
    EXPECT_NE(withdrawal.body.find("\"outcome\":\"applied\""), std::string::npos)
        << withdrawal.body;
    waitForStatus(id, "withdrawn");
    // The application, not having seen it, accepts.
    const HttpResult accepted = postEvent("/v1/dossiers/" + id + "/events", acceptedBody(), "c-2");
    ASSERT_EQ(accepted.status, 201) << accepted.body;
    EXPECT_EQ(accepted.json().find("outcome")->asString(), "conflict");
    EXPECT_EQ(accepted.json().find("status")->asString(), "withdrawn");
    const std::string conflict = accepted.json().find("conflict_id")->asString();

    EXPECT_EQ(get("/v1/conflicts", kAppKey).status, 403);
    const sdk::Json list = get("/v1/conflicts").json();
    ASSERT_EQ(list.find("conflicts")->size(), 1u) << list.dump();
    EXPECT_EQ(list.path("conflicts[0].incoming.payload.status")->asString(), "accepted");
    EXPECT_EQ(list.path("conflicts[0].id")->asString(), conflict);

    const std::string resolve = "/v1/conflicts/" + conflict + "/resolve";
    EXPECT_EQ(
        httpCall(daemon_->port(), "POST", resolve, {bearer(kAppKey)}, R"({"winner": "incoming"})")
            .status,
        403);
    EXPECT_EQ(
        httpCall(daemon_->port(), "POST", resolve, {bearer(kAdminKey)}, R"({"winner": "nobody"})")
            .status,
        400);
    const HttpResult resolved = httpCall(daemon_->port(), "POST", resolve, {bearer(kAdminKey)},
                                         R"({"winner": "incoming"})");
    ASSERT_EQ(resolved.status, 200) << resolved.body;
    waitForStatus(id, "accepted");
    EXPECT_EQ(get("/v1/conflicts").json().find("conflicts")->size(), 0u);
    // The fixture adapter does not push: nothing queued towards it.
    EXPECT_EQ(get("/v1/dossiers/" + id).json().find("pushes"), nullptr);
    const sdk::Json timeline = get("/v1/dossiers/" + id + "/timeline", kPortalKey).json();
    const sdk::Json* events = timeline.find("events");
    ASSERT_NE(events, nullptr);
    EXPECT_EQ(events->at(events->size() - 1)->find("status")->asString(), "accepted");
    EXPECT_EQ(events->at(events->size() - 2)->find("status")->asString(), "withdrawn");
}

}  // namespace
}  // namespace relais::test
