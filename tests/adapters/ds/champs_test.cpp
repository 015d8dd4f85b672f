// SPDX-License-Identifier: AGPL-3.0-or-later
// Every champ type of the DS schema mapped to the canonical fields tree, one test each, with
// champs shaped as DossierFields (queries.cpp) asks them.

#include "champs.h"

#include <string>

#include <gtest/gtest.h>

#include "test_json.h"

namespace relais::adapters::ds {
namespace {

using sdk::ErrorCode;
using sdk::Json;
using test::parse;

// One champ: `{"__typename": type, "id": "C1", "label": label, <members>}`.
Json champ(const std::string& type, const std::string& label, const std::string& members = "") {
    return parse(R"({"__typename":")" + type +
                 R"(","id":"Q2hhbXAtMQ==","champDescriptorId":"VHlwZS0x","label":")" + label +
                 "\"" + (members.empty() ? "" : "," + members) + "}");
}

class ChampsTest : public ::testing::Test {
protected:
    // The fields tree of `champs`, mapped without error.
    Json fields(const Json& champs) {
        auto mapped = mapChamps(champs, "fields", files_);
        EXPECT_TRUE(mapped) << mapped.error().message;
        return mapped ? mapped->fields : Json();
    }
    // The value of the one champ `one` (under its key).
    Json value(const Json& one) {
        Json all = Json::array();
        all.push(one);
        const Json tree = fields(all);
        EXPECT_EQ(tree.size(), 1u) << tree.dump();
        return tree.size() == 1 ? tree.objectIf()->front().value : Json();
    }
    sdk::Error error(const Json& one) {
        Json all = Json::array();
        all.push(one);
        auto mapped = mapChamps(all, "fields", files_);
        EXPECT_FALSE(mapped) << "mapped: " << (mapped ? mapped->fields.dump() : "");
        return mapped ? sdk::Error{} : mapped.error();
    }

    FileList files_;
};

TEST(ChampKey, IsTheLabelFoldedLoweredWithUnderscores) {
    EXPECT_EQ(champKey("Date de naissance"), "date_de_naissance");
    EXPECT_EQ(champKey("N° SIRET (établissement)"), "n_siret_etablissement");
    EXPECT_EQ(champKey("  Bénéficiez-vous d'une aide ?  "), "beneficiez_vous_d_une_aide");
    EXPECT_EQ(champKey("Œuvre"), "oeuvre");
    EXPECT_EQ(champKey("???"), "champ");
    EXPECT_EQ(champKey(""), "champ");
}

TEST_F(ChampsTest, RepeatedLabelsGetNumberedKeysInDocumentOrder) {
    Json all = Json::array();
    all.push(champ("TextChamp", "Nom", R"("value":"a")"));
    all.push(champ("TextChamp", "Nom", R"("value":"b")"));
    all.push(champ("TextChamp", "nom !", R"("value":"c")"));
    all.push(champ("TextChamp", "Nom 2", R"("value":"d")"));
    const Json tree = fields(all);
    EXPECT_EQ(tree, parse(R"({"nom":"a","nom_2":"b","nom_3":"c","nom_2_2":"d"})"));
}

TEST_F(ChampsTest, ChampIdsAndDescriptorIdsAreKeptByKey) {
    Json all = Json::array();
    all.push(champ("TextChamp", "Nom", R"("value":"a")"));
    auto mapped = mapChamps(all, "fields", files_);
    ASSERT_TRUE(mapped);
    EXPECT_EQ(mapped->champ_ids, parse(R"({"nom":"Q2hhbXAtMQ=="})"));
    EXPECT_EQ(mapped->descriptor_ids, parse(R"({"nom":"VHlwZS0x"})"));
}

TEST_F(ChampsTest, SectionHeadersAndExplanationsCarryNoValue) {
    Json all = Json::array();
    all.push(champ("HeaderSectionChamp", "Identité", R"("level":1)"));
    all.push(champ("ExplicationChamp", "Lisez ceci"));
    all.push(champ("TextChamp", "Identité", R"("value":"x")"));
    EXPECT_EQ(fields(all), parse(R"({"identite":"x"})"));
}

TEST_F(ChampsTest, TextAndDropDownListAreStringsAndEmptyIsNull) {
    EXPECT_EQ(value(champ("TextChamp", "Nom", R"("value":"Exemple")")), Json("Exemple"));
    EXPECT_TRUE(value(champ("TextChamp", "Nom", R"("value":null)")).isNull());
    EXPECT_EQ(value(champ("DropDownListChamp", "Situation", R"j("value":"Pacsé(e)")j")),
              Json("Pacsé(e)"));
}

TEST_F(ChampsTest, CiviliteIsItsEnumValue) {
    EXPECT_EQ(value(champ("CiviliteChamp", "Civilité", R"("civiliteValue":"Mme")")), Json("Mme"));
    // A double that ignores aliases answers `value`.
    EXPECT_EQ(value(champ("CiviliteChamp", "Civilité", R"("value":"M")")), Json("M"));
}

TEST_F(ChampsTest, CheckboxAndYesNoAreBooleans) {
    EXPECT_EQ(value(champ("CheckboxChamp", "J'accepte", R"("checkboxValue":true)")), Json(true));
    EXPECT_EQ(value(champ("YesNoChamp", "Aide ?", R"("yesNoValue":false)")), Json(false));
    EXPECT_TRUE(value(champ("YesNoChamp", "Aide ?", R"("yesNoValue":null)")).isNull());
    const auto refused = error(champ("YesNoChamp", "Aide ?", R"("yesNoValue":"oui")"));
    EXPECT_EQ(refused.code, ErrorCode::InvalidArgument);
    EXPECT_EQ(refused.field, "fields.aide");
}

TEST_F(ChampsTest, IntegerNumberReadsBigIntStringsAsNumbers) {
    EXPECT_EQ(value(champ("IntegerNumberChamp", "Enfants", R"("integerValue":"2")")), Json(2));
    EXPECT_EQ(value(champ("IntegerNumberChamp", "Enfants", R"("integerValue":7)")), Json(7));
    EXPECT_EQ(error(champ("IntegerNumberChamp", "Enfants", R"("integerValue":"2,5")")).field,
              "fields.enfants");
}

TEST_F(ChampsTest, DecimalNumberIsANumber) {
    const Json quotient = value(champ("DecimalNumberChamp", "Quotient", R"("decimalValue":812.5)"));
    EXPECT_TRUE(quotient.isDouble());
    EXPECT_DOUBLE_EQ(quotient.asDouble(), 812.5);
    EXPECT_EQ(error(champ("DecimalNumberChamp", "Quotient", R"("decimalValue":"beaucoup")")).field,
              "fields.quotient");
}

TEST_F(ChampsTest, DateIsAnIsoDate) {
    EXPECT_EQ(value(champ("DateChamp", "Date de naissance", R"("date":"1987-03-14")")),
              Json("1987-03-14"));
    // Older answers: only the deprecated datetime `value`, at midnight in the zone of DS.
    EXPECT_EQ(value(champ("DateChamp", "Né le", R"("value":"1987-03-14T00:00:00+01:00")")),
              Json("1987-03-14"));
    EXPECT_EQ(error(champ("DateChamp", "Né le", R"("date":"1987-02-30")")).field, "fields.ne_le");
    EXPECT_EQ(error(champ("DateChamp", "Né le", R"("date":"14/03/1987")")).field, "fields.ne_le");
}

TEST_F(ChampsTest, DatetimeKeepsItsOffset) {
    EXPECT_EQ(
        value(champ("DatetimeChamp", "Rendez-vous", R"("datetime":"2026-07-14T09:30:00+02:00")")),
        Json("2026-07-14T09:30:00+02:00"));
    EXPECT_EQ(
        value(champ("DatetimeChamp", "Rendez-vous", R"("datetime":"2026-12-12T18:00:00+01:00")")),
        Json("2026-12-12T18:00:00+01:00"));
    EXPECT_EQ(value(champ("DatetimeChamp", "Rendez-vous", R"("datetime":"2026-12-12T17:00:00Z")")),
              Json("2026-12-12T17:00:00Z"));
    const auto naive =
        error(champ("DatetimeChamp", "Rendez-vous", R"("datetime":"2026-12-12T18:00:00")"));
    EXPECT_EQ(naive.field, "fields.rendez_vous");
    EXPECT_NE(naive.message.find("offset"), std::string::npos) << naive.message;
}

TEST_F(ChampsTest, MultipleDropDownListIsAnArrayOfStrings) {
    EXPECT_EQ(value(champ("MultipleDropDownListChamp", "Jours", R"("values":["lundi","jeudi"])")),
              parse(R"(["lundi","jeudi"])"));
    EXPECT_EQ(value(champ("MultipleDropDownListChamp", "Jours", R"("values":[])")), Json::array());
}

TEST_F(ChampsTest, LinkedDropDownListIsPrimaryAndSecondary) {
    EXPECT_EQ(value(champ("LinkedDropDownListChamp", "École",
                          R"("primaryValue":"Lyon","secondaryValue":"École Jules Ferry")")),
              parse(R"({"primary":"Lyon","secondary":"École Jules Ferry"})"));
    EXPECT_TRUE(
        value(champ("LinkedDropDownListChamp", "École", R"("primaryValue":null)")).isNull());
}

TEST_F(ChampsTest, AddressIsTheBanAddressWithItsCommuneAndDepartement) {
    const Json address = value(champ("AddressChamp", "Adresse", R"(
        "stringValue":"12 Rue de la Paix 75002 Paris",
        "address":{"label":"12 Rue de la Paix 75002 Paris","type":"housenumber",
          "streetAddress":"12 Rue de la Paix","streetNumber":"12","streetName":"Rue de la Paix",
          "postalCode":"75002","cityName":"Paris","cityCode":"75102","departmentCode":"75",
          "departmentName":"Paris","regionCode":"11","regionName":"Île-de-France",
          "countryCode":"FR","countryName":"France",
          "geometry":{"type":"Point","coordinates":[2.331,48.8686]}},
        "commune":{"name":"Paris 2e Arrondissement","code":"75102","postalCode":"75002"},
        "departement":{"code":"75","name":"Paris"})"));
    EXPECT_EQ(address, parse(R"({"label":"12 Rue de la Paix 75002 Paris","type":"housenumber",
        "street_address":"12 Rue de la Paix","street_number":"12","street_name":"Rue de la Paix",
        "postal_code":"75002","city_name":"Paris","city_code":"75102","department_code":"75",
        "department_name":"Paris","region_code":"11","region_name":"Île-de-France",
        "country_code":"FR","country_name":"France",
        "geometry":{"type":"Point","coordinates":[2.331,48.8686]},
        "commune":{"name":"Paris 2e Arrondissement","code":"75102","postal_code":"75002"},
        "departement":{"code":"75","name":"Paris"}})"));
}

TEST_F(ChampsTest, AddressOutsideTheBanKeepsItsTextAsLabel) {
    EXPECT_EQ(value(champ("AddressChamp", "Adresse",
                          R"("stringValue":"Lieu-dit Les Granges","address":null)")),
              parse(R"({"label":"Lieu-dit Les Granges"})"));
    EXPECT_TRUE(value(champ("AddressChamp", "Adresse", R"("stringValue":null)")).isNull());
}

TEST_F(ChampsTest, CommuneIsNameCodePostalCodeAndDepartement) {
    EXPECT_EQ(value(champ("CommuneChamp", "Commune de naissance", R"(
        "commune":{"name":"Lyon 3e Arrondissement","code":"69383","postalCode":"69003"},
        "departement":{"code":"69","name":"Rhône"})")),
              parse(R"({"name":"Lyon 3e Arrondissement","code":"69383","postal_code":"69003",
                        "departement":{"code":"69","name":"Rhône"}})"));
    EXPECT_TRUE(value(champ("CommuneChamp", "Commune", R"("commune":null)")).isNull());
}

TEST_F(ChampsTest, DepartementRegionAndPaysAreCodeAndName) {
    EXPECT_EQ(value(champ("DepartementChamp", "Département",
                          R"("departement":{"code":"2A","name":"Corse-du-Sud"})")),
              parse(R"({"code":"2A","name":"Corse-du-Sud"})"));
    EXPECT_EQ(value(champ("RegionChamp", "Région",
                          R"("region":{"code":"84","name":"Auvergne-Rhône-Alpes"})")),
              parse(R"({"code":"84","name":"Auvergne-Rhône-Alpes"})"));
    EXPECT_EQ(value(champ("PaysChamp", "Pays", R"("pays":{"code":"FR","name":"France"})")),
              parse(R"({"code":"FR","name":"France"})"));
}

TEST_F(ChampsTest, EpciIsCodeNameAndDepartement) {
    EXPECT_EQ(value(champ("EpciChamp", "EPCI", R"(
        "epci":{"code":"200046977","name":"Métropole de Lyon"},
        "departement":{"code":"69","name":"Rhône"})")),
              parse(R"({"code":"200046977","name":"Métropole de Lyon",
                        "departement":{"code":"69","name":"Rhône"}})"));
}

TEST_F(ChampsTest, SiretIsTheEtablissementWithItsSirenAndAddress) {
    const Json siret = value(champ("SiretChamp", "SIRET de l'employeur", R"(
        "etablissement":{"siret":"11000201100044","siegeSocial":true,"naf":"84.11Z",
          "libelleNaf":"Administration publique générale",
          "address":{"label":"20 Avenue de Ségur 75007 Paris","postalCode":"75007",
                     "cityName":"Paris","cityCode":"75107"},
          "entreprise":{"siren":"110002011","raisonSociale":"DINUM","nomCommercial":"",
                        "formeJuridique":"Service central d'un ministère",
                        "formeJuridiqueCode":"7113","etatAdministratif":"Actif"}})"));
    EXPECT_EQ(siret, parse(R"({"siret":"11000201100044","siege_social":true,"naf":"84.11Z",
        "libelle_naf":"Administration publique générale","siren":"110002011",
        "raison_sociale":"DINUM","nom_commercial":"",
        "forme_juridique":"Service central d'un ministère","forme_juridique_code":"7113",
        "etat_administratif":"Actif",
        "address":{"label":"20 Avenue de Ségur 75007 Paris","postal_code":"75007",
                   "city_name":"Paris","city_code":"75107"}})"));
}

TEST_F(ChampsTest, SiretWithoutEntrepriseTakesTheSirenFromTheSiret) {
    EXPECT_EQ(value(champ("SiretChamp", "SIRET", R"("etablissement":{"siret":"11000201100044"})")),
              parse(R"({"siret":"11000201100044","siren":"110002011"})"));
    EXPECT_EQ(value(champ("SiretChamp", "SIRET",
                          R"("stringValue":"11000201100044","etablissement":null)")),
              parse(R"({"siret":"11000201100044"})"));
}

TEST_F(ChampsTest, RnaAndRnfAreTheRegistryEntryWithItsCommune) {
    EXPECT_EQ(value(champ("RNAChamp", "Association", R"(
        "rna":{"id":"W751234567","title":"APE Jules Ferry",
               "address":{"label":"3 Rue Jules Ferry 69003 Lyon","postalCode":"69003"}},
        "commune":{"name":"Lyon 3e Arrondissement","code":"69383","postalCode":"69003"})")),
              parse(R"({"id":"W751234567","title":"APE Jules Ferry",
                        "address":{"label":"3 Rue Jules Ferry 69003 Lyon","postal_code":"69003"},
                        "commune":{"name":"Lyon 3e Arrondissement","code":"69383",
                                   "postal_code":"69003"}})"));
    EXPECT_EQ(value(champ("RNFChamp", "Fondation",
                          R"("rnf":{"id":"075-FDD-00003-01","title":"Fondation Exemple",
                                    "address":null})")),
              parse(R"({"id":"075-FDD-00003-01","title":"Fondation Exemple"})"));
}

TEST_F(ChampsTest, DossierLinkIsTheLinkedDossierNumber) {
    EXPECT_EQ(value(champ("DossierLinkChamp", "Dossier précédent", R"("dossier":{"number":1998})")),
              Json(1998));
    EXPECT_EQ(value(champ("DossierLinkChamp", "Dossier précédent",
                          R"("stringValue":"2001","dossier":null)")),
              Json(2001));
    EXPECT_TRUE(
        value(champ("DossierLinkChamp", "Dossier précédent", R"("dossier":null)")).isNull());
}

TEST_F(ChampsTest, EngagementJuridiqueIsItsNumberAndAmounts) {
    EXPECT_EQ(
        value(champ("EngagementJuridiqueChamp", "EJ", R"("stringValue":"2103456789",
        "engagementJuridique":{"montantEngage":"15000.0","montantPaye":"5000.0"})")),
        parse(R"({"numero":"2103456789","montant_engage":"15000.0","montant_paye":"5000.0"})"));
}

TEST_F(ChampsTest, CarteIsAnArrayOfGeoAreas) {
    EXPECT_EQ(value(champ("CarteChamp", "Parcelle", R"("geoAreas":[
        {"id":"R2VvLTc3","source":"cadastre","description":null,
         "geometry":{"type":"Point","coordinates":[4.85,45.75]},
         "commune":"69383","prefixe":"000","section":"AB","numero":"123","surface":"412"},
        {"id":"R2VvLTc4","source":"selection_utilisateur","description":"Zone de chantier",
         "geometry":{"type":"Point","coordinates":[4.8505,45.7505]}}])")),
              parse(R"([{"id":"R2VvLTc3","source":"cadastre",
                          "geometry":{"type":"Point","coordinates":[4.85,45.75]},
                          "commune":"69383","prefixe":"000","section":"AB","numero":"123",
                          "surface":"412"},
                         {"id":"R2VvLTc4","source":"selection_utilisateur",
                          "description":"Zone de chantier",
                          "geometry":{"type":"Point","coordinates":[4.8505,45.7505]}}])"));
}

TEST_F(ChampsTest, PiecesJustificativesPointIntoTheAttachments) {
    Json all = Json::array();
    all.push(champ("PieceJustificativeChamp", "Justificatif de domicile", R"("files":[
        {"filename":"domicile.pdf","contentType":"application/pdf","byteSizeBigInt":"193",
         "checksum":"rBvaOBTfHPQBxE8+BNiPcw==","url":"https://storage.example/a?temp=1"},
        {"filename":"compteur.png","contentType":"image/png","byteSizeBigInt":"75",
         "checksum":"L0HMYpeqjJXru1dgqi8WNA==","url":"https://storage.example/b?temp=1"}])"));
    all.push(champ("PieceJustificativeChamp", "RIB", R"("files":[])"));
    EXPECT_EQ(fields(all), parse(R"({"justificatif_de_domicile":[
        {"name":"domicile.pdf","content_type":"application/pdf","size":193,"attachment":0},
        {"name":"compteur.png","content_type":"image/png","size":75,"attachment":1}],
        "rib":[]})"));
    ASSERT_EQ(files_.attachments.size(), 2u);
    EXPECT_EQ(files_.attachments[1].name, "compteur.png");
    EXPECT_EQ(files_.attachments[1].content_type, "image/png");
    EXPECT_EQ(files_.attachments[1].size, 75);
    EXPECT_EQ(files_.attachments[1].source_url, "https://storage.example/b?temp=1");
    EXPECT_EQ(files_.attachments[1].kind, "piece_justificative");
    EXPECT_EQ(files_.files, parse(R"([
        {"champ_id":"Q2hhbXAtMQ==","checksum":"rBvaOBTfHPQBxE8+BNiPcw==",
         "filename":"domicile.pdf","byte_size":193},
        {"champ_id":"Q2hhbXAtMQ==","checksum":"L0HMYpeqjJXru1dgqi8WNA==",
         "filename":"compteur.png","byte_size":75}])"));
}

TEST_F(ChampsTest, PieceJustificativeWithoutUrlIsRefused) {
    const auto refused = error(
        champ("PieceJustificativeChamp", "RIB", R"("files":[{"filename":"rib.pdf","url":null}])"));
    EXPECT_EQ(refused.field, "fields.rib[0]");
}

TEST_F(ChampsTest, TitreIdentiteSaysOnlyWhetherAndHowItWasGiven) {
    EXPECT_EQ(value(champ("TitreIdentiteChamp", "Pièce d'identité",
                          R"("filled":true,"grantType":"piece_justificative")")),
              parse(R"({"filled":true,"grant_type":"piece_justificative"})"));
    EXPECT_TRUE(files_.attachments.empty());
}

TEST_F(ChampsTest, RepetitionIsAnArrayOfRowObjectsKeyedTheSameWay) {
    const Json rows = value(champ("RepetitionChamp", "Enfants", R"("rows":[
        {"id":"Um93LTE=","champs":[
          {"__typename":"TextChamp","id":"a1","label":"Prénom de l'enfant","value":"Lou"},
          {"__typename":"DateChamp","id":"a2","label":"Date de naissance","date":"2018-04-02"},
          {"__typename":"PieceJustificativeChamp","id":"a3","label":"Certificat","files":[
            {"filename":"certificat.pdf","contentType":"application/pdf","byteSizeBigInt":"10",
             "checksum":"x","url":"https://storage.example/c"}]}]},
        {"id":"Um93LTI=","champs":[
          {"__typename":"TextChamp","id":"b1","label":"Prénom de l'enfant","value":"Sacha"},
          {"__typename":"DateChamp","id":"b2","label":"Date de naissance","date":"2020-09-17"},
          {"__typename":"PieceJustificativeChamp","id":"b3","label":"Certificat","files":[]}]}])"));
    EXPECT_EQ(rows, parse(R"([
        {"prenom_de_l_enfant":"Lou","date_de_naissance":"2018-04-02",
         "certificat":[{"name":"certificat.pdf","content_type":"application/pdf","size":10,
                        "attachment":0}]},
        {"prenom_de_l_enfant":"Sacha","date_de_naissance":"2020-09-17","certificat":[]}])"));
    ASSERT_EQ(files_.attachments.size(), 1u);
    EXPECT_EQ(*files_.files.at(0)->find("champ_id"), Json("a3"));
}

TEST_F(ChampsTest, AnErrorInARepetitionNamesTheRow) {
    const auto refused = error(champ("RepetitionChamp", "Enfants", R"("rows":[
        {"id":"r1","champs":[{"__typename":"DateChamp","id":"a","label":"Né le","date":"2018-04-02"}]},
        {"id":"r2","champs":[{"__typename":"DateChamp","id":"b","label":"Né le","date":"avril"}]}])"));
    EXPECT_EQ(refused.field, "fields.enfants[1].ne_le");
}

TEST_F(ChampsTest, AnUnknownChampTypeKeepsItsStringValue) {
    EXPECT_EQ(
        value(champ("IbanChamp", "IBAN", R"("stringValue":"FR76 3000 6000 0112 3456 7890 189")")),
        Json("FR76 3000 6000 0112 3456 7890 189"));
}

TEST_F(ChampsTest, ChampsMustBeAnArrayOfObjects) {
    EXPECT_EQ(mapChamps(parse(R"({"a":1})"), "fields", files_).error().field, "fields");
    EXPECT_EQ(mapChamps(parse(R"([1])"), "fields", files_).error().field, "fields[0]");
}

}  // namespace
}  // namespace relais::adapters::ds
