// SPDX-License-Identifier: AGPL-3.0-or-later
// The w.c.s. round trip over the real daemon: the w.c.s. double (tests/doubles/wcs-mock) posts
// a dossier as a Publik-signed "send the form" webservice call and gets the Publik envelope
// back; the dossier is delivered to a business application (REST connector, a mock on
// 127.0.0.1) and becomes acknowledged (no trigger configured for it: nothing sent to w.c.s.);
// the application takes it up and accepts it with a motivation (through its link, with an
// Idempotency-Key, ten times); w.c.s.'s dossier moves through exactly one trigger per
// decision, the motivation in its workflow data. Also: w.c.s. down during a push (retried,
// catches up), a trigger the current status does not offer (dead, w.c.s.'s status in the
// reason), and the envelope of refusals (bad body, bad signature).

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "support/daemon.h"
#include "support/http_call.h"
#include "support/mock_http_server.h"
#include "support/temp_dir.h"
#include "wcs_mock.h"

namespace relais::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kSlug = "cantine-inscription";
constexpr const char* kWcsOrig = "demarches.ville.test";
constexpr const char* kRelaisOrig = "relais.ville.test";
// One shared key per pair of services, as Publik's deployer gives them (DESIGN §8).
const std::string kPublikSecret = "wcs-relais-shared-key-7Hq2";
const std::string kAdminKey = "admin-key-0123456789abcdef0";
const std::string kAppKey = "application-key-0123456789";

// The motivation the application writes with its decision.
const std::string kMotivation = "Quotient familial justifié, inscription au 4 janvier.";

std::string inReviewBody() {
    return R"({"type": "status_changed", "status": "in_review",)"
           R"( "sub_status": {"code": "INS", "label": "En instruction"},)"
           R"( "source_event_key": "review-1"})";
}

std::string acceptedBody() {
    return R"({"type": "status_changed", "status": "accepted",)"
           R"( "sub_status": {"code": "ACC", "label": "Accordé"},)"
           R"( "message": ")" +
           kMotivation +
           R"(", "occurred_at": "2026-12-01T09:00:00+01:00", "actor": "agent-12",)"
           R"( "source_event_key": "decision-1"})";
}

wcs_mock::WcsMock::Options mockOptions() {
    wcs_mock::WcsMock::Options options;
    options.secrets = {{kRelaisOrig, kPublikSecret}};
    return options;
}

// The successful jumps of trigger `trigger` the double received.
std::size_t jumpsOf(const wcs_mock::WcsMock& mock, const std::string& trigger) {
    std::size_t count = 0;
    for (const auto& call : mock.calls()) {
        if (call.trigger == trigger) ++count;
    }
    return count;
}

class WcsRoundTripTest : public ::testing::Test {
protected:
    WcsRoundTripTest() : mock_(mockOptions()) {
        auto forms =
            wcs_mock::parseForms(readSourceFile("tests/doubles/wcs-mock/forms/cantine.json"));
        if (!forms) throw std::runtime_error(forms.error().message);
        for (auto& form : *forms) mock_.addForm(std::move(form));
        auto fields = sdk::Json::parse(R"({"nom_enfant": "Exemple", "prenom_enfant": "Lou",)"
                                       R"( "ecole": "Jules Ferry", "ecole_raw": "12"})");
        formdata_ = mock_.createFormdata(kSlug, *fields, sdk::Json(), "2026-11-30T10:12:44");
    }

    void start() {
        const std::string secret = dir_.write("secrets/wcs", kPublikSecret + "\n");
        const std::string config = wrapConfig(
            baseConfigElements(dir_) +
            "<delivery workers=\"2\" idle-poll=\"20ms\" lease=\"30s\"/>\n"
            "<adapters><adapter name=\"demarches\" plugin=\"wcs\">"
            "<param name=\"url\">" +
            mock_.baseUrl() + "</param><param name=\"orig\">" + kRelaisOrig +
            "</param><param name=\"secret\">file:" + secret +
            "</param>"
            "<param name=\"status-map\">1:submitted, 2:in_review, 3:accepted, 4:refused, "
            "5:awaiting_applicant</param>"
            "<param name=\"triggers\">in_review:instruire, accepted:accepter, "
            "refused:refuser</param>"
            "<param name=\"timeout\">5s</param>"
            "<retry initial=\"20ms\" max=\"50ms\" give-up-after=\"1h\"/>"
            "</adapter></adapters>\n"
            "<connectors><connector name=\"application\" plugin=\"rest\">"
            "<param name=\"url\">" +
            app_.url("/api/v1/inscriptions") +
            "</param><param name=\"business-id\">json:id</param>"
            "<param name=\"timeout\">5s</param>"
            "<retry initial=\"20ms\" max=\"50ms\" give-up-after=\"1h\"/>"
            "</connector></connectors>\n"
            "<clients>\n<client name=\"wcs\"><rights>dossiers:submit dossiers:read</rights>"
            "<procedures>" +
            kSlug + "</procedures><instances>demarches</instances><publik orig=\"" + kWcsOrig +
            "\" secret=\"file:" + secret + "\"/></client>\n" +
            clientElement("exploitation", kAdminKey, "admin dossiers:read") +
            clientElement("logiciel", kAppKey, "events:write dossiers:read") +
            "</clients>\n<routes><route name=\"cantine\" procedure=\"" + kSlug +
            "\" connector=\"application\"/></routes>\n");
        daemon_ = std::make_unique<Daemon>(dir_, config);
    }

    std::string inboundUrl() const {
        return "http://127.0.0.1:" + std::to_string(daemon_->port()) +
               "/v1/adapters/demarches/inbound";
    }

    // What the workflow's webservice call sends, signed with `secret`, posted with `body`
    // instead of the export when given.
    HttpResult postSigned(const std::string& secret, const std::string& body = {}) {
        const auto call = mock_.webserviceCall(kSlug, formdata_, inboundUrl(), kWcsOrig, secret);
        const std::string target = call.url.substr(call.url.find("/v1/"));
        return httpCall(daemon_->port(), "POST", target, call.headers,
                        body.empty() ? call.body : body);
    }

    // The double sends its dossier (over HTTP, as w.c.s. does) and relais's id comes back
    // from the envelope (`expected`: 202 for a new dossier, 200 for a replay).
    std::string send(int expected = 202) {
        const wcs_mock::SentForm sent =
            mock_.sendForm(kSlug, formdata_, inboundUrl(), kWcsOrig, kPublikSecret);
        EXPECT_EQ(sent.status, expected) << sent.body;
        const sdk::Json data = mock_.workflowData(kSlug, formdata_);
        const sdk::Json* id = data.path("relais_response.data.id");
        return id != nullptr ? id->asString() : std::string();
    }

    HttpResult get(const std::string& target, const std::string& key = kAdminKey) {
        return httpCall(daemon_->port(), "GET", target, {bearer(key)});
    }

    HttpResult postEvent(const std::string& body, const std::string& idempotency_key) {
        return httpCall(daemon_->port(), "POST", "/v1/links/application/BO-00000042/events",
                        {bearer(kAppKey), {"Idempotency-Key", idempotency_key}}, body);
    }

    // Waits (deadline 15 s) until `ready` holds of the dossier's tracking document.
    template <typename Ready>
    sdk::Json waitFor(const std::string& id, const std::string& what, Ready ready) {
        const auto deadline = std::chrono::steady_clock::now() + 15s;
        sdk::Json tracking;
        while (std::chrono::steady_clock::now() < deadline) {
            tracking = get("/v1/dossiers/" + id).json();
            if (ready(tracking)) return tracking;
            std::this_thread::sleep_for(10ms);
        }
        ADD_FAILURE() << id << " never " << what << ": " << tracking.dump();
        return tracking;
    }

    sdk::Json waitForStatus(const std::string& id, const std::string& status) {
        return waitFor(id, "became " + status, [&status](const sdk::Json& tracking) {
            const sdk::Json* current = tracking.find("status");
            return current != nullptr && current->asString() == status;
        });
    }

    // Every push of the dossier settled (done or dead), `count` of them.
    sdk::Json waitForPushes(const std::string& id, std::size_t count, const std::string& state) {
        return waitFor(id, "had its pushes " + state, [count, &state](const sdk::Json& tracking) {
            const sdk::Json* pushes = tracking.find("pushes");
            std::size_t in_state = 0;
            for (std::size_t i = 0; pushes != nullptr && i < pushes->size(); ++i) {
                if (pushes->at(i)->find("state")->asString() == state) ++in_state;
            }
            return in_state == count;
        });
    }

    // Submitted, delivered to the application, acknowledged, its acknowledgement push done.
    std::string acknowledgedDossier() {
        const std::string id = send();
        EXPECT_FALSE(id.empty());
        waitForStatus(id, "acknowledged");
        waitForPushes(id, 1, "done");
        return id;
    }

    TempDir dir_;
    wcs_mock::WcsMock mock_;
    int formdata_ = 0;
    MockHttpServer app_{[](const ReceivedRequest&) {
        return MockResponse{201, "application/json", R"({"id":"BO-00000042"})", {}};
    }};
    std::unique_ptr<Daemon> daemon_;
};

TEST_F(WcsRoundTripTest, AWebserviceCallIsAnsweredInThePublikEnvelope) {
    start();
    const HttpResult first = postSigned(kPublikSecret);
    ASSERT_EQ(first.status, 202) << first.body;
    EXPECT_EQ(first.content_type, "application/json");
    const sdk::Json answer = first.json();
    EXPECT_EQ(answer.find("err")->asInt(), 0) << first.body;
    const std::string id = answer.path("data.id")->asString();
    EXPECT_FALSE(id.empty());
    EXPECT_EQ(answer.path("data.status_url")->asString(), "/v1/dossiers/" + id);

    // w.c.s. retries a call whose answer it lost: the same dossier, in the envelope too.
    const HttpResult replay = postSigned(kPublikSecret);
    ASSERT_EQ(replay.status, 200) << replay.body;
    EXPECT_EQ(replay.json().find("err")->asInt(), 0);
    EXPECT_EQ(replay.json().path("data.id")->asString(), id);

    // What the workflow stores when it keeps the response: the envelope, relais's id inside.
    EXPECT_EQ(send(200), id);
    EXPECT_EQ(mock_.workflowData(kSlug, formdata_).path("relais_response.data.id")->asString(), id);
}

TEST_F(WcsRoundTripTest, ABadBodyIsAPublikErrorNamingTheField) {
    start();
    const HttpResult refused = postSigned(
        kPublikSecret,
        R"({"receipt_time": "2026-11-30T10:12:44", "workflow": {"status": {"id": "1"}}})");
    EXPECT_EQ(refused.status, 400) << refused.body;
    EXPECT_EQ(refused.content_type, "application/json");
    EXPECT_EQ(refused.header("x-error-code"), "bad-request");
    const sdk::Json error = refused.json();
    EXPECT_EQ(error.find("err")->asInt(), 1) << refused.body;
    EXPECT_EQ(error.find("err_class")->asString(), "Bad Request");
    EXPECT_NE(error.find("err_desc")->asString().find("id"), std::string::npos) << refused.body;
    EXPECT_EQ(error.path("data.field")->asString(), "id") << refused.body;
}

TEST_F(WcsRoundTripTest, ABadSignatureIsAPublikErrorWithStatus401) {
    start();
    const HttpResult refused = postSigned("not-the-shared-key");
    EXPECT_EQ(refused.status, 401) << refused.body;
    EXPECT_EQ(refused.content_type, "application/json");
    EXPECT_EQ(refused.header("x-error-code"), "unauthorized");
    EXPECT_FALSE(refused.header("WWW-Authenticate").empty());
    const sdk::Json error = refused.json();
    EXPECT_EQ(error.find("err")->asInt(), 1) << refused.body;
    EXPECT_EQ(error.find("err_class")->asString(), "Unauthorized");
    EXPECT_FALSE(error.find("err_desc")->asString().empty());
}

TEST_F(WcsRoundTripTest, ADecisionOfTheApplicationMovesWcsThroughOneTrigger) {
    start();
    const std::string id = acknowledgedDossier();
    ASSERT_EQ(app_.requests().size(), 1u);
    // The acknowledgement has no trigger: w.c.s. was read, not moved.
    EXPECT_EQ(mock_.jumpCount(), 0u);
    EXPECT_EQ(mock_.statusOf(kSlug, formdata_), "1");

    const HttpResult review = postEvent(inReviewBody(), "bo-review-1");
    ASSERT_EQ(review.status, 201) << review.body;
    const HttpResult first = postEvent(acceptedBody(), "bo-decision-1");
    ASSERT_EQ(first.status, 201) << first.body;
    EXPECT_EQ(first.json().find("dossier_id")->asString(), id);
    for (int i = 0; i < 9; ++i) {
        const HttpResult again = postEvent(acceptedBody(), "bo-decision-1");
        EXPECT_EQ(again.status, 201);
        EXPECT_EQ(again.body, first.body);
        EXPECT_EQ(again.header("Idempotent-Replayed"), "true");
    }
    waitForStatus(id, "accepted");
    waitForPushes(id, 3, "done");
    EXPECT_EQ(mock_.statusOf(kSlug, formdata_), "3");
    EXPECT_EQ(jumpsOf(mock_, "instruire"), 1u);
    EXPECT_EQ(jumpsOf(mock_, "accepter"), 1u);
    EXPECT_EQ(mock_.jumpCount(), 2u);
    EXPECT_EQ(
        mock_.triggerVariables(kSlug, formdata_).at("form_trigger_accepter_content_motivation"),
        kMotivation);
    const sdk::Json data = mock_.workflowData(kSlug, formdata_);
    EXPECT_EQ(data.find("motivation")->asString(), kMotivation);
    EXPECT_EQ(data.find("status")->asString(), "accepted");

    // The same decision again, under another key: a duplicate, w.c.s. is not called again.
    EXPECT_EQ(postEvent(acceptedBody(), "bo-decision-1-bis").status, 200);
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(jumpsOf(mock_, "accepter"), 1u);

    // relais's view: accepted, and the timeline shows the acknowledgement and the decision.
    const sdk::Json tracking = get("/v1/dossiers/" + id).json();
    EXPECT_EQ(tracking.find("status")->asString(), "accepted");
    EXPECT_EQ(tracking.path("sub_status.label")->asString(), "Accordé");
    const sdk::Json timeline = get("/v1/dossiers/" + id + "/timeline").json();
    const sdk::Json* events = timeline.find("events");
    ASSERT_NE(events, nullptr);
    ASSERT_EQ(events->size(), 4u) << timeline.dump();
    EXPECT_EQ(events->at(1)->find("status")->asString(), "acknowledged");
    EXPECT_EQ(events->at(1)->find("business_id")->asString(), "BO-00000042");
    EXPECT_EQ(events->at(3)->find("status")->asString(), "accepted");
    EXPECT_EQ(events->at(3)->find("message")->asString(), kMotivation);
}

TEST_F(WcsRoundTripTest, WcsDownDuringThePushIsRetriedAndCatchesUp) {
    start();
    const std::string id = acknowledgedDossier();
    mock_.failNext(3, wcs_mock::Failure::ServiceUnavailable);
    ASSERT_EQ(postEvent(inReviewBody(), "bo-review-1").status, 201);
    waitForPushes(id, 2, "done");
    EXPECT_EQ(mock_.statusOf(kSlug, formdata_), "2");

    mock_.failNext(3, wcs_mock::Failure::CloseConnection);
    ASSERT_EQ(postEvent(acceptedBody(), "bo-decision-1").status, 201);
    waitForPushes(id, 3, "done");
    EXPECT_EQ(mock_.statusOf(kSlug, formdata_), "3");
    EXPECT_EQ(jumpsOf(mock_, "instruire"), 1u);
    EXPECT_EQ(jumpsOf(mock_, "accepter"), 1u);
    std::size_t failed = 0;
    for (const auto& call : mock_.calls()) {
        if (call.status == 503 || call.status == 0) ++failed;
    }
    EXPECT_EQ(failed, 6u);
}

TEST_F(WcsRoundTripTest, ATriggerTheCurrentStatusDoesNotOfferIsADeadPush) {
    start();
    const std::string id = acknowledgedDossier();
    ASSERT_EQ(postEvent(inReviewBody(), "bo-review-1").status, 201);
    waitForPushes(id, 2, "done");
    // An agent asks the family for more documents in w.c.s.: status 5 offers no `accepter`.
    mock_.setStatus(kSlug, formdata_, "5");
    ASSERT_EQ(postEvent(acceptedBody(), "bo-decision-1").status, 201);
    const sdk::Json tracking = waitForPushes(id, 1, "dead");
    const std::string reason = tracking.path("pushes[2].last_error")->asString();
    EXPECT_NE(reason.find("status 5"), std::string::npos) << tracking.dump();
    EXPECT_NE(reason.find("accepter"), std::string::npos) << tracking.dump();
    EXPECT_EQ(jumpsOf(mock_, "accepter"), 0u);
    EXPECT_EQ(mock_.statusOf(kSlug, formdata_), "5");
}

}  // namespace
}  // namespace relais::test
