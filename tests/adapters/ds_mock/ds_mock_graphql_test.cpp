// SPDX-License-Identifier: AGPL-3.0-or-later
// The DS double's queries: what DS's GraphQL endpoint validates and how it paginates. The
// double checks relais's DS adapter; if it accepted what DS refuses, that check would be
// worth nothing.

#include <set>
#include <string>

#include <gtest/gtest.h>

#include "ds_mock_fixture.h"

namespace relais::ds_mock::test {
namespace {

std::string firstError(const sdk::Json& body) {
    const sdk::Json* message = body.path("errors[0].message");
    return message != nullptr ? message->asString() : std::string();
}

TEST_F(DsMockTest, UnknownFieldIsRefusedWithGraphqlRubysMessageAndNoData) {
    const int number = addDossier();
    const auto body =
        graphql("query { dossier(number: " + std::to_string(number) + ") { number statut } }");
    EXPECT_EQ(firstError(body), "Field 'statut' doesn't exist on type 'Dossier'");
    EXPECT_EQ(body.path("errors[0].extensions.code")->asString(), "undefinedField");
    EXPECT_EQ(body.find("data"), nullptr);
}

TEST_F(DsMockTest, FieldOnlyOnAnImplementationNeedsAFragment) {
    const int number = addDossier();
    const auto body =
        graphql("{ dossier(number: " + std::to_string(number) + ") { champs { label value } } }");
    EXPECT_EQ(firstError(body), "Field 'value' doesn't exist on type 'Champ'");
}

TEST_F(DsMockTest, UnknownArgumentMissingSelectionsAndSelectionsOnScalarsAreRefused) {
    EXPECT_EQ(firstError(graphql("{ dossier(numero: 1) { number } }")),
              "Field 'dossier' doesn't accept argument 'numero'");
    EXPECT_EQ(firstError(graphql("{ dossier(number: 1) }")),
              "Field must have selections (field 'dossier' returns Dossier but has no selections. "
              "Did you mean 'dossier { ... }'?)");
    EXPECT_EQ(firstError(graphql("{ dossier(number: 1) { state { name } } }")),
              "Selections can't be made on scalars (field 'state' returns DossierState! but has "
              "selections [name])");
    EXPECT_EQ(firstError(graphql("{ dossier { number } }")),
              "Field 'dossier' is missing required arguments: number");
    EXPECT_EQ(firstError(graphql("{ dossier(number: 1) { ...Nope } }")),
              "Fragment Nope was used, but not defined");
    EXPECT_EQ(firstError(graphql("{ dossier(number: 1) { number ")), "Unexpected end of document");
}

TEST_F(DsMockTest, AliasesAndFragmentsReturnExactlyTheSelectedFields) {
    const int number =
        mock_.addDossier(kDemarche, loadSampleDossier("personne-physique-tous-champs.json"));
    const auto body = graphql(R"(
        query getDossier($n: Int!) {
          d: dossier(number: $n) {
            numero: number
            __typename
            demandeur { __typename ...Personne }
            champs(id: "Q2hhbXAtMTEwOA==") { ...ChampCommun ... on CommuneChamp { commune { code name } } }
          }
        }
        fragment Personne on PersonnePhysique { nom prenom }
        fragment ChampCommun on Champ { id label })",
                              parseJson(R"({"n": )" + std::to_string(number) + "}"));
    ASSERT_EQ(body.find("errors"), nullptr) << body.dump();
    const auto expected = parseJson(R"({"data": {"d": {"numero": )" + std::to_string(number) +
                                    R"(, "__typename": "Dossier",
        "demandeur": {"__typename": "PersonnePhysique", "nom": "Exemple", "prenom": "Camille"},
        "champs": [{"id": "Q2hhbXAtMTEwOA==", "label": "Commune de naissance",
                    "commune": {"code": "69383", "name": "Lyon 3e Arrondissement"}}]}}})");
    EXPECT_EQ(body, expected) << body.dump(2);
}

TEST_F(DsMockTest, SampleDossiersConformToTheSchemaAndCarryEveryChampType) {
    const int physique =
        mock_.addDossier(kDemarche, loadSampleDossier("personne-physique-tous-champs.json"));
    const int morale =
        mock_.addDossier(kDemarche, loadSampleDossier("personne-morale-en-instruction.json"));
    EXPECT_TRUE(mock_.checkDossier(physique).empty()) << mock_.checkDossier(physique).front();
    EXPECT_TRUE(mock_.checkDossier(morale).empty()) << mock_.checkDossier(morale).front();

    const auto body = graphql("{ dossier(number: " + std::to_string(physique) +
                              ") { champs { __typename ... on RepetitionChamp { rows { champs { "
                              "__typename label } } } } } }");
    std::set<std::string> types;
    for (const auto& champ : *body.path("data.dossier.champs")->arrayIf()) {
        types.insert(champ.find("__typename")->asString());
    }
    const std::set<std::string> every = {"AddressChamp",
                                         "CarteChamp",
                                         "CheckboxChamp",
                                         "CiviliteChamp",
                                         "CommuneChamp",
                                         "DateChamp",
                                         "DatetimeChamp",
                                         "DecimalNumberChamp",
                                         "DepartementChamp",
                                         "DossierLinkChamp",
                                         "DropDownListChamp",
                                         "EngagementJuridiqueChamp",
                                         "EpciChamp",
                                         "ExplicationChamp",
                                         "HeaderSectionChamp",
                                         "IntegerNumberChamp",
                                         "LinkedDropDownListChamp",
                                         "MultipleDropDownListChamp",
                                         "PaysChamp",
                                         "PieceJustificativeChamp",
                                         "RNAChamp",
                                         "RNFChamp",
                                         "RegionChamp",
                                         "RepetitionChamp",
                                         "SiretChamp",
                                         "TextChamp",
                                         "TitreIdentiteChamp",
                                         "YesNoChamp"};
    EXPECT_EQ(types, every);
    const sdk::Json* rows = nullptr;
    for (const auto& champ : *body.path("data.dossier.champs")->arrayIf()) {
        if (champ.find("__typename")->asString() == "RepetitionChamp") rows = champ.find("rows");
    }
    ASSERT_NE(rows, nullptr);
    EXPECT_EQ(rows->size(), 2U);
}

TEST_F(DsMockTest, AStoredMemberTheSchemaDoesNotHaveIsReported) {
    auto dossier = loadSampleDossier("personne-morale-en-instruction.json");
    dossier["champs"].arrayIf()->front().set("valeur", "x");
    const int number = mock_.addDossier(kDemarche, std::move(dossier));
    const auto problems = mock_.checkDossier(number);
    ASSERT_EQ(problems.size(), 1U);
    EXPECT_EQ(problems.front(), "champs[0].valeur: no field 'valeur' on TextChamp");
}

constexpr const char* kPageQuery = R"(
    query page($demarche: Int!, $after: String, $first: Int) {
      demarche(number: $demarche) {
        dossiers(first: $first, after: $after) {
          pageInfo { hasNextPage endCursor }
          nodes { number }
          edges { cursor node { number } }
        }
      }
    })";

TEST_F(DsMockTest, PaginatesTwoHundredFiftyDossiersByHundredsWithCursors) {
    for (int i = 0; i < 250; ++i) addDossier("en_construction", "2026-11-30T10:12:44+01:00");
    std::set<std::int64_t> seen;
    std::vector<std::size_t> sizes;
    sdk::Json after;
    bool more = true;
    while (more && sizes.size() < 5) {
        sdk::Json variables = sdk::Json::object();
        variables.set("demarche", kDemarche);
        variables.set("after", after);
        variables.set("first", 100);
        const auto body = graphql(kPageQuery, variables);
        const sdk::Json* nodes = body.path("data.demarche.dossiers.nodes");
        ASSERT_NE(nodes, nullptr) << body.dump();
        sizes.push_back(nodes->size());
        for (const auto& node : *nodes->arrayIf()) seen.insert(node.find("number")->asInt());
        more = body.path("data.demarche.dossiers.pageInfo.hasNextPage")->asBool();
        after = *body.path("data.demarche.dossiers.pageInfo.endCursor");
        EXPECT_EQ(after, *body.path("data.demarche.dossiers.edges[" +
                                    std::to_string(nodes->size() - 1) + "].cursor"));
    }
    EXPECT_EQ(sizes, (std::vector<std::size_t>{100, 100, 50}));
    EXPECT_EQ(seen.size(), 250U);
}

TEST_F(DsMockTest, FirstAboveOneHundredIsCutToOneHundredAsDsDoes) {
    for (int i = 0; i < 120; ++i) addDossier();
    sdk::Json variables = sdk::Json::object();
    variables.set("demarche", kDemarche);
    variables.set("first", 500);
    const auto body = graphql(kPageQuery, variables);
    EXPECT_EQ(body.path("data.demarche.dossiers.nodes")->size(), 100U);
    EXPECT_TRUE(body.path("data.demarche.dossiers.pageInfo.hasNextPage")->asBool());
}

TEST_F(DsMockTest, UpdatedSinceKeepsTheDossiersChangedSinceThenAndDatesMove) {
    const int quiet = addDossier("en_construction", "2026-11-20T09:00:00+01:00");
    const int changed = addDossier("en_construction", "2026-11-20T09:00:00+01:00");
    const std::string before = mock_.dossier(changed).find("dateDerniereModification")->asString();
    mock_.changeState(changed, "en_instruction");
    const std::string after = mock_.dossier(changed).find("dateDerniereModification")->asString();
    EXPECT_NE(before, after);
    EXPECT_EQ(after, "2026-12-01T11:00:00+01:00");

    const auto body =
        graphql("{ demarche(number: " + std::to_string(kDemarche) +
                ") { dossiers(updatedSince: \"2026-11-25T00:00:00+01:00\") { nodes { number "
                "dateDerniereModification } } } }");
    const sdk::Json* nodes = body.path("data.demarche.dossiers.nodes");
    ASSERT_NE(nodes, nullptr) << body.dump();
    ASSERT_EQ(nodes->size(), 1U);
    EXPECT_EQ(nodes->at(0)->find("number")->asInt(), changed);
    EXPECT_NE(quiet, changed);
}

TEST_F(DsMockTest, DeletedDossiersAreListedSinceAGivenTime) {
    const int kept = addDossier();
    const int gone = addDossier();
    mock_.deleteDossier(gone);
    const auto body = graphql("{ demarche(number: " + std::to_string(kDemarche) +
                              ") { deletedDossiers(deletedSince: \"2026-12-01T00:00:00Z\") { "
                              "nodes { number reason state dateSupression } } "
                              "dossiers { nodes { number } } } }");
    const sdk::Json* deleted = body.path("data.demarche.deletedDossiers.nodes");
    ASSERT_NE(deleted, nullptr) << body.dump();
    ASSERT_EQ(deleted->size(), 1U);
    EXPECT_EQ(deleted->at(0)->find("number")->asInt(), gone);
    EXPECT_EQ(deleted->at(0)->find("reason")->asString(), "user_request");
    ASSERT_EQ(body.path("data.demarche.dossiers.nodes")->size(), 1U);
    EXPECT_EQ(body.path("data.demarche.dossiers.nodes[0].number")->asInt(), kept);
    EXPECT_EQ(firstError(graphql("{ dossier(number: " + std::to_string(gone) + ") { number } }")),
              "Dossier not found");
}

TEST_F(DsMockTest, UnknownOrMissingTokenIsForbiddenAsDsAnswers) {
    for (const std::string token : {"wrong-token", ""}) {
        const auto result =
            post("{ demarche(number: 4242) { title } }", sdk::Json::object(), token);
        EXPECT_EQ(result.status, 403);
        const auto body = parseJson(result.body);
        EXPECT_EQ(firstError(body), "Without a token, only persisted queries are allowed");
        EXPECT_EQ(body.path("errors[0].extensions.code")->asString(), "forbidden");
    }
    EXPECT_EQ(graphql("{ demarche(number: 4242) { title } }", sdk::Json::object(), "ds-token-ro")
                  .path("data.demarche.title")
                  ->asString(),
              "Inscription périscolaire");
}

}  // namespace
}  // namespace relais::ds_mock::test
