// SPDX-License-Identifier: AGPL-3.0-or-later
#include "queries.h"

namespace relais::adapters::ds {
namespace {

// What the mapping reads of a dossier, champs and annotations included.
constexpr const char* kFragments = R"(
fragment FileFields on File { filename contentType byteSizeBigInt checksum url }
fragment AddressFields on Address {
  label type streetAddress streetNumber streetName postalCode cityName cityCode
  departmentCode departmentName regionCode regionName countryCode countryName
  geometry { type coordinates }
}
fragment ChampFields on Champ {
  __typename id champDescriptorId label stringValue
  ... on TextChamp { value }
  ... on DropDownListChamp { value }
  ... on CiviliteChamp { civiliteValue: value }
  ... on CheckboxChamp { checkboxValue: value }
  ... on YesNoChamp { yesNoValue: value }
  ... on IntegerNumberChamp { integerValue: value }
  ... on DecimalNumberChamp { decimalValue: value }
  ... on DateChamp { date }
  ... on DatetimeChamp { datetime }
  ... on MultipleDropDownListChamp { values }
  ... on LinkedDropDownListChamp { primaryValue secondaryValue }
  ... on AddressChamp {
    address { ...AddressFields }
    commune { name code postalCode } departement { code name }
  }
  ... on CommuneChamp { commune { name code postalCode } departement { code name } }
  ... on DepartementChamp { departement { code name } }
  ... on RegionChamp { region { code name } }
  ... on PaysChamp { pays { code name } }
  ... on EpciChamp { epci { code name } departement { code name } }
  ... on SiretChamp { etablissement { ...EtablissementFields } }
  ... on RNAChamp { rna { id title address { ...AddressFields } } commune { name code postalCode } }
  ... on RNFChamp { rnf { id title address { ...AddressFields } } commune { name code postalCode } }
  ... on DossierLinkChamp { dossier { number } }
  ... on EngagementJuridiqueChamp { engagementJuridique { montantEngage montantPaye } }
  ... on CarteChamp { geoAreas { id source description geometry { type coordinates } } }
  ... on PieceJustificativeChamp { files { ...FileFields } }
  ... on TitreIdentiteChamp { filled grantType }
}
fragment EtablissementFields on PersonneMorale {
  siret siegeSocial naf libelleNaf address { ...AddressFields }
  entreprise { siren raisonSociale nomCommercial formeJuridique formeJuridiqueCode etatAdministratif }
}
fragment RootChampFields on Champ {
  ...ChampFields
  ... on RepetitionChamp { rows { id champs { ...ChampFields } } }
}
fragment DossierFields on Dossier {
  id number state dateDepot dateDerniereModification dateTraitement motivation
  demarche { number title }
  usager { email }
  demandeur {
    __typename
    ... on PersonnePhysique { civilite nom prenom dateDeNaissance email }
    ... on PersonneMorale { ...EtablissementFields }
    ... on PersonneMoraleIncomplete { siret }
  }
  traitements { id state event dateTraitement emailAgentTraitant motivation }
  messages { id email body createdAt discardedAt attachments { ...FileFields } correction { reason dateResolution } }
  champs { ...RootChampFields }
  annotations { ...RootChampFields }
}
)";

}  // namespace

const std::string& dossiersPageQuery() {
    static const std::string kQuery = std::string(R"(query DossiersPage(
  $demarche: Int!, $first: Int!, $after: String, $since: ISO8601DateTime,
  $deletedFirst: Int!, $deletedAfter: String, $deletedSince: ISO8601DateTime) {
  demarche(number: $demarche) {
    number
    dossiers(first: $first, after: $after, updatedSince: $since, order: ASC) {
      pageInfo { hasNextPage endCursor }
      nodes { ...DossierFields }
    }
    deletedDossiers(first: $deletedFirst, after: $deletedAfter, deletedSince: $deletedSince) {
      pageInfo { hasNextPage endCursor }
      nodes { id number state reason dateSupression }
    }
  }
}
)") + kFragments;
    return kQuery;
}

const std::string& dossierQuery() {
    static const std::string kQuery = std::string(R"(query Dossier($number: Int!) {
  dossier(number: $number) { ...DossierFields }
}
)") + kFragments;
    return kQuery;
}

}  // namespace relais::adapters::ds
