// SPDX-License-Identifier: AGPL-3.0-or-later
// The MDEL adapter's return flow: a decision on a dossier read from a delivery zip becomes
// one reply zip in the outbox, its envelope turned around.

#include <string>

#include <gtest/gtest.h>

#include "relais/sdk/xml.h"

#include "delivery_zips.h"
#include "envelope.h"
#include "mdel_test_fixture.h"
#include "support/mock_http_server.h"

namespace relais::adapters::mdel::test {
namespace {

sdk::Event decision(const std::string& id, const std::string& status) {
    sdk::Event event;
    event.id = id;
    event.type = std::string(sdk::event_type::kStatusChanged);
    event.side = sdk::EventSide::Backoffice;
    event.occurred_at = *sdk::Timestamp::parse("2026-12-01T10:00:00+01:00");
    event.payload = sdk::Json::object();
    event.payload.set("status", status);
    event.payload.set("motivation", "Travaux conformes au PLU.");
    event.is_public = true;
    return event;
}

// The text at `path` (local names, children of `from`).
std::string textAt(sdk::XmlElement from, std::initializer_list<std::string_view> path) {
    for (const auto name : path) from = from.child(name);
    return std::string(sdk::trimXmlSpace(from.text()));
}

class MdelReplyTest : public MdelAdapterTest {
protected:
    sdk::Dossier received(const std::string& zip) {
        drop("incoming.zip", zip);
        sdk::PollBatch batch = pollOk("");
        EXPECT_EQ(batch.dossiers.size(), 1U);
        return batch.dossiers.empty() ? sdk::Dossier{} : batch.dossiers[0];
    }

    // The only reply of the outbox, unzipped.
    std::map<std::string, std::string> onlyReply() {
        const auto files = filesIn(dir("outbox"));
        EXPECT_EQ(files.size(), 1U);
        return files.size() == 1 ? unzip(dir("outbox/" + files[0]))
                                 : std::map<std::string, std::string>{};
    }
};

TEST_F(MdelReplyTest, ADecisionYieldsOneReplyEnvelopeTurnedAround) {
    configure({{"sender-id", "MAIRIE-90017"}});
    const sdk::Dossier dossier = received(dauaZip());
    for (int attempt = 0; attempt < 2; ++attempt) {
        auto pushed = adapter_->pushEvent(dossier, decision("ev-42", "accepted"));
        ASSERT_TRUE(pushed) << pushed.error().message;
        EXPECT_EQ(pushed->portal_status, "TRAITE_ACCEPTE");
    }
    EXPECT_EQ(filesIn(dir("outbox")), std::vector<std::string>{"retour-ev-42.zip"});
    auto reply = onlyReply();
    ASSERT_EQ(reply.size(), 1U);
    const auto parsed = sdk::parseXmlSafely(reply["message.xml"]);
    ASSERT_TRUE(parsed.doc) << sdk::describeProblems(parsed.problems);
    const sdk::XmlElement root = parsed.doc->root();
    EXPECT_TRUE(root.is(kPecNamespace, "Message"));
    const sdk::XmlElement routing = root.child("Header").child("Routing");
    EXPECT_TRUE(routing.child("MessageId").is(kPecNamespace, "MessageId"));
    EXPECT_EQ(textAt(routing, {"MessageId"}), "MAIRIE-90017-ev-42");
    EXPECT_EQ(textAt(routing, {"FlowType"}), "DAUA");
    // Sender and recipient swapped.
    EXPECT_EQ(textAt(routing, {"Sender", "Location", "Siret"}), "00000000012011");
    EXPECT_EQ(textAt(routing, {"Sender", "Location", "Service"}), "DAUA");
    EXPECT_EQ(textAt(routing, {"Recipients", "Recipient", "Location", "Siret"}), "13000210800012");
    EXPECT_EQ(textAt(routing, {"Recipients", "Recipient", "Location", "Service"}),
              "flux_GS_PEC_AVL");
    EXPECT_EQ(textAt(routing, {"ConversationId"}),
              "A-9-X3UGO4V7 5808773 Principal 2019-04-03T16:26:40");
    const sdk::XmlElement retour = root.child("Body").child("Content").child("Retour");
    EXPECT_TRUE(retour.is(kPecNamespace, "Retour"));
    EXPECT_TRUE(retour.child("NumeroTeledemarche").is(kMetierNamespace, "NumeroTeledemarche"));
    EXPECT_EQ(textAt(retour, {"NumeroTeledemarche"}), "A-9-X3UGO4V7");
    EXPECT_EQ(textAt(retour, {"NumeroDemarche"}), "DAUA");
    EXPECT_EQ(textAt(retour, {"Etat", "Code"}), "TRAITE_ACCEPTE");
    EXPECT_EQ(textAt(retour, {"Message"}), "Travaux conformes au PLU.");
    EXPECT_EQ(textAt(retour, {"Date"}), "2026-12-01T10:00:00+01:00");
}

TEST_F(MdelReplyTest, AReplyTakenByTheTransferAgentIsNotWrittenAgain) {
    configure();
    const sdk::Dossier dossier = received(dauaZip());
    ASSERT_TRUE(adapter_->pushEvent(dossier, decision("ev-1", "refused")));
    std::filesystem::remove(dir("outbox/retour-ev-1.zip"));  // sent away
    auto again = adapter_->pushEvent(dossier, decision("ev-1", "refused"));
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_NE(again->detail.find("already"), std::string::npos);
    EXPECT_EQ(filesIn(dir("outbox")), std::vector<std::string>{});
}

TEST_F(MdelReplyTest, TheDiaReplyKeepsTheConversationAndTheSenderAttention) {
    configure({{"status-codes", "accepted:AEN"}});
    const sdk::Dossier dossier = received(zipOf({{"message.xml", diaEnvelope()}}));
    auto pushed = adapter_->pushEvent(dossier, decision("ev-7", "accepted"));
    ASSERT_TRUE(pushed) << pushed.error().message;
    auto reply = onlyReply();
    const auto parsed = sdk::parseXmlSafely(reply["message.xml"]);
    ASSERT_TRUE(parsed.doc) << sdk::describeProblems(parsed.problems);
    const sdk::XmlElement routing = parsed.doc->root().child("Header").child("Routing");
    EXPECT_EQ(textAt(routing, {"ConversationId"}), "7409a3a7cb88481791e534a15acffe64");
    EXPECT_EQ(textAt(routing, {"Sender", "Location", "Siret"}), "21340003900011");
    EXPECT_EQ(textAt(routing, {"Recipients", "Recipient", "Location", "Guichet"}), "DIA-QUAL1");
    EXPECT_EQ(textAt(routing, {"Recipients", "Recipient", "Attention"}), "013002");
    const sdk::XmlElement retour =
        parsed.doc->root().child("Body").child("Content").child("Retour");
    EXPECT_EQ(textAt(retour, {"Etat", "Code"}), "AEN");
    EXPECT_EQ(textAt(retour, {"MessageIdAller"}), "13002_91551743-fd2c-4d23-8909-816236abf422");
}

TEST_F(MdelReplyTest, TheDecisionDocumentIsFetchedAndPackedWithTheEnvelope) {
    const std::string pdf = "%PDF-1.4 arrete de non-opposition\n%%EOF\n";
    relais::test::MockHttpServer documents([&](const relais::test::ReceivedRequest&) {
        return relais::test::MockResponse{200, "application/pdf", pdf, {}};
    });
    configure();
    const sdk::Dossier dossier = received(dauaZip());
    sdk::Event event = decision("ev-9", "accepted");
    sdk::Json document = sdk::Json::object();
    document.set("name", "arrete non-opposition.pdf");
    document.set("url", documents.url("/documents/arrete.pdf"));
    sdk::Json list = sdk::Json::array();
    list.push(std::move(document));
    event.payload.set("documents", std::move(list));
    auto pushed = adapter_->pushEvent(dossier, event);
    ASSERT_TRUE(pushed) << pushed.error().message;
    EXPECT_EQ(documents.count(), 1U);
    auto reply = onlyReply();
    ASSERT_EQ(reply.size(), 2U);
    EXPECT_EQ(reply["arrete_non-opposition.pdf"], pdf);
    const auto parsed = sdk::parseXmlSafely(reply["message.xml"]);
    ASSERT_TRUE(parsed.doc);
    EXPECT_EQ(textAt(parsed.doc->root(), {"Body", "Content", "Retour", "Document", "Fichier"}),
              "arrete_non-opposition.pdf");
}

TEST_F(MdelReplyTest, ADocumentServerErrorIsRetriedWithoutWritingAnything) {
    relais::test::MockHttpServer documents([](const relais::test::ReceivedRequest&) {
        return relais::test::MockResponse{503, "text/plain", "busy", {}};
    });
    configure();
    const sdk::Dossier dossier = received(dauaZip());
    sdk::Event event = decision("ev-10", "accepted");
    sdk::Json document = sdk::Json::object();
    document.set("url", documents.url("/d.pdf"));
    sdk::Json list = sdk::Json::array();
    list.push(std::move(document));
    event.payload.set("documents", std::move(list));
    auto pushed = adapter_->pushEvent(dossier, event);
    ASSERT_FALSE(pushed);
    EXPECT_EQ(pushed.error().code, sdk::ErrorCode::Retryable);
    EXPECT_EQ(filesIn(dir("outbox")), std::vector<std::string>{});
}

TEST_F(MdelReplyTest, StatusesWithoutAnMdelCodeSucceedWithoutWriting) {
    configure({{"status-codes", "in_review:"}});
    const sdk::Dossier dossier = received(dauaZip());
    for (const char* status : {"withdrawn", "in_review"}) {
        auto pushed = adapter_->pushEvent(dossier, decision(std::string("ev-") + status, status));
        ASSERT_TRUE(pushed) << pushed.error().message;
        EXPECT_NE(pushed->detail.find("not sent"), std::string::npos) << status;
    }
    sdk::Event message = decision("ev-msg", "accepted");
    message.type = std::string(sdk::event_type::kMessage);
    auto pushed = adapter_->pushEvent(dossier, message);
    ASSERT_TRUE(pushed) << pushed.error().message;
    EXPECT_EQ(filesIn(dir("outbox")), std::vector<std::string>{});
}

TEST_F(MdelReplyTest, ADossierFromElsewhereIsAPermanentFailure) {
    configure();
    sdk::Dossier dossier;
    dossier.source_key = "X";
    dossier.fields = sdk::Json::object();
    auto pushed = adapter_->pushEvent(dossier, decision("ev-2", "accepted"));
    ASSERT_FALSE(pushed);
    EXPECT_EQ(pushed.error().code, sdk::ErrorCode::Permanent);
}

}  // namespace
}  // namespace relais::adapters::mdel::test
