// SPDX-License-Identifier: AGPL-3.0-or-later
#include "push.h"

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "relais/host/http_client.h"

#include "fake_ds.h"

namespace relais::adapters::ds {
namespace {

using sdk::ErrorCode;
using Operations = std::vector<std::string>;

class DsPushTest : public ::testing::Test {
protected:
    DsPushTest() : http_(host::makeHttpClient()) {
        settings_.instructeur_id = "SW5zdHJ1Y3RldXItNw==";
        dossier_.source_key = "123";
    }

    static sdk::Event event(std::string_view type, const std::string& id) {
        sdk::Event event;
        event.id = id;
        event.type = std::string(type);
        event.is_public = true;
        event.payload = sdk::Json::object();
        return event;
    }

    static sdk::Event statusEvent(const std::string& status, const std::string& message = {}) {
        sdk::Event status_event = event(sdk::event_type::kStatusChanged, "evt-1");
        status_event.payload.set("status", status);
        if (!message.empty()) status_event.payload.set("message", message);
        return status_event;
    }

    static sdk::Event messageEvent(const std::string& body) {
        sdk::Event message_event = event(sdk::event_type::kMessage, "evt-2");
        message_event.payload.set("message", body);
        return message_event;
    }

    sdk::Result<sdk::PushReceipt> push(const sdk::Event& event) {
        return pushEvent(ds_.call(), settings_, dossier_, event, *http_);
    }

    test::FakeDs ds_;
    PushSettings settings_;
    sdk::Dossier dossier_;
    std::unique_ptr<sdk::HttpClient> http_;
};

TEST_F(DsPushTest, AcceptedFromEnConstructionPassesEnInstructionThenAcceptsOnceEach) {
    settings_.disable_notification = true;
    auto receipt = push(statusEvent("accepted", "Dossier complet, aide accordée."));
    ASSERT_TRUE(receipt.ok()) << receipt.error().message;
    EXPECT_EQ(receipt->portal_status, "accepte");
    EXPECT_EQ(ds_.state, "accepte");
    EXPECT_EQ(ds_.operations(),
              (Operations{"dossier", "dossierPasserEnInstruction", "dossierAccepter"}));
    const sdk::Json accepter = ds_.lastInput("dossierAccepter");
    EXPECT_EQ(accepter.find("motivation")->asString(), "Dossier complet, aide accordée.");
    EXPECT_EQ(accepter.find("instructeurId")->asString(), "SW5zdHJ1Y3RldXItNw==");
    EXPECT_EQ(accepter.find("dossierId")->asString(), ds_.id);
    EXPECT_TRUE(accepter.find("disableNotification")->asBool());
    EXPECT_EQ(accepter.find("justificatif"), nullptr);
    EXPECT_EQ(ds_.lastInput("dossierPasserEnInstruction").find("motivation"), nullptr);
}

TEST_F(DsPushTest, ARetryAfterSuccessSendsNothingMore) {
    const sdk::Event event = statusEvent("refused", "Pièce d'identité expirée.");
    ASSERT_TRUE(push(event).ok());
    auto again = push(event);
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(again->portal_status, "refuse");
    EXPECT_EQ(ds_.count("dossierPasserEnInstruction"), 1U);
    EXPECT_EQ(ds_.count("dossierRefuser"), 1U);
    EXPECT_EQ(ds_.count("dossier"), 2U);
}

TEST_F(DsPushTest, RefusedWithoutMotivationIsRefusedBeforeAnyCall) {
    for (const char* status : {"refused", "closed_no_action"}) {
        for (const char* message : {"", "   "}) {
            auto receipt = push(statusEvent(status, message));
            ASSERT_FALSE(receipt.ok());
            EXPECT_EQ(receipt.error().code, ErrorCode::InvalidArgument);
            EXPECT_EQ(receipt.error().field, "message");
        }
    }
    EXPECT_TRUE(ds_.received.empty());
    EXPECT_EQ(ds_.state, "en_construction");
}

TEST_F(DsPushTest, AlreadyInInstructionAnswerCountsAsDone) {
    // Another instructeur takes the dossier between our read and our mutation.
    ds_.before_mutation = [this](const std::string& operation) {
        if (operation == "dossierPasserEnInstruction") ds_.state = "en_instruction";
    };
    auto receipt = push(statusEvent("accepted"));
    ASSERT_TRUE(receipt.ok()) << receipt.error().message;
    EXPECT_EQ(receipt->portal_status, "accepte");
    EXPECT_EQ(ds_.count("dossierAccepter"), 1U);
    EXPECT_NE(receipt->detail.find("Le dossier est déjà en instruction"), std::string::npos);
}

TEST_F(DsPushTest, SameDecisionByAnotherInstructeurCountsAsDone) {
    ds_.state = "en_instruction";
    ds_.before_mutation = [this](const std::string&) { ds_.state = "sans_suite"; };
    auto receipt = push(statusEvent("closed_no_action", "Demande en double."));
    ASSERT_TRUE(receipt.ok()) << receipt.error().message;
    EXPECT_EQ(receipt->portal_status, "sans_suite");
    EXPECT_EQ(ds_.count("dossierClasserSansSuite"), 1U);
}

TEST_F(DsPushTest, ReachingTheEndStateEarlyStopsThePath) {
    ds_.before_mutation = [this](const std::string&) { ds_.state = "accepte"; };
    auto receipt = push(statusEvent("accepted"));
    ASSERT_TRUE(receipt.ok()) << receipt.error().message;
    EXPECT_EQ(receipt->portal_status, "accepte");
    EXPECT_EQ(ds_.operations(), (Operations{"dossier", "dossierPasserEnInstruction"}));
}

TEST_F(DsPushTest, AnotherDecisionMeanwhileIsPermanentWithDsWords) {
    ds_.state = "en_instruction";
    ds_.before_mutation = [this](const std::string&) { ds_.state = "refuse"; };
    auto receipt = push(statusEvent("accepted"));
    ASSERT_FALSE(receipt.ok());
    EXPECT_EQ(receipt.error().code, ErrorCode::Permanent);
    EXPECT_NE(receipt.error().message.find("Le dossier est déjà refusé"), std::string::npos);
    EXPECT_EQ(ds_.state, "refuse");
}

TEST_F(DsPushTest, ChangingADecisionReopensThenDecides) {
    ds_.state = "refuse";
    auto receipt = push(statusEvent("accepted", "Recours gracieux accepté."));
    ASSERT_TRUE(receipt.ok()) << receipt.error().message;
    EXPECT_EQ(ds_.operations(),
              (Operations{"dossier", "dossierRepasserEnInstruction", "dossierAccepter"}));
    EXPECT_EQ(ds_.state, "accepte");
}

TEST_F(DsPushTest, OtherMutationErrorsArePermanentAndSiretPendingIsRetryable) {
    ds_.refuse_with = "Le jeton utilisé est configuré seulement en lecture";
    auto read_only = push(statusEvent("in_review"));
    ASSERT_FALSE(read_only.ok());
    EXPECT_EQ(read_only.error().code, ErrorCode::Permanent);
    EXPECT_NE(read_only.error().message.find("seulement en lecture"), std::string::npos);

    ds_.state = "en_instruction";
    ds_.refuse_with =
        "Les informations du SIRET du dossier ne sont pas complètes. Veuillez réessayer plus "
        "tard.";
    auto siret = push(statusEvent("accepted"));
    ASSERT_FALSE(siret.ok());
    EXPECT_EQ(siret.error().code, ErrorCode::Retryable);
}

TEST_F(DsPushTest, CorrectionRequestIsAMessageWithItsReason) {
    ds_.state = "en_instruction";
    sdk::Event event = statusEvent("awaiting_applicant", "Merci de joindre un RIB lisible.");
    event.payload.set("sub_status", sdk::Json::Object{{"code", "incorrect"}, {"label", "RIB"}});
    auto receipt = push(event);
    ASSERT_TRUE(receipt.ok()) << receipt.error().message;
    EXPECT_EQ(receipt->portal_status, "en_construction");
    ASSERT_EQ(ds_.messages.size(), 1U);
    EXPECT_EQ(ds_.messages[0].body, "Merci de joindre un RIB lisible.");
    EXPECT_EQ(ds_.messages[0].correction, "incorrect");
    EXPECT_EQ(ds_.state, "en_construction");
    EXPECT_EQ(ds_.lastInput("dossierEnvoyerMessage").find("instructeurId")->asString(),
              settings_.instructeur_id);
}

TEST_F(DsPushTest, CorrectionReasonRule) {
    sdk::Json payload = sdk::Json::object();
    EXPECT_EQ(correctionReason(payload).value(), "incomplete");
    payload.set("sub_status", sdk::Json::Object{{"code", "pieces_manquantes"}});
    EXPECT_EQ(correctionReason(payload).value(), "incomplete");
    payload.set("sub_status", sdk::Json::Object{{"code", "outdated"}});
    EXPECT_EQ(correctionReason(payload).value(), "outdated");
    payload.set("correction", "incorrect");
    EXPECT_EQ(correctionReason(payload).value(), "incorrect");
    payload.set("correction", "wrong");
    auto bad = correctionReason(payload);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().field, "correction");
}

TEST_F(DsPushTest, CorrectionOnADecidedDossierReopensItFirst) {
    ds_.state = "accepte";
    auto receipt = push(statusEvent("awaiting_applicant", "Le justificatif est illisible."));
    ASSERT_TRUE(receipt.ok()) << receipt.error().message;
    EXPECT_EQ(ds_.operations(),
              (Operations{"dossier", "dossierRepasserEnInstruction", "dossierEnvoyerMessage"}));
    EXPECT_EQ(ds_.messages.at(0).correction, "incomplete");
    EXPECT_EQ(ds_.state, "en_construction");
}

TEST_F(DsPushTest, CorrectionWithoutMessageOrWithABadReasonIsRefusedBeforeAnyCall) {
    auto no_body = push(statusEvent("awaiting_applicant"));
    ASSERT_FALSE(no_body.ok());
    EXPECT_EQ(no_body.error().field, "message");
    sdk::Event event = statusEvent("awaiting_applicant", "Complétez.");
    event.payload.set("correction", "soon");
    auto bad_reason = push(event);
    ASSERT_FALSE(bad_reason.ok());
    EXPECT_EQ(bad_reason.error().field, "correction");
    EXPECT_TRUE(ds_.received.empty());
}

TEST_F(DsPushTest, MessageAfterATimeoutIsNotSentAgain) {
    ds_.lose_message_answers = true;
    const sdk::Event event = messageEvent("Votre rendez-vous est fixé au 3 mars.");
    auto first = push(event);
    ASSERT_FALSE(first.ok());
    EXPECT_EQ(first.error().code, ErrorCode::Timeout);
    auto retry = push(event);
    ASSERT_TRUE(retry.ok()) << retry.error().message;
    EXPECT_EQ(ds_.count("dossierEnvoyerMessage"), 1U);
    EXPECT_EQ(ds_.messages.size(), 1U);
    EXPECT_NE(retry->detail.find("already"), std::string::npos);
}

TEST_F(DsPushTest, MessageDedupComparesTrimmedBodies) {
    ds_.messages.push_back({"Q29tbWVudGFpcmUtOQ==", "Bonjour,\r\nà bientôt.\r\n", {}, {}});
    auto same = push(messageEvent("  Bonjour,\nà bientôt.  "));
    ASSERT_TRUE(same.ok()) << same.error().message;
    EXPECT_EQ(ds_.count("dossierEnvoyerMessage"), 0U);
    auto other = push(messageEvent("Bonjour, à bientôt."));
    ASSERT_TRUE(other.ok()) << other.error().message;
    EXPECT_EQ(ds_.count("dossierEnvoyerMessage"), 1U);
    EXPECT_EQ(ds_.messages.back().correction, "");
}

TEST_F(DsPushTest, CorrectionAfterATimeoutIsNotSentAgain) {
    ds_.state = "en_instruction";
    ds_.lose_message_answers = true;
    const sdk::Event event = statusEvent("awaiting_applicant", "Il manque l'avis d'imposition.");
    ASSERT_FALSE(push(event).ok());
    auto retry = push(event);
    ASSERT_TRUE(retry.ok()) << retry.error().message;
    EXPECT_EQ(ds_.count("dossierEnvoyerMessage"), 1U);
}

TEST_F(DsPushTest, StatusesWithoutADsStateSendNothing) {
    for (const char* status : {"acknowledged", "awaiting_payment"}) {
        auto receipt = push(statusEvent(status));
        ASSERT_TRUE(receipt.ok()) << status;
        EXPECT_NE(receipt->detail.find("not sent"), std::string::npos);
    }
    EXPECT_TRUE(ds_.received.empty());
    auto withdrawn = push(statusEvent("withdrawn"));
    ASSERT_FALSE(withdrawn.ok());
    EXPECT_EQ(withdrawn.error().code, ErrorCode::Permanent);
    EXPECT_EQ(ds_.operations(), (Operations{"dossier"}));
}

TEST_F(DsPushTest, BadInputIsRefusedBeforeAnyCall) {
    auto unknown = push(statusEvent("en_cours"));
    ASSERT_FALSE(unknown.ok());
    EXPECT_EQ(unknown.error().field, "status");
    dossier_.source_key = "DS-123";
    auto not_a_number = push(statusEvent("in_review"));
    ASSERT_FALSE(not_a_number.ok());
    EXPECT_EQ(not_a_number.error().field, "source_key");
    dossier_.source_key = "123";
    settings_.instructeur_id.clear();
    auto no_instructeur = push(statusEvent("in_review"));
    ASSERT_FALSE(no_instructeur.ok());
    EXPECT_EQ(no_instructeur.error().field, "instructeur_id");
    EXPECT_TRUE(ds_.received.empty());
}

TEST_F(DsPushTest, OtherEventTypesAreNotSent) {
    auto receipt = push(event("field_changed", "evt-3"));
    ASSERT_TRUE(receipt.ok());
    EXPECT_NE(receipt->detail.find("not sent"), std::string::npos);
    EXPECT_TRUE(ds_.received.empty());
}

}  // namespace
}  // namespace relais::adapters::ds
