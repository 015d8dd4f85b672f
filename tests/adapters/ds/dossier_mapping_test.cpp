// SPDX-License-Identifier: AGPL-3.0-or-later
// A whole DS dossier → the canonical dossier and its events; the polling cursor. The
// fixture dossiers/tous-champs.json is the DS double's sample (tests/doubles/ds-mock) with a
// number, a démarche, file URLs and checksums, and a message from the citizen.

#include "dossier_mapping.h"

#include <fstream>
#include <iterator>
#include <string>

#include <gtest/gtest.h>

#include "poll_cursor.h"
#include "test_json.h"

namespace relais::adapters::ds {
namespace {

using sdk::ErrorCode;
using sdk::Json;
using test::parse;

Json fixture(const std::string& name) {
    std::ifstream in(std::string(RELAIS_SOURCE_DIR) + "/tests/adapters/ds/dossiers/" + name,
                     std::ios::binary);
    return parse({std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()});
}

DsSettings settings() {
    DsSettings out;
    out.demarches = {4242, 777};
    out.procedure_codes = {{4242, "periscolaire"}};
    return out;
}

// A small dossier of démarche 777 with its state, demandeur, traitements and messages.
Json smallDossier(const std::string& state) {
    return parse(R"({"id":"RG9zc2llci05","number":9,"state":")" + state + R"(",
        "dateDepot":"2026-10-12T14:03:27+02:00","dateDerniereModification":"2026-11-02T09:15:00+01:00",
        "demarche":{"number":777,"title":"Subvention"},"usager":{"email":"dominique@example.org"},
        "demandeur":{"__typename":"PersonneMorale","siret":"11000201100044",
                     "entreprise":{"siren":"110002011","raisonSociale":"DINUM"}},
        "champs":[],"annotations":[],"traitements":[],"messages":[]})");
}

// `smallDossier(state)` with the members of `{<extra>}` set over it.
Json smallDossier(const std::string& state, const std::string& extra) {
    Json node = smallDossier(state);
    const Json members = parse("{" + extra + "}");
    for (const auto& member : *members.objectIf()) {
        node.set(member.key, member.value);
    }
    return node;
}

TEST(DossierMapping, MapsTheWholeSampleDossier) {
    auto mapped = mapDossier(settings(), fixture("tous-champs.json"), "ds-ville");
    ASSERT_TRUE(mapped) << mapped.error().message;
    const sdk::Dossier& dossier = mapped->dossier;
    EXPECT_EQ(dossier.source, "ds-ville");
    EXPECT_EQ(dossier.source_key, "2026001");
    EXPECT_EQ(dossier.procedure, "periscolaire");
    EXPECT_EQ(dossier.submitted_at.toString(), "2026-11-30T10:12:44+01:00");
    EXPECT_EQ(dossier.status, sdk::Status::Submitted);
    EXPECT_EQ(dossier.portal_status, "en_construction");

    const Json& fields = dossier.fields;
    EXPECT_EQ(*fields.find("civilite"), Json("Mme"));
    EXPECT_EQ(*fields.find("date_de_naissance"), Json("1987-03-14"));
    EXPECT_EQ(*fields.find("date_et_heure_du_rendez_vous"), Json("2026-07-14T09:30:00+02:00"));
    EXPECT_EQ(*fields.find("nombre_d_enfants"), Json(2));
    EXPECT_EQ(*fields.find("beneficiez_vous_d_une_aide"), Json(false));
    EXPECT_EQ(*fields.path("adresse.city_code"), Json("75102"));
    EXPECT_EQ(*fields.path("commune_de_naissance.code"), Json("69383"));
    EXPECT_EQ(*fields.path("siret_de_l_employeur.siren"), Json("110002011"));
    EXPECT_EQ(*fields.path("enfants[1].prenom_de_l_enfant"), Json("Sacha"));
    EXPECT_EQ(*fields.path("enfants[1].date_de_naissance"), Json("2020-09-17"));
    EXPECT_EQ(*fields.path("justificatif_de_domicile[1].attachment"), Json(1));
    EXPECT_TRUE(fields.path("dossier_precedent")->isNull());
    EXPECT_EQ(fields.find("identite_du_demandeur"), nullptr);  // a section header

    ASSERT_EQ(dossier.attachments.size(), 2u);
    EXPECT_EQ(dossier.attachments[0].name, "justificatif-domicile.pdf");
    EXPECT_EQ(dossier.attachments[0].size, 193);
    EXPECT_EQ(dossier.attachments[0].source_url, "FILES_URL/justificatif-domicile.pdf");

    const Json& meta = *fields.find(kMetaKey);
    EXPECT_EQ(*meta.find("number"), Json(2026001));
    EXPECT_EQ(*meta.find("state"), Json("en_construction"));
    EXPECT_EQ(*meta.path("demarche.number"), Json(4242));
    EXPECT_EQ(*meta.find("date_depot"), Json("2026-11-30T10:12:44+01:00"));
    EXPECT_EQ(*meta.find("usager_email"), Json("camille.exemple@example.org"));
    EXPECT_EQ(*meta.path("champ_ids.date_de_naissance"), Json("Q2hhbXAtMTEwNA=="));
    EXPECT_EQ(*meta.path("annotations.pieces_verifiees"), Json(false));
    EXPECT_EQ(*meta.path("files[0].checksum"), Json("rBvaOBTfHPQBxE8+BNiPcw=="));

    ASSERT_TRUE(dossier.subject.has_value());
    EXPECT_EQ(dossier.subject->kind, sdk::SubjectKind::Person);
    EXPECT_EQ(dossier.subject->pivot.family_name, "Exemple");
    EXPECT_EQ(dossier.subject->pivot.given_names, std::vector<std::string>{"Camille"});
    EXPECT_EQ(dossier.subject->pivot.birth_date, "1987-03-14");
    EXPECT_EQ(dossier.subject->pivot.gender, "female");
}

TEST(DossierMapping, TraitementsAndMessagesBecomeEventsInTheOrderTheyHappened) {
    auto mapped = mapDossier(settings(), fixture("tous-champs.json"), "ds-ville");
    ASSERT_TRUE(mapped) << mapped.error().message;
    ASSERT_EQ(mapped->events.size(), 3u);
    const sdk::Event& deposit = mapped->events[0].event;
    EXPECT_EQ(mapped->events[0].source_key, "2026001");
    EXPECT_EQ(deposit.type, sdk::event_type::kStatusChanged);
    EXPECT_EQ(deposit.source_event_key, "traitement:VHJhaXRlbWVudC03MDAx");
    EXPECT_EQ(deposit.payload, parse(R"({"status":"submitted","ds_event":"depose",
        "sub_status":{"code":"en_construction","label":"En construction"}})"));
    EXPECT_EQ(deposit.occurred_at.toString(), "2026-11-30T10:12:44+01:00");
    EXPECT_EQ(deposit.side, sdk::EventSide::Portal);

    const sdk::Event& automatic = mapped->events[1].event;
    EXPECT_EQ(automatic.type, sdk::event_type::kMessage);
    EXPECT_EQ(automatic.source_event_key, "message:Q29tbWVudGFpcmUtOTEwMQ==");
    EXPECT_EQ(*automatic.payload.find("author"), Json("instructeur"));
    EXPECT_FALSE(automatic.is_public);  // DS's own notice: already on DS, not news

    const sdk::Event& citizen = mapped->events[2].event;
    EXPECT_EQ(citizen.source_event_key, "message:Q29tbWVudGFpcmUtOTEwMg==");
    EXPECT_EQ(citizen.actor, "camille.exemple@example.org");
    EXPECT_TRUE(citizen.is_public);
    EXPECT_EQ(*citizen.payload.find("author"), Json("usager"));
    EXPECT_EQ(*citizen.payload.find("message"), Json("Bonjour, je joins le justificatif."));
}

TEST(DossierMapping, ADecisionCarriesItsMotivationAgentAndDate) {
    auto mapped = mapDossier(settings(), smallDossier("refuse", R"(
        "traitements":[
          {"id":"t3","state":"refuse","event":"refuse","dateTraitement":"2026-11-20T16:00:00+01:00",
           "emailAgentTraitant":"agent@mairie.example","motivation":"Pièce manquante"},
          {"id":"t1","state":"en_construction","event":"depose","dateTraitement":"2026-10-12T14:03:27+02:00"},
          {"id":"t2","event":"passe_en_instruction","dateTraitement":"2026-11-02T09:15:00+01:00"}])"),
                             "ds-ville");
    ASSERT_TRUE(mapped) << mapped.error().message;
    EXPECT_EQ(mapped->dossier.status, sdk::Status::Refused);
    EXPECT_EQ(mapped->dossier.procedure, "ds-777");
    ASSERT_EQ(mapped->events.size(), 3u);
    EXPECT_EQ(mapped->events[0].event.source_event_key, "traitement:t1");
    EXPECT_EQ(*mapped->events[1].event.payload.find("status"), Json("in_review"));
    const sdk::Event& decision = mapped->events[2].event;
    EXPECT_EQ(*decision.payload.find("status"), Json("refused"));
    EXPECT_EQ(*decision.payload.find("message"), Json("Pièce manquante"));
    EXPECT_EQ(decision.actor, "agent@mairie.example");
    EXPECT_EQ(decision.source_version, "2026-11-20T16:00:00+01:00");
    EXPECT_EQ(decision.occurred_at.toString(), "2026-11-20T16:00:00+01:00");
}

TEST(DossierMapping, EachDsStateHasItsCanonicalStatus) {
    EXPECT_EQ(canonicalStatus("en_construction"), sdk::Status::Submitted);
    EXPECT_EQ(canonicalStatus("en_instruction"), sdk::Status::InReview);
    EXPECT_EQ(canonicalStatus("accepte"), sdk::Status::Accepted);
    EXPECT_EQ(canonicalStatus("refuse"), sdk::Status::Refused);
    EXPECT_EQ(canonicalStatus("sans_suite"), sdk::Status::ClosedNoAction);
    EXPECT_EQ(canonicalStatus("brouillon"), std::nullopt);
}

TEST(DossierMapping, GivenBackToTheCitizenIsAwaitingApplicant) {
    auto mapped = mapDossier(settings(), smallDossier("en_construction", R"("traitements":[
        {"id":"t4","state":"en_construction","event":"repasse_en_construction",
         "dateTraitement":"2026-11-03T10:00:00+01:00"}])"),
                             "ds-ville");
    ASSERT_TRUE(mapped) << mapped.error().message;
    EXPECT_EQ(*mapped->events[0].event.payload.find("status"), Json("awaiting_applicant"));
}

TEST(DossierMapping, ACorrectionRequestKeepsItsReasonAndDiscardedMessagesAreLeftOut) {
    auto mapped = mapDossier(settings(), smallDossier("en_construction", R"("messages":[
        {"id":"m1","email":"agent@mairie.example","body":"Merci de corriger l'adresse",
         "createdAt":"2026-11-03T10:00:00+01:00","attachments":[
           {"filename":"modele.pdf","contentType":"application/pdf","url":"https://storage.example/m"}],
         "correction":{"reason":"incorrect","dateResolution":null}},
        {"id":"m2","email":"dominique@example.org","body":"oups","createdAt":"2026-11-03T11:00:00+01:00",
         "discardedAt":"2026-11-03T11:01:00+01:00","attachments":[]}])"),
                             "ds-ville");
    ASSERT_TRUE(mapped) << mapped.error().message;
    ASSERT_EQ(mapped->events.size(), 1u);
    const Json& payload = mapped->events[0].event.payload;
    EXPECT_EQ(*payload.find("correction"), Json("incorrect"));
    EXPECT_EQ(*payload.path("documents[0].url"), Json("https://storage.example/m"));
}

TEST(DossierMapping, APersonneMoraleIsACompanyBySiretAndSiren) {
    auto mapped = mapDossier(settings(), smallDossier("en_instruction"), "ds-ville");
    ASSERT_TRUE(mapped) << mapped.error().message;
    ASSERT_TRUE(mapped->dossier.subject.has_value());
    EXPECT_EQ(mapped->dossier.subject->kind, sdk::SubjectKind::Company);
    EXPECT_EQ(mapped->dossier.subject->siret, "11000201100044");
    EXPECT_EQ(mapped->dossier.subject->siren, "110002011");
}

TEST(DossierMapping, AnIncompleteIdentityGivesNoSubject) {
    Json node = smallDossier("en_instruction");
    node.set("demandeur", parse(R"({"__typename":"PersonnePhysique","civilite":"M",
                                   "nom":"Exemple","prenom":"Jean Pierre","dateDeNaissance":null})"));
    auto mapped = mapDossier(settings(), node, "ds-ville");
    ASSERT_TRUE(mapped);
    EXPECT_FALSE(mapped->dossier.subject.has_value());
}

TEST(DossierMapping, BadMembersAreNamed) {
    EXPECT_EQ(mapDossier(settings(), smallDossier("brouillon"), "s").error().field, "state");
    Json no_date = smallDossier("en_instruction");
    no_date.set("dateDepot", "hier");
    EXPECT_EQ(mapDossier(settings(), no_date, "s").error().field, "dateDepot");
    Json no_number = smallDossier("en_instruction");
    no_number.erase("number");
    EXPECT_EQ(mapDossier(settings(), no_number, "s").error().field, "number");
    const auto bad_traitement = mapDossier(
        settings(),
        smallDossier("en_instruction", R"("traitements":[{"id":"t","state":"refuse"}])"), "s");
    EXPECT_EQ(bad_traitement.error().field, "traitements[0].dateTraitement");
}

// Found by tests/fuzz (ds_dossier): an object where DS sends a list has a member count but no
// elements by index; it was read as a null reference.
TEST(DossierMapping, AListMemberThatIsNotAListIsRefusedByName) {
    const auto field = [](const std::string& extra) {
        auto mapped = mapDossier(settings(), smallDossier("en_instruction", extra), "s");
        return mapped ? std::string("(mapped)") : mapped.error().field;
    };
    EXPECT_EQ(field(R"("traitements":{"a":1})"), "traitements");
    EXPECT_EQ(field(R"("messages":{"a":1})"), "messages");
    EXPECT_EQ(field(R"("messages":[{"id":"m","createdAt":"2026-11-02T09:15:00+01:00",
                                    "attachments":{"a":1}}])"),
              "messages[0].attachments");
    EXPECT_EQ(field(R"("champs":[{"__typename":"RepetitionChamp","label":"Enfants",
                                  "rows":{"a":1}}])"),
              "fields.enfants.rows");
    EXPECT_EQ(field(R"("champs":[{"__typename":"CarteChamp","label":"Parcelle",
                                  "geoAreas":{"a":1}}])"),
              "fields.parcelle.geoAreas");
    EXPECT_EQ(field(R"("traitements":null,"messages":null)"), "(mapped)");
}

TEST(DossierMapping, ADeletedDossierIsWithdrawn) {
    auto event =
        deletedDossierEvent(parse(R"({"id":"RGVsLTE=","number":12,"state":"en_construction",
        "reason":"user_request","dateSupression":"2026-12-01T08:00:00+01:00"})"));
    ASSERT_TRUE(event) << event.error().message;
    EXPECT_EQ(event->source_key, "12");
    EXPECT_EQ(event->event.source_event_key, "deleted:RGVsLTE=");
    EXPECT_EQ(*event->event.payload.find("status"), Json("withdrawn"));
    EXPECT_EQ(event->event.occurred_at.toString(), "2026-12-01T08:00:00+01:00");
}

TEST(PollCursor, RoundTripsAndEndsAPassOnTheLatestDate) {
    PollCursor cursor;
    CursorTrack& track = cursor.demarches[4242].dossiers;
    track.pageRead("2026-11-02T09:15:00+01:00", true, "c1");
    EXPECT_EQ(track.after, "c1");
    EXPECT_EQ(track.since, "");
    auto again = PollCursor::parse(cursor.dump());
    ASSERT_TRUE(again) << again.error().message;
    CursorTrack& reread = again->demarches[4242].dossiers;
    EXPECT_EQ(reread.after, "c1");
    EXPECT_EQ(reread.next_since, "2026-11-02T09:15:00+01:00");
    reread.pageRead("2026-11-01T00:00:00Z", false, "c2");
    EXPECT_EQ(reread.since, "2026-11-02T09:15:00+01:00");
    EXPECT_EQ(reread.after, "");
}

TEST(PollCursor, RefusesWhatItDidNotWrite) {
    EXPECT_EQ(PollCursor::parse("[1]").error().field, "cursor");
    EXPECT_EQ(PollCursor::parse(R"({"demarches":{"abc":{}}})").error().field, "cursor");
    EXPECT_EQ(PollCursor::parse(R"({"demarches":{"1":{"since":"hier"}}})").error().field, "cursor");
    EXPECT_TRUE(PollCursor::parse(""));
}

}  // namespace
}  // namespace relais::adapters::ds
