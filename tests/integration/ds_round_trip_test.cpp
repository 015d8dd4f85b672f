// SPDX-License-Identifier: AGPL-3.0-or-later
// The Démarches Simplifiées round trip over the real daemon, against the DS double
// (tests/doubles/ds-mock: DS's GraphQL schema, state machine and French errors, written from
// DS's sources, not from the adapter): a dossier polled from DS, its pièces justificatives
// downloaded at once, is delivered to a business application (REST connector, a mock on
// 127.0.0.1); the application takes it up and accepts it with a motivation; DS's dossier
// goes en_instruction then accepte, one mutation of each kind, however often DS's own
// report of those changes comes back through the poll. Also: a refusal without motivation
// is refused before any call, a correction request reaches DS as a message with its
// reason, DS's unsigned webhook brings a dossier before the next poll, and an instructeur's
// decision taken on DS itself comes back to relais.

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "relais/sdk/json.h"
#include "relais/sdk/signing.h"

#include "ds_mock.h"
#include "support/daemon.h"
#include "support/http_call.h"
#include "support/mock_http_server.h"
#include "support/temp_dir.h"
#include "support/wait.h"

namespace relais::test {
namespace {

using namespace std::chrono_literals;

constexpr int kDemarche = 4242;
constexpr int kUnroutedDemarche = 5310;  // followed, but no route takes its procedure
const std::string kAdminKey = "admin-key-0123456789abcdef0";
const std::string kAppKey = "application-key-0123456789";
const std::string kWebhookKey = "ds-webhook-key-0123456789ab";
const std::string kMotivation = "Dossier complet, inscription au 4 janvier.";

std::string statusBody(const std::string& status, const std::string& key,
                       const std::string& message = {}) {
    std::string body = R"({"type": "status_changed", "status": ")" + status + "\"";
    if (!message.empty()) body += R"(, "message": ")" + message + "\"";
    return body + R"(, "source_event_key": ")" + key + "\"}";
}

class DsRoundTripTest : public ::testing::Test {
protected:
    DsRoundTripTest() {
        mock_.addDemarche(kDemarche, "Inscription au périscolaire");
        mock_.addDemarche(kUnroutedDemarche, "Subventions aux associations");
    }

    void start(const std::string& poll_interval = "50ms") {
        const std::string token = dir_.write("secrets/ds-token", "ds-token-rw\n");
        const std::string config = wrapConfig(
            baseConfigElements(dir_) +
            "<delivery workers=\"2\" idle-poll=\"20ms\" lease=\"30s\"/>\n"
            "<adapters><adapter name=\"ds-ville\" plugin=\"ds\" poll-interval=\"" +
            poll_interval + "\"><param name=\"endpoint\">" + mock_.graphqlUrl() +
            "</param><param name=\"token\">file:" + token +
            "</param><param name=\"instructeur-id\">" + ds_mock::Options().instructeur_id +
            "</param><param name=\"demarches\">" + std::to_string(kDemarche) + ", " +
            std::to_string(kUnroutedDemarche) + "</param><param name=\"procedure\">" +
            std::to_string(kDemarche) +
            ":periscolaire</param><param name=\"timeout\">5s</param>"
            "<retry initial=\"20ms\" max=\"50ms\" give-up-after=\"1h\"/>"
            "</adapter></adapters>\n"
            "<connectors><connector name=\"application\" plugin=\"rest\">"
            "<param name=\"url\">" +
            app_.url("/api/inscriptions") +
            "</param><param name=\"business-id\">json:id</param>"
            "<param name=\"timeout\">5s</param>"
            "<retry initial=\"20ms\" max=\"50ms\" give-up-after=\"1h\"/>"
            "</connector></connectors>\n<clients>\n" +
            clientElement("exploitation", kAdminKey, "admin dossiers:read") +
            clientElement("logiciel", kAppKey, "events:write dossiers:read") +
            clientElement("ds-webhook", kWebhookKey, "dossiers:submit", "periscolaire",
                          "ds-ville") +
            "</clients>\n<routes><route name=\"periscolaire\" procedure=\"periscolaire\" "
            "connector=\"application\"/></routes>\n");
        daemon_ = std::make_unique<Daemon>(dir_, config);
    }

    // The application's decision, through its link (its own id), with an Idempotency-Key.
    HttpResult post(const std::string& body, const std::string& idempotency_key) {
        return httpCall(daemon_->port(), "POST", "/v1/links/application/BO-77/events",
                        {bearer(kAppKey), {"Idempotency-Key", idempotency_key}}, body);
    }

    HttpResult get(const std::string& target) {
        return httpCall(daemon_->port(), "GET", target, {bearer(kAdminKey)});
    }

    // The dossier's relais status.
    std::string statusOf(const std::string& dossier_id) {
        const auto tracking = get("/v1/dossiers/" + dossier_id);
        const sdk::Json answer = tracking.json();
        const sdk::Json* status = answer.find("status");
        return status != nullptr ? status->asString() : tracking.body;
    }

    // Every push of the dossier done.
    bool pushesDone(const std::string& dossier_id) {
        const sdk::Json tracking = get("/v1/dossiers/" + dossier_id).json();
        const sdk::Json* pushes = tracking.find("pushes");
        if (pushes == nullptr) return true;
        for (std::size_t i = 0; i < pushes->size(); ++i) {
            if (pushes->at(i)->find("state")->asString() != "done") return false;
        }
        return true;
    }

    // A dossier polled from DS and delivered; returns relais's id (from the in_review
    // event's answer, which the test posts: the application takes the dossier up).
    std::string deliveredAndInReview(int number) {
        EXPECT_TRUE(app_.waitForCount(1, 15s)) << "the dossier " << number << " never arrived";
        // The link is recorded once the application's answer is: until then its id is unknown.
        HttpResult review;
        const auto deadline = std::chrono::steady_clock::now() + 15s;
        do {
            review = post(statusBody("in_review", "review-1"), "review-1");
            if (review.status != 404) break;
            std::this_thread::sleep_for(10ms);
        } while (std::chrono::steady_clock::now() < deadline);
        EXPECT_EQ(review.status, 201) << review.body;
        const sdk::Json answer = review.json();
        const sdk::Json* id = answer.find("dossier_id");
        return id != nullptr ? id->asString() : std::string();
    }

    TempDir dir_;
    ds_mock::DsMock mock_;
    MockHttpServer app_{[](const ReceivedRequest&) {
        return MockResponse{201, "application/json", R"({"id":"BO-77"})", {}};
    }};
    std::unique_ptr<Daemon> daemon_;
};

TEST_F(DsRoundTripTest, APolledDossierIsAcceptedOnDsAfterEnInstructionOneMutationEach) {
    const int number = mock_.addDossier(
        kDemarche, ds_mock::loadSampleDossier("personne-physique-tous-champs.json"));
    start();
    const std::string id = deliveredAndInReview(number);
    ASSERT_FALSE(id.empty());
    // The application got the dossier with its fields; both files were fetched from DS at
    // once (their URLs expire), and checked.
    const ReceivedRequest delivered = app_.requests().at(0);
    EXPECT_NE(delivered.body.find("Exemple"), std::string::npos) << delivered.body;
    EXPECT_GE(mock_.fileDownloads(), 2U);

    for (int attempt = 0; attempt < 3; ++attempt) {
        const auto decided = post(statusBody("accepted", "decision-1", kMotivation), "decision-1");
        ASSERT_TRUE(decided.status == 201 || decided.status == 200) << decided.body;
    }
    waitUntil("accepte on DS", [&] { return mock_.stateOf(number) == "accepte"; });
    waitUntil("pushed everything", [&] { return pushesDone(id); });
    // DS's report of what relais did comes back through the poll: nothing more is sent.
    std::this_thread::sleep_for(400ms);
    EXPECT_EQ(mock_.succeeded("dossierPasserEnInstruction"), 1U);
    EXPECT_EQ(mock_.succeeded("dossierAccepter"), 1U);
    for (const auto& call : mock_.calls()) EXPECT_TRUE(call.ok) << call.mutation << call.error;
    EXPECT_EQ(mock_.calls().size(), 2U);
    const sdk::Json on_ds = mock_.dossier(number);
    const sdk::Json* motivation = on_ds.find("motivation");
    ASSERT_NE(motivation, nullptr);
    EXPECT_EQ(motivation->asString(), kMotivation);
    EXPECT_EQ(statusOf(id), "accepted");
}

TEST_F(DsRoundTripTest, ARefusalWithoutMotivationIsRefusedBeforeAnyCall) {
    const int number = mock_.addDossier(
        kDemarche, ds_mock::loadSampleDossier("personne-physique-tous-champs.json"));
    start();
    const std::string id = deliveredAndInReview(number);
    waitUntil("en_instruction on DS", [&] { return mock_.stateOf(number) == "en_instruction"; });

    const auto refused = post(statusBody("refused", "decision-1"), "decision-1");
    EXPECT_EQ(refused.status, 400) << refused.body;
    EXPECT_EQ(refused.json().find("field")->asString(), "message") << refused.body;
    std::this_thread::sleep_for(300ms);
    EXPECT_EQ(mock_.calls().size(), 1U);  // the dossierPasserEnInstruction alone
    EXPECT_EQ(mock_.stateOf(number), "en_instruction");
    EXPECT_EQ(statusOf(id), "in_review");
}

TEST_F(DsRoundTripTest, ACorrectionRequestReachesDsAsAMessageWithItsReason) {
    const int number = mock_.addDossier(
        kDemarche, ds_mock::loadSampleDossier("personne-physique-tous-champs.json"));
    start();
    const std::string id = deliveredAndInReview(number);
    const std::string request = "Merci de joindre un justificatif de domicile de moins de 3 mois.";
    const auto asked = post(statusBody("awaiting_applicant", "correction-1", request), "corr-1");
    ASSERT_EQ(asked.status, 201) << asked.body;
    waitUntil("the request on DS", [&] { return mock_.succeeded("dossierEnvoyerMessage") > 0; });
    waitUntil("pushed everything", [&] { return pushesDone(id); });
    std::this_thread::sleep_for(300ms);
    EXPECT_EQ(mock_.succeeded("dossierEnvoyerMessage"), 1U);
    // Besides DS's own deposit notice, one message: the request, with its reason.
    std::vector<sdk::Json> requests;
    for (auto& message : mock_.messagesOf(number)) {
        if (message.find("email")->asString() == ds_mock::Options().instructeur_email) {
            requests.push_back(std::move(message));
        }
    }
    ASSERT_EQ(requests.size(), 1U);
    EXPECT_EQ(requests[0].find("body")->asString(), request);
    const sdk::Json* reason = requests[0].path("correction.reason");
    ASSERT_NE(reason, nullptr) << requests[0].dump();
    EXPECT_EQ(reason->asString(), "incomplete");
    EXPECT_EQ(mock_.stateOf(number), "en_construction");
}

TEST_F(DsRoundTripTest, DsWebhookBringsTheDossierBeforeTheNextPoll) {
    start("1h");  // one poll at start, then none during the test
    std::this_thread::sleep_for(200ms);
    const int number = mock_.addDossier(
        kDemarche, ds_mock::loadSampleDossier("personne-physique-tous-champs.json"));
    // DS's webhook: form-encoded, unsigned; the key as the Basic password of its URL.
    const std::string body = "procedure_id=" + std::to_string(kDemarche) +
                             "&dossier_id=" + std::to_string(number) +
                             "&state=en_construction&updated_at=2026-12-01T10%3A00%3A00%2B01%3A00";
    const auto hook =
        httpCall(daemon_->port(), "POST", "/v1/adapters/ds-ville/inbound",
                 {{"Authorization", "Basic " + sdk::signing::base64("ds-webhook:" + kWebhookKey)}},
                 body, "application/x-www-form-urlencoded");
    EXPECT_TRUE(hook.status >= 200 && hook.status < 300) << hook.status << hook.body;
    EXPECT_TRUE(app_.waitForCount(1, 10s));

    // A webhook for a démarche relais does not follow is refused, naming the field.
    const auto other = httpCall(
        daemon_->port(), "POST", "/v1/adapters/ds-ville/inbound",
        {{"Authorization", "Basic " + sdk::signing::base64("ds-webhook:" + kWebhookKey)}},
        "procedure_id=9999&dossier_id=" + std::to_string(number) + "&state=en_construction",
        "application/x-www-form-urlencoded");
    EXPECT_EQ(other.status, 400) << other.body;
    EXPECT_EQ(other.json().find("field")->asString(), "procedure_id") << other.body;
}

// A dossier no route takes is refused for good, counted and logged once; it blocks nothing.
TEST_F(DsRoundTripTest, ADossierNoRouteTakesIsRefusedAndTheOthersComeThrough) {
    const auto sample = ds_mock::loadSampleDossier("personne-physique-tous-champs.json");
    mock_.addDossier(kUnroutedDemarche, sample);
    const int number = mock_.addDossier(kDemarche, sample);
    start();
    (void)deliveredAndInReview(number);
    waitUntil("counted the refusal", [&] {
        return get("/metrics").body.find("relais_poll_refusals_total{adapter=\"ds-ville\"} 1") !=
               std::string::npos;
    });
    // Read again at every poll (DS's watermark is inclusive), counted once.
    std::this_thread::sleep_for(300ms);
    EXPECT_NE(get("/metrics").body.find("relais_poll_refusals_total{adapter=\"ds-ville\"} 1"),
              std::string::npos);
    EXPECT_EQ(app_.count(), 1U);
}

TEST_F(DsRoundTripTest, AnInstructeursDecisionOnDsComesBackToRelais) {
    const int number = mock_.addDossier(
        kDemarche, ds_mock::loadSampleDossier("personne-physique-tous-champs.json"));
    start();
    const std::string id = deliveredAndInReview(number);
    waitUntil("en_instruction on DS", [&] { return mock_.stateOf(number) == "en_instruction"; });
    mock_.changeState(number, "refuse", "Pièce d'identité illisible.");
    waitUntil("refused in relais", [&] { return statusOf(id) == "refused"; });
    // Told by the portal, not pushed back to it.
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(mock_.succeeded("dossierRefuser"), 0U);
}

}  // namespace
}  // namespace relais::test
