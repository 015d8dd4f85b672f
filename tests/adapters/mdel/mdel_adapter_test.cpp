// SPDX-License-Identifier: AGPL-3.0-or-later
// The MDEL adapter's inbound side: delivery zips built from the fixtures' envelopes, dropped
// in a real inbox directory, read by poll; attachments read back through fetchAttachment.

#include <algorithm>
#include <string>

#include <gtest/gtest.h>

#include "delivery.h"
#include "delivery_zips.h"
#include "envelope.h"
#include "mdel_test_fixture.h"

namespace relais::adapters::mdel::test {
namespace {

using sdk::ErrorCode;

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

TEST_F(MdelAdapterTest, DauaZipBecomesADossierKeyedByItsTeledemarcheNumber) {
    configure();
    drop("RitaGS.A-9-X3UGO4V7-DAUA-2.zip", dauaZip());
    const sdk::PollBatch batch = pollOk("");
    ASSERT_EQ(batch.dossiers.size(), 1U);
    EXPECT_FALSE(batch.more);
    const sdk::Dossier& dossier = batch.dossiers[0];
    EXPECT_EQ(dossier.source, "service-public");
    EXPECT_EQ(dossier.source_key, "A-9-X3UGO4V7");
    EXPECT_EQ(dossier.procedure, "declaration-travaux");
    EXPECT_EQ(dossier.submitted_at.toString(), "2019-04-03T16:26:20.79+02:00");
    EXPECT_EQ(dossier.fields.path("NumeroDemarche")->asString(), "DAUA");
    EXPECT_EQ(dossier.fields.path("Teledemarche.Email")->asString(), "usager.exemple@example.org");
    EXPECT_EQ(dossier.fields.path("Teledemarche.IdentifiantPlateforme")->asString(), "PSL_PART");
    EXPECT_EQ(dossier.fields.path("Teledemarche.MotDePasse"), nullptr)
        << "the GS access password is not a field of the dossier";
    EXPECT_EQ(dossier.fields.path("Routage.CodeINSEE")->asString(), "90017");
    EXPECT_EQ(dossier.fields.path("PieceJointe[0].Code")->asString(), "Pieces_Jointes_DAUA");
    EXPECT_EQ(dossier.fields.find("Document")->size(), 4U);
    EXPECT_EQ(dossier.fields.path("Document[3].Code")->asString(), "Note_a_l_administration");

    const sdk::Json* meta = dossier.fields.find("_mdel");
    ASSERT_NE(meta, nullptr);
    EXPECT_EQ(meta->path("MessageId")->asString(),
              "A-9-X3UGO4V7 5808773 Principal 2019-04-03T16:26:40");
    EXPECT_EQ(meta->path("FlowType")->asString(), "DAUA");
    EXPECT_EQ(meta->path("NumeroTeledemarche")->asString(), "A-9-X3UGO4V7");
    EXPECT_EQ(meta->path("Routing.Sender.Location.Siret")->asString(), "13000210800012");
    EXPECT_EQ(meta->path("Routing.Recipients.Recipient[0].Location.Service")->asString(), "DAUA");
    EXPECT_EQ(meta->path("Routing.AckType[1]")->asString(), "ANL");
    EXPECT_EQ(meta->path("zip")->asString(), "RitaGS.A-9-X3UGO4V7-DAUA-2.zip");

    ASSERT_EQ(dossier.attachments.size(), 5U);
    const sdk::Attachment& pj = dossier.attachments[0];
    EXPECT_EQ(pj.name, "A-9-X3UGO4V7-DAUA-pj-Pieces_Jointes_DAUA-1-2.zip");
    EXPECT_EQ(pj.kind, "Pieces_Jointes_DAUA");
    EXPECT_EQ(pj.content_type, "application/zip");
    EXPECT_EQ(pj.source_url,
              "mdel-zip:RitaGS.A-9-X3UGO4V7-DAUA-2.zip#"
              "A-9-X3UGO4V7-DAUA-pj-Pieces_Jointes_DAUA-1-2.zip");
    EXPECT_EQ(dossier.attachments[1].kind, "cerfa_13703_DPMI");
    EXPECT_EQ(dossier.attachments[1].content_type, "application/pdf");
}

TEST_F(MdelAdapterTest, AttachmentsAreReadBackFromTheZipWithTheirBytes) {
    configure();
    drop("daua.zip", dauaZip());
    const sdk::PollBatch batch = pollOk("");
    ASSERT_EQ(batch.dossiers.size(), 1U);
    const sdk::Dossier& dossier = batch.dossiers[0];
    ASSERT_EQ(dossier.attachments.size(), dauaFiles().size());
    for (const auto& [name, bytes] : dauaFiles()) {
        const auto it = std::find_if(dossier.attachments.begin(), dossier.attachments.end(),
                                     [&](const sdk::Attachment& a) { return a.name == name; });
        ASSERT_NE(it, dossier.attachments.end()) << name;
        EXPECT_EQ(it->size, static_cast<std::int64_t>(bytes.size()));
        auto content = adapter_->fetchAttachment(dossier, *it);
        ASSERT_TRUE(content) << content.error().message;
        EXPECT_EQ(content->bytes, bytes) << name;
        EXPECT_EQ(content->content_type, it->content_type);
    }
}

TEST_F(MdelAdapterTest, DiaDeliveryInASubfolderIsKnownByItsConversation) {
    configure({{"procedures", "DAUA:declaration-travaux, DIA:droit-de-preemption"}});
    const std::string business = "<?xml version=\"1.0\"?><DIA><Numero>DIA-1</Numero></DIA>";
    drop("dia.zip", zipOf({{"attachment/message.xml", diaEnvelope()},
                           {"attachment/DIA_DDI_013002.xml", business}}));
    const sdk::Timestamp before = host_->clock().now();
    const sdk::PollBatch batch = pollOk("");
    ASSERT_EQ(batch.dossiers.size(), 1U);
    const sdk::Dossier& dossier = batch.dossiers[0];
    // No télédémarche number in an opaque DIA content: the conversation names the dossier.
    EXPECT_EQ(dossier.source_key, "7409a3a7cb88481791e534a15acffe64");
    EXPECT_EQ(dossier.procedure, "droit-de-preemption");
    EXPECT_GE(dossier.submitted_at, before) << "no date in the envelope: received now";
    EXPECT_EQ(dossier.fields.path("Content")->asString(),
              "<!-- Contenu métier opaque pour la plateforme -->");
    EXPECT_EQ(dossier.fields.path("_mdel.ConversationId")->asString(),
              "7409a3a7cb88481791e534a15acffe64");
    EXPECT_EQ(dossier.fields.path("_mdel.Routing.Sender.Attention")->asString(), "013002");
    EXPECT_EQ(dossier.fields.path("_mdel.envelope")->asString(), "attachment/message.xml");
    ASSERT_EQ(dossier.attachments.size(), 1U);
    EXPECT_EQ(dossier.attachments[0].name, "DIA_DDI_013002.xml");
    EXPECT_EQ(dossier.attachments[0].kind, "Annexe");
    auto content = adapter_->fetchAttachment(dossier, dossier.attachments[0]);
    ASSERT_TRUE(content) << content.error().message;
    EXPECT_EQ(content->bytes, business);
}

TEST_F(MdelAdapterTest, AnXmlDocumentTheEnvelopeNamesIsShownAsATree) {
    configure();
    std::string envelope = dauaEnvelope();
    const std::string recap = "A-9-X3UGO4V7-DAUA-doc-recapPDF-1-2.pdf";
    envelope.replace(envelope.find(recap), recap.size(), "recap.xml");
    Files files{{"message.xml", envelope},
                {"recap.xml",
                 "<Recap><Surface unite=\"m2\">42</Surface><Lot>A</Lot>"
                 "<Lot>B</Lot></Recap>"}};
    for (auto& file : dauaFiles()) {
        if (file.first != recap) files.push_back(std::move(file));
    }
    drop("xml.zip", zipOf(files));
    const sdk::PollBatch batch = pollOk("");
    ASSERT_EQ(batch.dossiers.size(), 1U);
    const sdk::Json& fields = batch.dossiers[0].fields;
    EXPECT_EQ(fields.path("Donnees.recapPDF.Surface")->asString(), "42");
    EXPECT_EQ(fields.path("Donnees.recapPDF.Lot[1]")->asString(), "B");
}

TEST_F(MdelAdapterTest, AReplayedMessageIdYieldsOneDossier) {
    configure();
    drop("a-first.zip", dauaZip());
    drop("b-replay.zip", dauaZip());  // same MessageId, another zip name
    const sdk::PollBatch first = pollOk("");
    ASSERT_EQ(first.dossiers.size(), 1U);
    EXPECT_EQ(filesIn(dir("archive/duplicates")),
              (std::vector<std::string>{"b-replay.zip", "b-replay.zip.reason.txt"}));
    EXPECT_TRUE(
        contains(relais::test::readFileOrFail(dir("archive/duplicates/b-replay.zip.reason.txt")),
                 "A-9-X3UGO4V7 5808773"));

    // The platform replays again after the dossier was stored.
    drop("c-later-replay.zip", dauaZip());
    const sdk::PollBatch second = pollOk(first.next_cursor);
    EXPECT_TRUE(second.dossiers.empty());
    EXPECT_EQ(filesIn(dir("inbox")), std::vector<std::string>{});
    EXPECT_EQ(filesIn(dir("archive")),
              (std::vector<std::string>{"a-first.zip", "duplicates", "errors"}));
    EXPECT_EQ(filesIn(dir("archive/duplicates")).size(), 4U);
    EXPECT_TRUE(contains(services_.logs(), "replayed MessageId"));
}

TEST_F(MdelAdapterTest, TheCursorArchivesTheZipsItNamesAndNoOthers) {
    configure({{"batch", "1"}});
    drop("1.zip", dauaZip(withMessageId(dauaEnvelope(), "M-1")));
    drop("2.zip", dauaZip(withMessageId(dauaEnvelope(), "M-2")));
    const sdk::PollBatch first = pollOk("");
    ASSERT_EQ(first.dossiers.size(), 1U);
    EXPECT_TRUE(first.more);
    EXPECT_TRUE(contains(first.next_cursor, "1.zip"));

    // The core did not store the batch (it gives the old cursor back): read again.
    const sdk::PollBatch again = pollOk("");
    ASSERT_EQ(again.dossiers.size(), 1U);
    EXPECT_EQ(again.dossiers[0].fields.path("_mdel.zip")->asString(), "1.zip");
    EXPECT_EQ(filesIn(dir("inbox")), (std::vector<std::string>{"1.zip", "2.zip"}));

    drop("3.zip", dauaZip(withMessageId(dauaEnvelope(), "M-3")));
    const sdk::PollBatch second = pollOk(again.next_cursor);
    ASSERT_EQ(second.dossiers.size(), 1U);
    EXPECT_EQ(second.dossiers[0].fields.path("_mdel.zip")->asString(), "2.zip");
    EXPECT_EQ(filesIn(dir("inbox")), (std::vector<std::string>{"2.zip", "3.zip"}));
    EXPECT_EQ(filesIn(dir("archive")), (std::vector<std::string>{"1.zip", "duplicates", "errors"}));

    const sdk::PollBatch third = pollOk(second.next_cursor);
    ASSERT_EQ(third.dossiers.size(), 1U);
    EXPECT_FALSE(third.more);
    const sdk::PollBatch last = pollOk(third.next_cursor);
    EXPECT_TRUE(last.dossiers.empty());
    EXPECT_EQ(last.next_cursor, "");
    EXPECT_EQ(filesIn(dir("inbox")), std::vector<std::string>{});
    EXPECT_EQ(filesIn(dir("archive")),
              (std::vector<std::string>{"1.zip", "2.zip", "3.zip", "duplicates", "errors"}));
}

TEST_F(MdelAdapterTest, UnusableZipsGoToErrorsWithTheirReasonAndBlockNothing) {
    configure();
    drop("a-broken.zip", "this is not a zip at all");
    drop("b-no-envelope.zip", zipOf({{"cerfa.pdf", "%PDF-1.4\n"}}));
    drop("c-no-message-id.zip", dauaZip(withMessageId(dauaEnvelope(), "")));
    Files missing_file{{"message.xml", dauaEnvelope()}};
    for (auto& file : dauaFiles()) {
        if (!contains(file.first, "cerfa")) missing_file.push_back(file);
    }
    drop("d-missing-file.zip", zipOf(missing_file));
    drop("e-good.zip", dauaZip());

    const sdk::PollBatch batch = pollOk("");
    ASSERT_EQ(batch.dossiers.size(), 1U);
    EXPECT_EQ(batch.dossiers[0].fields.path("_mdel.zip")->asString(), "e-good.zip");
    EXPECT_EQ(filesIn(dir("inbox")), std::vector<std::string>{"e-good.zip"});
    const auto reason = [&](const std::string& zip) {
        return relais::test::readFileOrFail(dir("archive/errors/" + zip + ".reason.txt"));
    };
    EXPECT_TRUE(contains(reason("a-broken.zip"), "not a readable zip")) << reason("a-broken.zip");
    EXPECT_TRUE(contains(reason("b-no-envelope.zip"), "message.xml"));
    EXPECT_TRUE(contains(reason("c-no-message-id.zip"), "Header/Routing/MessageId"));
    EXPECT_TRUE(contains(reason("d-missing-file.zip"), "cerfa_13703_DPMI"))
        << reason("d-missing-file.zip");
    EXPECT_TRUE(contains(services_.logs(), "errors folder"));
}

TEST_F(MdelAdapterTest, HostileEntryNamesAreRefusedAndNothingIsWrittenOutside) {
    configure();
    drop("climb.zip", rawZipOf({{"message.xml", dauaEnvelope()}, {"../../evil.pdf", "x"}}));
    drop("absolute.zip", rawZipOf({{"/tmp/evil.pdf", "x"}, {"message.xml", dauaEnvelope()}}));
    const sdk::PollBatch batch = pollOk("");
    EXPECT_TRUE(batch.dossiers.empty());
    const std::string climb =
        relais::test::readFileOrFail(dir("archive/errors/climb.zip.reason.txt"));
    EXPECT_TRUE(contains(climb, "../../evil.pdf")) << climb;
    const std::string absolute =
        relais::test::readFileOrFail(dir("archive/errors/absolute.zip.reason.txt"));
    EXPECT_TRUE(contains(absolute, "/tmp/evil.pdf")) << absolute;
    EXPECT_FALSE(std::filesystem::exists(services_.dir().file("evil.pdf")));
}

TEST_F(MdelAdapterTest, AZipBombIsRefusedBeforeAnythingIsInflated) {
    configure({{"max-uncompressed-bytes", "65536"}});
    Files files{{"message.xml", dauaEnvelope()}};
    for (auto& file : dauaFiles()) files.push_back(std::move(file));
    files.push_back({"zeros.bin", std::string(1024 * 1024, '\0')});  // deflates to ~1 KB
    const std::string zip = zipOf(files);
    ASSERT_LT(zip.size(), 65536U);
    drop("bomb.zip", zip);
    EXPECT_TRUE(pollOk("").dossiers.empty());
    EXPECT_TRUE(contains(relais::test::readFileOrFail(dir("archive/errors/bomb.zip.reason.txt")),
                         "max-uncompressed-bytes"));
}

TEST_F(MdelAdapterTest, FetchAttachmentRefusesUrlsOutsideTheInboxZips) {
    configure();
    sdk::Dossier dossier;
    for (const char* url : {"https://example.org/a.pdf", "mdel-zip:../inbox.zip#message.xml",
                            "mdel-zip:a.zip#../../etc/passwd", "mdel-zip:a.zip"}) {
        sdk::Attachment attachment;
        attachment.source_url = url;
        auto content = adapter_->fetchAttachment(dossier, attachment);
        ASSERT_FALSE(content) << url;
        EXPECT_EQ(content.error().code, ErrorCode::InvalidArgument) << url;
    }
    sdk::Attachment gone;
    gone.source_url = "mdel-zip:gone.zip#message.xml";
    auto content = adapter_->fetchAttachment(dossier, gone);
    ASSERT_FALSE(content);
    EXPECT_EQ(content.error().code, ErrorCode::NotFound);
}

TEST_F(MdelAdapterTest, ConfigureNamesTheKeyOfAnUnusableSetting) {
    auto missing = tryConfigure({{"inbox", dir("nowhere")}});
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().field, "inbox");
    EXPECT_TRUE(contains(missing.error().message, "nowhere"));
    auto codes = tryConfigure({{"status-codes", "accepte:TRAITE"}});
    ASSERT_FALSE(codes);
    EXPECT_EQ(codes.error().field, "status-codes");
    auto procedures = tryConfigure({{"procedures", "DAUA"}});
    ASSERT_FALSE(procedures);
    EXPECT_EQ(procedures.error().field, "procedures");
    auto batch = tryConfigure({{"batch", "0"}});
    ASSERT_FALSE(batch);
    EXPECT_EQ(batch.error().field, "batch");
}

TEST(MdelEnvelopeTime, TimesWithoutOffsetAreReadInTheConfiguredZone) {
    auto paris = sdk::TimeZone::load("Europe/Paris");
    ASSERT_TRUE(paris);
    auto summer = parseEnvelopeTime("2019-04-03T16:26:20.790", *paris);
    ASSERT_TRUE(summer) << summer.error().message;
    EXPECT_EQ(*summer, *sdk::Timestamp::parse("2019-04-03T16:26:20.790+02:00"));
    EXPECT_EQ(summer->offset_minutes, 120);
    auto winter = parseEnvelopeTime("2026-11-30T10:12:44", *paris);
    ASSERT_TRUE(winter) << winter.error().message;
    EXPECT_EQ(winter->toString(), "2026-11-30T10:12:44+01:00");
    auto date = parseEnvelopeTime("2026-11-30", *paris);
    ASSERT_TRUE(date);
    EXPECT_EQ(date->toString(), "2026-11-30T00:00:00+01:00");
    auto zoned = parseEnvelopeTime("2019-04-03T16:26:40.175+02:00", *paris);
    ASSERT_TRUE(zoned);
    EXPECT_EQ(zoned->offset_minutes, 120);
    EXPECT_FALSE(parseEnvelopeTime("le 3 avril", *paris));
}

TEST(MdelEnvelope, ANonPecRootIsRefusedNamingTheElement) {
    auto parsed = parseEnvelope("<Message xmlns=\"urn:other\"/>");
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().field, "Message");
    auto doctype =
        parseEnvelope("<!DOCTYPE m [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><m>&x;</m>");
    ASSERT_FALSE(doctype);
    EXPECT_TRUE(contains(doctype.error().message, "DOCTYPE")) << doctype.error().message;
}

}  // namespace
}  // namespace relais::adapters::mdel::test
