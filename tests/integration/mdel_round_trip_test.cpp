// SPDX-License-Identifier: AGPL-3.0-or-later
// The MDEL round trip over the real daemon: a delivery zip of service-public.fr (the DAUA
// fixture's envelope with its PDFs) dropped in the watched directory becomes one delivered
// dossier, even when the platform replays it under another file name; the application's
// decision comes back as exactly one reply zip in the outbox, its envelope turned around.

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "relais/sdk/xml.h"

#include "delivery_zips.h"
#include "support/daemon.h"
#include "support/http_call.h"
#include "support/mock_http_server.h"
#include "support/temp_dir.h"
#include "support/wait.h"

namespace relais::test {
namespace {

using namespace std::chrono_literals;
using adapters::mdel::test::dauaEnvelope;
using adapters::mdel::test::dauaFiles;
using adapters::mdel::test::filesIn;
using adapters::mdel::test::unzip;
using adapters::mdel::test::withMessageId;
using adapters::mdel::test::zipOf;

constexpr const char* kPec = "http://finances.gouv.fr/dgme/pec/message/v1";
const std::string kAdminKey = "admin-key-0123456789abcdef0";
const std::string kAppKey = "application-key-0123456789";

std::string decisionBody(const std::string& status, const std::string& key) {
    return R"({"type": "status_changed", "status": ")" + status +
           R"(", "message": "Travaux conformes au PLU.", "source_event_key": ")" + key + "\"}";
}

std::size_t zipsIn(const std::string& directory) {
    std::size_t count = 0;
    for (const auto& name : filesIn(directory)) {
        if (name.size() > 4 && name.compare(name.size() - 4, 4, ".zip") == 0) ++count;
    }
    return count;
}

// The text at `path` below `from` (local names).
std::string textAt(sdk::XmlElement from, std::initializer_list<std::string_view> path) {
    for (const auto name : path) from = from.child(name);
    return std::string(sdk::trimXmlSpace(from.text()));
}

class MdelRoundTripTest : public ::testing::Test {
protected:
    void SetUp() override {
        for (const char* sub : {"depot", "retour", "archive"}) {
            std::filesystem::create_directories(dir_.file(sub));
        }
        const std::string config = wrapConfig(
            baseConfigElements(dir_) +
            "<delivery workers=\"2\" idle-poll=\"20ms\" lease=\"30s\"/>\n"
            "<adapters><adapter name=\"service-public\" plugin=\"mdel\" poll-interval=\"50ms\">"
            "<param name=\"inbox\">" +
            dir_.file("depot") + "</param><param name=\"outbox\">" + dir_.file("retour") +
            "</param><param name=\"archive\">" + dir_.file("archive") +
            "</param><param name=\"procedures\">DAUA:declaration-travaux</param>"
            "<param name=\"sender-id\">MAIRIE-90017</param>"
            "<retry initial=\"20ms\" max=\"50ms\" give-up-after=\"1h\"/>"
            "</adapter></adapters>\n"
            "<connectors><connector name=\"urbanisme\" plugin=\"rest\">"
            "<param name=\"url\">" +
            app_.url("/api/dossiers") +
            "</param><param name=\"business-id\">json:id</param>"
            "<param name=\"timeout\">5s</param>"
            "<retry initial=\"20ms\" max=\"50ms\" give-up-after=\"1h\"/>"
            "</connector></connectors>\n<clients>\n" +
            clientElement("exploitation", kAdminKey, "admin dossiers:read") +
            clientElement("urbanisme", kAppKey, "events:write dossiers:read") +
            "</clients>\n<routes><route name=\"travaux\" procedure=\"declaration-travaux\" "
            "connector=\"urbanisme\"/></routes>\n");
        daemon_ = std::make_unique<Daemon>(dir_, config);
    }

    // Drops a zip as a transfer agent does: written aside, then renamed into the inbox.
    void drop(const std::string& name, const std::string& bytes) {
        const std::string aside = dir_.write("transfer/" + name, bytes);
        std::filesystem::rename(aside, dir_.file("depot/" + name));
    }

    static std::string dauaZip(const std::string& envelope) {
        adapters::mdel::test::Files files{{"message.xml", envelope}};
        for (auto& file : dauaFiles()) files.push_back(std::move(file));
        return zipOf(files);
    }

    HttpResult postDecision(const std::string& body, const std::string& idempotency_key) {
        return httpCall(daemon_->port(), "POST", "/v1/links/urbanisme/URBA-2026-0042/events",
                        {bearer(kAppKey), {"Idempotency-Key", idempotency_key}}, body);
    }

    // The reply zips in the outbox whose envelope carries state `code`.
    std::vector<std::map<std::string, std::string>> repliesWith(const std::string& code) {
        std::vector<std::map<std::string, std::string>> out;
        for (const auto& name : filesIn(dir_.file("retour"))) {
            auto reply = unzip(dir_.file("retour/" + name));
            const auto parsed = sdk::parseXmlSafely(reply["message.xml"]);
            if (!parsed.doc) continue;
            const sdk::XmlElement retour =
                parsed.doc->root().child("Body").child("Content").child("Retour");
            if (textAt(retour, {"Etat", "Code"}) == code) out.push_back(std::move(reply));
        }
        return out;
    }

    TempDir dir_;
    MockHttpServer app_{[](const ReceivedRequest&) {
        return MockResponse{201, "application/json", R"({"id":"URBA-2026-0042"})", {}};
    }};
    std::unique_ptr<Daemon> daemon_;
};

TEST_F(MdelRoundTripTest, ADroppedZipIsDeliveredOnceAndTheDecisionComesBackAsOneReply) {
    const std::string envelope = dauaEnvelope();
    drop("A-9-X3UGO4V7.zip", dauaZip(envelope));
    // The platform replays the same message (same MessageId) under another name.
    drop("A-9-X3UGO4V7-rejeu.zip", dauaZip(envelope));

    // Both zips handled: one archived as the dossier's, one set aside as a duplicate.
    waitUntil("archived both zips", [&] {
        return filesIn(dir_.file("depot")).empty() &&
               zipsIn(dir_.file("archive/duplicates")) == 1 && zipsIn(dir_.file("archive")) == 1;
    });
    ASSERT_TRUE(app_.waitForCount(1, 15s));
    std::this_thread::sleep_for(200ms);  // time for a wrong second delivery to show
    ASSERT_EQ(app_.count(), 1U);
    const ReceivedRequest delivered = app_.requests().at(0);
    EXPECT_NE(delivered.body.find("A-9-X3UGO4V7"), std::string::npos) << delivered.body;
    // The teledemarche's password is the citizen's and the platform's, not the application's.
    EXPECT_EQ(delivered.body.find("Xx0-pseudo-9"), std::string::npos) << delivered.body;

    // Taken up, then accepted with a motivation (the application retries its call).
    ASSERT_EQ(postDecision(decisionBody("in_review", "urba-review-1"), "review-1").status, 201);
    for (int attempt = 0; attempt < 3; ++attempt) {
        const auto decided =
            postDecision(decisionBody("accepted", "urba-decision-1"), "decision-1");
        ASSERT_TRUE(decided.status == 200 || decided.status == 201) << decided.body;
        EXPECT_EQ(decided.json().find("status")->asString(), "accepted") << decided.body;
    }
    waitUntil("wrote the decision's reply",
              [&] { return repliesWith("TRAITE_ACCEPTE").size() == 1; });
    std::this_thread::sleep_for(200ms);
    const auto replies = repliesWith("TRAITE_ACCEPTE");
    ASSERT_EQ(replies.size(), 1U);
    auto reply = replies[0];
    const auto parsed = sdk::parseXmlSafely(reply["message.xml"]);
    ASSERT_TRUE(parsed.doc) << sdk::describeProblems(parsed.problems);
    const sdk::XmlElement root = parsed.doc->root();
    EXPECT_TRUE(root.is(kPec, "Message"));
    const sdk::XmlElement routing = root.child("Header").child("Routing");
    // Sender and recipient swapped from the delivery's.
    EXPECT_EQ(textAt(routing, {"Sender", "Location", "Siret"}), "00000000012011");
    EXPECT_EQ(textAt(routing, {"Recipients", "Recipient", "Location", "Siret"}), "13000210800012");
    EXPECT_EQ(textAt(routing, {"ConversationId"}),
              "A-9-X3UGO4V7 5808773 Principal 2019-04-03T16:26:40");
    const sdk::XmlElement retour = root.child("Body").child("Content").child("Retour");
    EXPECT_EQ(textAt(retour, {"NumeroTeledemarche"}), "A-9-X3UGO4V7");
    EXPECT_EQ(textAt(retour, {"Message"}), "Travaux conformes au PLU.");
}

TEST_F(MdelRoundTripTest, AnotherMessageOfTheSameTeledemarcheIsNotASecondDossier) {
    drop("premier.zip", dauaZip(dauaEnvelope()));
    ASSERT_TRUE(app_.waitForCount(1, 15s));
    // A new MessageId, same télédémarche: the platform's replay after its own restart.
    drop("second.zip", dauaZip(withMessageId(dauaEnvelope(), "A-9-X3UGO4V7 5808773 rejeu")));
    waitUntil("handled the second zip", [&] { return filesIn(dir_.file("depot")).empty(); });
    std::this_thread::sleep_for(300ms);
    EXPECT_EQ(app_.count(), 1U);
}

}  // namespace
}  // namespace relais::test
