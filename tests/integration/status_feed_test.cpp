// SPDX-License-Identifier: AGPL-3.0-or-later
// Applications that do not push, end to end over the real daemon and the real rest plugin:
// a dossier posted through the JSON adapter is delivered to a mock business application on
// 127.0.0.1, which never calls relais; its decision feed (polled by the same connector
// instance, the cursor passed back as `since`) says the dossier is in review, then accepted.
// The dossier becomes `accepted`, each decision applied once however often the feed is
// polled.

#include <chrono>
#include <string>
#include <thread>
#include <vector>

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

// The application's feed: its own codes, its own ids, a cursor.
const std::string kFeed = R"({"next": "page-2", "decisions": [
  {"ref": "BO-00000042", "etat": "INS", "id": "d-1", "rev": 1,
   "date": "2026-12-01T08:00:00+01:00"},
  {"ref": "BO-00000042", "etat": "ACC", "id": "d-2", "rev": 2,
   "motif": "Votre inscription est acceptée à compter du 4 janvier.",
   "date": "2026-12-01T09:00:00+01:00"}]})";

std::string dossierBody() {
    std::string body = readSourceFile("tests/fixtures/bench/dossier.json");
    body.replace(body.find("inscription-restauration-scolaire"), 33, "restauration-scolaire");
    return body;
}

// The `ok` polls of the connector so far, from /metrics.
long polls(const std::string& metrics) {
    const std::string name = "relais_polls_total{connector=\"application\",outcome=\"ok\"} ";
    const std::size_t at = metrics.find(name);
    return at == std::string::npos ? 0 : std::stol(metrics.substr(at + name.size()));
}

class StatusFeedTest : public ::testing::Test {
protected:
    void start() {
        const std::string config =
            wrapConfig(baseConfigElements(dir_) +
                       "<delivery workers=\"2\" idle-poll=\"20ms\" lease=\"30s\"/>\n"
                       "<adapters><adapter name=\"portail\" plugin=\"json\">"
                       "<param name=\"source-key\">numero_dossier</param>"
                       "<param name=\"procedure-field\">formulaire</param>"
                       "</adapter></adapters>\n"
                       "<connectors>\n<connector name=\"application\" plugin=\"rest\" "
                       "poll-interval=\"20ms\"><param name=\"url\">" +
                       app_.url("/api/v1/inscriptions") +
                       "</param><param name=\"business-id\">json:id</param>"
                       "<param name=\"timeout\">5s</param>"
                       "<param name=\"status-url\">" +
                       app_.url("/api/v1/decisions?since={since}") +
                       "</param><param name=\"status-items\">decisions</param>"
                       "<param name=\"status-business-id\">ref</param>"
                       "<param name=\"status-value\">etat</param>"
                       "<param name=\"status-message\">motif</param>"
                       "<param name=\"status-occurred-at\">date</param>"
                       "<param name=\"status-version\">rev</param>"
                       "<param name=\"status-event-id\">id</param>"
                       "<param name=\"status-cursor\">next</param>"
                       "<param name=\"status-table\">INS:in_review:En instruction, "
                       "ACC:accepted:Accordé, REF:refused:Refusé</param>"
                       "<retry initial=\"20ms\" max=\"50ms\" give-up-after=\"1h\"/>"
                       "</connector>\n</connectors>\n<clients>\n" +
                       clientElement("portail", kPortalKey, "dossiers:submit dossiers:read") +
                       clientElement("exploitation", kAdminKey, "admin dossiers:read") +
                       "</clients>\n<routes>\n"
                       "<route name=\"cantine\" procedure=\"restauration-scolaire\" "
                       "connector=\"application\" mapping=\"" RELAIS_SOURCE_DIR
                       "/mappings/examples/cantine-backoffice.xml\"/>\n"
                       "</routes>\n");
        daemon_ = std::make_unique<Daemon>(dir_, config);
    }

    HttpResult get(const std::string& target, const std::string& key = kAdminKey) {
        return httpCall(daemon_->port(), "GET", target, {bearer(key)});
    }

    sdk::Json waitForStatus(const std::string& id, const std::string& status) {
        return waitForDossierStatus(daemon_->port(), kAdminKey, id, status);
    }

    TempDir dir_;
    MockHttpServer app_{[](const ReceivedRequest& request) {
        if (request.method == "GET" && request.uri.rfind("/api/v1/decisions", 0) == 0) {
            return MockResponse{200, "application/json", kFeed, {}};
        }
        return MockResponse{201, "application/json", R"({"id":"BO-00000042"})", {}};
    }};
    std::unique_ptr<Daemon> daemon_;
};

TEST_F(StatusFeedTest, TheApplicationsFeedAcceptsTheDossierOnceHoweverOftenItIsPolled) {
    start();
    const HttpResult filed = httpCall(daemon_->port(), "POST", "/v1/adapters/portail/inbound",
                                      {bearer(kPortalKey)}, dossierBody());
    ASSERT_EQ(filed.status, 202) << filed.body;
    const std::string id = filed.json().find("id")->asString();
    const sdk::Json tracking = waitForStatus(id, "accepted");
    EXPECT_EQ(tracking.path("sub_status.code")->asString(), "ACC");

    // Polled again and again, with the cursor the feed gave.
    const long seen = polls(get("/metrics").body);
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    while (polls(get("/metrics").body) < seen + 3 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(10ms);
    }
    ASSERT_GE(polls(get("/metrics").body), seen + 3);
    std::vector<std::string> feed_uris;
    for (const auto& request : app_.requests()) {
        if (request.method == "GET") feed_uris.push_back(request.uri);
    }
    ASSERT_GE(feed_uris.size(), 2U);
    EXPECT_EQ(feed_uris.front(), "/api/v1/decisions?since=");
    EXPECT_EQ(feed_uris.back(), "/api/v1/decisions?since=page-2");

    const sdk::Json timeline = get("/v1/dossiers/" + id + "/timeline", kPortalKey).json();
    const sdk::Json* events = timeline.find("events");
    ASSERT_NE(events, nullptr);
    std::vector<std::string> statuses;
    for (std::size_t i = 0; i < events->size(); ++i) {
        statuses.push_back(events->at(i)->find("status")->asString());
    }
    EXPECT_EQ(statuses,
              (std::vector<std::string>{"submitted", "acknowledged", "in_review", "accepted"}))
        << timeline.dump();
    EXPECT_EQ(timeline.find("label")->asString(), "Accordé");
    EXPECT_EQ(events->at(3)->find("message")->asString(),
              "Votre inscription est acceptée à compter du 4 janvier.");
    EXPECT_EQ(get("/v1/dossiers/" + id).json().find("version")->asInt(),
              tracking.find("version")->asInt());
}

}  // namespace
}  // namespace relais::test
