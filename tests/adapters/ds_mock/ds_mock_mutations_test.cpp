// SPDX-License-Identifier: AGPL-3.0-or-later
// The DS double's mutations and files: DS's state machine with its exact French refusals
// (app/graphql/mutations/dossier_*.rb), read-only tokens, corrections, expiring file URLs,
// direct uploads.

#include <string>
#include <tuple>

#include <gtest/gtest.h>

#include "ds_mock_fixture.h"

namespace relais::ds_mock::test {
namespace {

const std::string kInputTypes[][2] = {
    {"dossierPasserEnInstruction", "DossierPasserEnInstructionInput"},
    {"dossierAccepter", "DossierAccepterInput"},
    {"dossierRefuser", "DossierRefuserInput"},
    {"dossierClasserSansSuite", "DossierClasserSansSuiteInput"},
    {"dossierRepasserEnInstruction", "DossierRepasserEnInstructionInput"},
    {"dossierRepasserEnConstruction", "DossierRepasserEnConstructionInput"},
};

std::string inputType(const std::string& mutation) {
    for (const auto& pair : kInputTypes) {
        if (pair[0] == mutation) return pair[1];
    }
    return {};
}

std::string pathOf(const std::string& url) { return url.substr(url.find('/', 7)); }

TEST_F(DsMockTest, ADecisionNeedsInstructionFirstAndIsCountedOnce) {
    const int number = addDossier();
    auto body = mutation("dossierAccepter", "DossierAccepterInput", decisionInput(number, "OK"));
    EXPECT_EQ(payloadError(body, "dossierAccepter"), "Le dossier est déjà en construction");
    EXPECT_EQ(mock_.stateOf(number), "en_construction");

    body = mutation("dossierPasserEnInstruction", "DossierPasserEnInstructionInput",
                    decisionInput(number));
    EXPECT_EQ(body.path("data.dossierPasserEnInstruction.dossier.state")->asString(),
              "en_instruction");
    body = mutation(
        "dossierAccepter", "DossierAccepterInput", decisionInput(number, "Dossier complet"),
        "errors { message } dossier { state motivation traitements { event emailAgentTraitant } }");
    EXPECT_EQ(body.path("data.dossierAccepter.dossier.state")->asString(), "accepte");
    EXPECT_EQ(body.path("data.dossierAccepter.dossier.motivation")->asString(), "Dossier complet");
    EXPECT_EQ(body.path("data.dossierAccepter.dossier.traitements[2].event")->asString(),
              "accepte");
    EXPECT_TRUE(body.path("data.dossierAccepter.errors")->isNull());

    body = mutation("dossierAccepter", "DossierAccepterInput", decisionInput(number, "encore"));
    EXPECT_EQ(payloadError(body, "dossierAccepter"), "Le dossier est déjà accepté");
    EXPECT_EQ(mock_.succeeded("dossierPasserEnInstruction"), 1U);
    EXPECT_EQ(mock_.succeeded("dossierAccepter"), 1U);
    const auto calls = mock_.calls();
    ASSERT_EQ(calls.size(), 4U);
    EXPECT_EQ(calls[0].mutation, "dossierAccepter");
    EXPECT_EQ(calls[0].dossier, number);
    EXPECT_FALSE(calls[0].ok);
    EXPECT_EQ(calls[0].error, "Le dossier est déjà en construction");
    EXPECT_TRUE(calls[2].ok);
    EXPECT_EQ(calls[2].variables.find("motivation")->asString(), "Dossier complet");
}

class DejaTest
    : public DsMockTest,
      public ::testing::WithParamInterface<std::tuple<const char*, const char*, const char*>> {};

TEST_P(DejaTest, AMutationFromAStateThatForbidsItAnswersDsMessage) {
    const auto& [state, name, message] = GetParam();
    const int number = addDossier(state);
    const bool decides = std::string(name) == "dossierAccepter" ||
                         std::string(name) == "dossierRefuser" ||
                         std::string(name) == "dossierClasserSansSuite";
    const auto body =
        mutation(name, inputType(name), decisionInput(number, decides ? "motif" : ""));
    EXPECT_EQ(payloadError(body, name), message) << body.dump();
    EXPECT_TRUE(body.path(std::string("data.") + name + ".dossier")->isNull());
    EXPECT_EQ(mock_.stateOf(number), state);
}

INSTANTIATE_TEST_SUITE_P(
    EveryRefusal, DejaTest,
    ::testing::Values(
        std::make_tuple("en_instruction", "dossierPasserEnInstruction",
                        "Le dossier est déjà en instruction"),
        std::make_tuple("accepte", "dossierPasserEnInstruction", "Le dossier est déjà accepté"),
        std::make_tuple("refuse", "dossierAccepter", "Le dossier est déjà refusé"),
        std::make_tuple("sans_suite", "dossierRefuser", "Le dossier est déjà classé sans suite"),
        std::make_tuple("en_construction", "dossierClasserSansSuite",
                        "Le dossier est déjà en construction"),
        std::make_tuple("en_construction", "dossierRepasserEnInstruction",
                        "Le dossier est déjà en construction"),
        std::make_tuple("en_instruction", "dossierRepasserEnInstruction",
                        "Le dossier est déjà en instruction"),
        std::make_tuple("accepte", "dossierRepasserEnConstruction",
                        "Le dossier est déjà accepté")));

TEST_F(DsMockTest, RepasserEnInstructionReopensADecidedDossier) {
    const int number = addDossier("refuse");
    const auto body = mutation("dossierRepasserEnInstruction", "DossierRepasserEnInstructionInput",
                               decisionInput(number));
    EXPECT_EQ(body.path("data.dossierRepasserEnInstruction.dossier.state")->asString(),
              "en_instruction");
}

TEST_F(DsMockTest, RefusalWithoutMotivationIsRefusedBeforeAnything) {
    const int number = addDossier("en_instruction");
    auto body = mutation("dossierRefuser", "DossierRefuserInput", decisionInput(number));
    EXPECT_EQ(body.path("errors[0].message")->asString(),
              "Variable $input of type DossierRefuserInput! was provided invalid value for "
              "motivation (Expected value to not be null)");
    EXPECT_EQ(body.find("data"), nullptr);

    body = graphql("mutation { dossierRefuser(input: {dossierId: \"" + dossierId(number) +
                   "\", instructeurId: \"" + kInstructeur + "\"}) { errors { message } } }");
    EXPECT_EQ(body.path("errors[0].message")->asString(),
              "Argument 'motivation' on InputObject 'DossierRefuserInput' is required. Expected "
              "type String!");
    EXPECT_EQ(mock_.stateOf(number), "en_instruction");
    EXPECT_TRUE(mock_.calls().empty());
}

TEST_F(DsMockTest, ReadOnlyTokenCannotMutate) {
    const int number = addDossier();
    const auto body =
        mutation("dossierPasserEnInstruction", "DossierPasserEnInstructionInput",
                 decisionInput(number), "errors { message } dossier { state }", "ds-token-ro");
    EXPECT_EQ(payloadError(body, "dossierPasserEnInstruction"),
              "Le jeton utilisé est configuré seulement en lecture");
    EXPECT_EQ(mock_.stateOf(number), "en_construction");
    ASSERT_EQ(mock_.calls().size(), 1U);
    EXPECT_FALSE(mock_.calls()[0].ok);
}

TEST_F(DsMockTest, UnknownInstructeurOrDossierIsAGraphqlError) {
    const int number = addDossier();
    auto input = decisionInput(number);
    input.set("instructeurId", sdk::signing::base64("Instructeur-99"));
    auto body = mutation("dossierPasserEnInstruction", "DossierPasserEnInstructionInput", input);
    EXPECT_EQ(body.path("errors[0].message")->asString(),
              "No object found for `instructeurId: \"SW5zdHJ1Y3RldXItOTk=\"`");
    EXPECT_TRUE(body.path("data.dossierPasserEnInstruction")->isNull());
    body = mutation("dossierPasserEnInstruction", "DossierPasserEnInstructionInput",
                    decisionInput(number + 1000));
    EXPECT_EQ(
        body.path("errors[0].message")->asString().rfind("No object found for `dossierId:", 0), 0U);
    EXPECT_EQ(mock_.stateOf(number), "en_construction");
}

TEST_F(DsMockTest, MessageWithCorrectionSendsTheDossierBackEnConstruction) {
    const int number = addDossier("en_instruction");
    auto input = sdk::Json::object();
    input.set("dossierId", dossierId(number));
    input.set("instructeurId", kInstructeur);
    input.set("body", "Merci de fournir un justificatif de domicile récent.");
    input.set("correction", "outdated");
    const auto body =
        mutation("dossierEnvoyerMessage", "DossierEnvoyerMessageInput", input,
                 "errors { message } message { id body email correction { reason } }");
    EXPECT_EQ(body.path("data.dossierEnvoyerMessage.message.correction.reason")->asString(),
              "outdated");
    EXPECT_EQ(body.path("data.dossierEnvoyerMessage.message.email")->asString(),
              "instructeur@example.org");
    EXPECT_EQ(mock_.stateOf(number), "en_construction");
    const auto messages = mock_.messagesOf(number);
    ASSERT_EQ(messages.size(), 1U);
    EXPECT_EQ(messages[0].path("correction.reason")->asString(), "outdated");

    auto blocked = mutation("dossierPasserEnInstruction", "DossierPasserEnInstructionInput",
                            decisionInput(number));
    EXPECT_EQ(payloadError(blocked, "dossierPasserEnInstruction"),
              "Le dossier est en attente de correction");
    mock_.resolveCorrections(number);
    blocked = mutation("dossierPasserEnInstruction", "DossierPasserEnInstructionInput",
                       decisionInput(number));
    EXPECT_EQ(payloadError(blocked, "dossierPasserEnInstruction"), "");
    EXPECT_EQ(mock_.stateOf(number), "en_instruction");
}

TEST_F(DsMockTest, CitizenMessagesAndTraitementsAreReadable) {
    const int number = addDossier();
    mock_.addMessage(number, "Voici le document demandé.", "camille.exemple@example.org");
    mock_.changeState(number, "en_instruction");
    mock_.changeState(number, "sans_suite", "Demande en double");
    const auto body = graphql("{ dossier(number: " + std::to_string(number) +
                              ") { state messages { body email createdAt } traitements { state "
                              "event motivation dateTraitement } } }");
    EXPECT_EQ(body.path("data.dossier.messages[0].email")->asString(),
              "camille.exemple@example.org");
    EXPECT_EQ(body.path("data.dossier.traitements")->size(), 3U);
    EXPECT_EQ(body.path("data.dossier.traitements[2].event")->asString(), "classe_sans_suite");
    EXPECT_EQ(body.path("data.dossier.traitements[2].motivation")->asString(), "Demande en double");
}

constexpr const char* kFilesQuery =
    "{ dossier(number: %) { champs { ... on PieceJustificativeChamp { files { filename "
    "checksum byteSize byteSizeBigInt contentType url } } } } }";

std::string filesQuery(int number) {
    std::string query = kFilesQuery;
    query.replace(query.find('%'), 1, std::to_string(number));
    return query;
}

TEST_F(DsMockTest, FileUrlServesTheBytesThenExpires) {
    const int number =
        mock_.addDossier(kDemarche, loadSampleDossier("personne-morale-en-instruction.json"));
    const auto body = graphql(filesQuery(number));
    const sdk::Json* file = body.path("data.dossier.champs[2].files[0]");
    ASSERT_NE(file, nullptr) << body.dump();
    // md5 of the sample's bytes, computed with Python's hashlib, in base64.
    EXPECT_EQ(file->find("checksum")->asString(), "rBvaOBTfHPQBxE8+BNiPcw==");
    EXPECT_EQ(file->find("byteSize")->asInt(), 193);
    EXPECT_EQ(file->find("byteSizeBigInt")->asString(), "193");
    const std::string url = file->find("url")->asString();
    ASSERT_EQ(url.rfind(mock_.baseUrl(), 0), 0U) << url;

    auto download = relais::test::httpCall(mock_.port(), "GET", pathOf(url));
    EXPECT_EQ(download.status, 200);
    EXPECT_EQ(download.body.rfind("%PDF-1.4", 0), 0U);
    EXPECT_EQ(download.body.size(), 193U);
    EXPECT_EQ(mock_.fileDownloads(), 1U);

    mock_.expireFileUrls();
    EXPECT_EQ(relais::test::httpCall(mock_.port(), "GET", pathOf(url)).status, 403);
    const std::string fresh =
        graphql(filesQuery(number)).path("data.dossier.champs[2].files[0].url")->asString();
    EXPECT_EQ(relais::test::httpCall(mock_.port(), "GET", pathOf(fresh)).status, 200);
    advance(std::chrono::seconds(301));
    EXPECT_EQ(relais::test::httpCall(mock_.port(), "GET", pathOf(fresh)).status, 403);
    EXPECT_EQ(mock_.fileDownloads(), 2U);
}

TEST_F(DsMockTest, DirectUploadThenJustificatifOnADecision) {
    const int number = addDossier("en_instruction");
    const std::string bytes =
        "Attestation de d\xc3\xa9"
        "cision\n";
    auto input = sdk::Json::object();
    input.set("dossierId", dossierId(number));
    input.set("filename", "decision.txt");
    input.set("byteSize", static_cast<std::int64_t>(bytes.size()));
    input.set("checksum", "1MtXPbQbQFKl3vR4M55eUA==");  // hashlib md5, base64
    input.set("contentType", "text/plain");
    const auto body = mutation("createDirectUpload", "CreateDirectUploadInput", input,
                               "directUpload { url headers blobId signedBlobId }");
    const sdk::Json* upload = body.path("data.createDirectUpload.directUpload");
    ASSERT_NE(upload, nullptr) << body.dump();
    const std::string url = upload->find("url")->asString();
    const std::string signed_id = upload->find("signedBlobId")->asString();
    EXPECT_EQ(parseJson(upload->find("headers")->asString()).find("Content-MD5")->asString(),
              "1MtXPbQbQFKl3vR4M55eUA==");

    auto early = decisionInput(number, "Accord");
    early.set("justificatif", signed_id);
    EXPECT_EQ(
        payloadError(mutation("dossierAccepter", "DossierAccepterInput", early), "dossierAccepter"),
        "Le fichier n’a pas été correctement téléversé sur le serveur de stockage");
    EXPECT_EQ(
        relais::test::httpCall(mock_.port(), "PUT", pathOf(url), {}, "autre chose", "text/plain")
            .status,
        400);
    EXPECT_EQ(
        relais::test::httpCall(mock_.port(), "PUT", pathOf(url), {}, bytes, "text/plain").status,
        204);

    auto forged = decisionInput(number, "Accord");
    forged.set("justificatif", signed_id + "x");
    EXPECT_EQ(payloadError(mutation("dossierAccepter", "DossierAccepterInput", forged),
                           "dossierAccepter"),
              "L’identifiant du fichier téléversé est invalide");
    const auto accepted = mutation(
        "dossierAccepter", "DossierAccepterInput", early,
        "errors { message } dossier { state motivationAttachment { filename checksum url } }");
    EXPECT_EQ(accepted.path("data.dossierAccepter.dossier.state")->asString(), "accepte");
    EXPECT_EQ(
        accepted.path("data.dossierAccepter.dossier.motivationAttachment.checksum")->asString(),
        "1MtXPbQbQFKl3vR4M55eUA==");
    const std::string served =
        accepted.path("data.dossierAccepter.dossier.motivationAttachment.url")->asString();
    EXPECT_EQ(relais::test::httpCall(mock_.port(), "GET", pathOf(served)).body, bytes);
}

TEST_F(DsMockTest, MessageAttachmentBySignedBlobId) {
    const int number = addDossier("en_construction");
    auto upload = sdk::Json::object();
    upload.set("dossierId", dossierId(number));
    upload.set("filename", "decision.txt");
    upload.set("byteSize", 25);
    upload.set("checksum", "1MtXPbQbQFKl3vR4M55eUA==");
    upload.set("contentType", "text/plain");
    const auto created = mutation("createDirectUpload", "CreateDirectUploadInput", upload,
                                  "directUpload { url signedBlobId }");
    const auto* direct = created.path("data.createDirectUpload.directUpload");
    ASSERT_NE(direct, nullptr) << created.dump();
    ASSERT_EQ(
        relais::test::httpCall(mock_.port(), "PUT", pathOf(direct->find("url")->asString()), {},
                               "Attestation de d\xc3\xa9"
                               "cision\n",
                               "text/plain")
            .status,
        204);
    auto input = sdk::Json::object();
    input.set("dossierId", dossierId(number));
    input.set("instructeurId", kInstructeur);
    input.set("body", "Veuillez trouver la décision ci-jointe.");
    input.set("attachment", direct->find("signedBlobId")->asString());
    const auto body = mutation(
        "dossierEnvoyerMessage", "DossierEnvoyerMessageInput", input,
        "errors { message } message { attachments { filename byteSize } correction { reason } }");
    EXPECT_EQ(body.path("data.dossierEnvoyerMessage.message.attachments[0].filename")->asString(),
              "decision.txt");
    EXPECT_TRUE(body.path("data.dossierEnvoyerMessage.message.correction")->isNull());
    EXPECT_EQ(mock_.stateOf(number), "en_construction");
}

}  // namespace
}  // namespace relais::ds_mock::test
