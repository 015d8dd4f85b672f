// SPDX-License-Identifier: AGPL-3.0-or-later
#include "routes.h"

#include <algorithm>
#include <iterator>

namespace relais::mock_api {
namespace {

// Generated from the `x-operationId` of each GET path in
// shared/fixtures/national-apis/api-particulier/openapi-particulier.yaml and
// api-entreprise/openapi-entreprise.yaml (the operation ids are those of the upstream mock
// folders, typos included).
constexpr Route kRoutes[] = {
    {"api_particulier_v3_ants_extrait_immatriculation_vehicule_with_france_connect",
     "/v3/ants/extrait_immatriculation_vehicule/france_connect", Api::Particulier},
    {"api_particulier_v3_cnav_allocation_adulte_handicape_with_civility",
     "/v3/dss/allocation_adulte_handicape/identite", Api::Particulier},
    {"api_particulier_v3_cnav_allocation_adulte_handicape_with_france_connect",
     "/v3/dss/allocation_adulte_handicape/france_connect", Api::Particulier},
    {"api_particulier_v3_cnav_allocation_enfant_handicape_with_civility",
     "/v3/dss/allocation_enfant_handicape/identite", Api::Particulier},
    {"api_particulier_v3_cnav_allocation_enfant_handicape_with_france_connect",
     "/v3/dss/allocation_enfant_handicape/france_connect", Api::Particulier},
    {"api_particulier_v3_cnav_allocation_soutien_familial_with_civility",
     "/v3/dss/allocation_soutien_familial/identite", Api::Particulier},
    {"api_particulier_v3_cnav_allocation_soutien_familial_with_france_connect",
     "/v3/dss/allocation_soutien_familial/france_connect", Api::Particulier},
    {"api_particulier_v3_cnav_complementaire_sante_solidaire_with_civility",
     "/v3/dss/complementaire_sante_solidaire/identite", Api::Particulier},
    {"api_particulier_v3_cnav_complementaire_sante_solidaire_with_france_connect",
     "/v3/dss/complementaire_sante_solidaire/france_connect", Api::Particulier},
    {"api_particulier_v3_cnav_participation_familiale_eaje_with_civility",
     "/v3/dss/participation_familiale_eaje/identite", Api::Particulier},
    {"api_particulier_v3_cnav_participation_familiale_eaje_with_france_connect",
     "/v3/dss/participation_familiale_eaje/france_connect", Api::Particulier},
    {"api_particulier_v3_cnav_prime_activite_with_civility", "/v3/dss/prime_activite/identite",
     Api::Particulier},
    {"api_particulier_v3_cnav_prime_activite_with_france_connect",
     "/v3/dss/prime_activite/france_connect", Api::Particulier},
    {"api_particulier_v3_cnav_quotient_familial_with_civility",
     "/v3/dss/quotient_familial/identite", Api::Particulier},
    {"api_particulier_v3_cnav_quotient_familial_with_france_connect",
     "/v3/dss/quotient_familial/france_connect", Api::Particulier},
    {"api_particulier_v3_cnav_revenu_solidarite_active_with_civility",
     "/v3/dss/revenu_solidarite_active/identite", Api::Particulier},
    {"api_particulier_v3_cnav_revenu_solidarite_active_with_france_connect",
     "/v3/dss/revenu_solidarite_active/france_connect", Api::Particulier},
    {"api_particulier_v3_cnous_etudiant_boursier_with_civility",
     "/v3/cnous/etudiant_boursier/identite", Api::Particulier},
    {"api_particulier_v3_cnous_etudiant_boursier_with_france_connect",
     "/v3/cnous/etudiant_boursier/france_connect", Api::Particulier},
    {"api_particulier_v3_cnous_etudiant_boursier_with_ine", "/v3/cnous/etudiant_boursier/ine",
     Api::Particulier},
    {"api_particulier_v4_cnous_etudiant_boursier_with_civility",
     "/v4/cnous/etudiant_boursier/identite", Api::Particulier},
    {"api_particulier_v4_cnous_etudiant_boursier_with_france_connect",
     "/v4/cnous/etudiant_boursier/france_connect", Api::Particulier},
    {"api_particulier_v4_cnous_etudiant_boursier_with_ine", "/v4/cnous/etudiant_boursier/ine",
     Api::Particulier},
    {"api_particulier_v3_dsnj_service_national_with_civility", "/v3/dsnj/service_national/identite",
     Api::Particulier},
    {"api_particulier_v3_dsnj_service_national_with_france_connect",
     "/v3/dsnj/service_national/france_connect", Api::Particulier},
    {"api_particulier_v3_france_travail_indemnites_with_identifiant",
     "/v3/france_travail/indemnites/identifiant", Api::Particulier},
    {"api_particulier_v3_france_travail_statut_with_identifiant",
     "/v3/france_travail/statut/identifiant", Api::Particulier},
    {"api_particulier_v3_gip_mds_service_civique_with_civility",
     "/v3/gip_mds/service_civique/identite", Api::Particulier},
    {"api_particulier_v3_gip_mds_service_civique_with_france_connect",
     "/v3/gip_mds/service_civique/france_connect", Api::Particulier},
    {"api_particulier_v3_men_scolarites_with_civility", "/v3/men/scolarites/identite",
     Api::Particulier},
    {"api_particulier_v4_men_scolarites_with_civility", "/v4/men/scolarites/identite",
     Api::Particulier},
    {"api_particulier_v5_men_scolarites_with_civility", "/v5/men/scolarites/identite",
     Api::Particulier},
    {"api_particulier_v3_mesri_statut_etudiant_with_civility", "/v3/mesri/statut_etudiant/identite",
     Api::Particulier},
    {"api_particulier_v3_mesri_statut_etudiant_with_france_connect",
     "/v3/mesri/statut_etudiant/france_connect", Api::Particulier},
    {"api_particulier_v3_mesri_statut_etudiant_with_ine", "/v3/mesri/statut_etudiant/ine",
     Api::Particulier},
    {"api_particulier_v3_sdh_statut_sportif_with_identifiant", "/v3/sdh/statut_sportif/identifiant",
     Api::Particulier},
    {"api_entreprise_v3_acoss_attestations_sociales",
     "/v3/urssaf/unites_legales/{siren}/attestation_vigilance", Api::Entreprise},
    {"api_entreprise_v3_ademe_certificats_rge",
     "/v3/ademe/etablissements/{siret}/certification_rge", Api::Entreprise},
    {"api_entreprise_v3_banque_de_france_bilans_entreprise",
     "/v3/banque_de_france/unites_legales/{siren}/bilans", Api::Entreprise},
    {"api_entreprise_v3_carif_oref_certifications_qualiopi_france_competences",
     "/v3/carif_oref/etablissements/{siret}/certifications_qualiopi_france_competences",
     Api::Entreprise},
    {"api_entreprise_v3_cibtp_attestation_cotisations_conges_payes_chomage_intemperies",
     "/v3/cibtp/etablissements/{siret}/attestation_cotisations_conges_payes_chomage_intemperies",
     Api::Entreprise},
    {"api_entreprise_v3_cnetp_attestation_cotisations_conges_payes_chomage_intemperies",
     "/v3/cnetp/unites_legales/{siren}/attestation_cotisations_conges_payes_chomage_intemperies",
     Api::Entreprise},
    {"api_entreprise_v3_data_subvention_subventions",
     "/v3/data_subvention/associations/{siren_or_siret_or_rna}/subventions", Api::Entreprise},
    {"api_entreprise_v3_dgddi_eori",
     "/v3/douanes/etablissements/{siret_or_eori}/immatriculations_eori", Api::Entreprise},
    {"api_entreprise_v3_dgfip_attestations_fiscales",
     "/v3/dgfip/unites_legales/{siren}/attestation_fiscale", Api::Entreprise},
    {"api_entreprise_v4_dgfip_attestations_fiscales",
     "/v4/dgfip/unites_legales/{siren}/attestation_fiscale", Api::Entreprise},
    {"api_entreprise_v3_dgfip_chiffres_affaires",
     "/v3/dgfip/etablissements/{siret}/chiffres_affaires", Api::Entreprise},
    {"api_entreprise_v3_dgfip_liasses_fiscales",
     "/v3/dgfip/unites_legales/{siren}/liasses_fiscales/{year}", Api::Entreprise},
    {"api_entreprise_v3_dgfip_liens_capitalistiques",
     "/v3/dgfip/unites_legales/{siren}/liens_capitalistiques/{year}", Api::Entreprise},
    {"api_entreprise_v4_mi_unites_legales",
     "/v4/djepva/api-association/associations/{siren_or_rna}", Api::Entreprise},
    {"api_entreprise_v4_mi_unites_legales_open_data",
     "/v4/djepva/api-association/associations/open_data/{siren_or_rna}", Api::Entreprise},
    {"api_entreprise_v3_european_commission_vies",
     "/v3/european_commission/unites_legales/{siren}/numero_tva", Api::Entreprise},
    {"api_entreprise_v3_fabrique_numerique_ministeres_sociaux_conventions_collectives",
     "/v3/fabrique_numerique_ministeres_sociaux/etablissements/{siret}/conventions_collectives",
     Api::Entreprise},
    {"api_entreprise_v3_fntp_carte_professionnelle_travaux_publics",
     "/v3/fntp/unites_legales/{siren}/carte_professionnelle_travaux_publics", Api::Entreprise},
    {"api_entreprise_v3_gip_mds_effectifs_annuels_entreprise",
     "/v3/gip_mds/unites_legales/{siren}/effectifs_annuels/{year}", Api::Entreprise},
    {"api_entreprise_v3_gip_mds_effectifs_mensuels_etablissement",
     "/v3/gip_mds/etablissements/{siret}/effectifs_mensuels/{month}/annee/{year}", Api::Entreprise},
    {"api_entreprise_v3_infogreffe_extraits_rcs",
     "/v3/infogreffe/rcs/unites_legales/{siren}/extrait_kbis", Api::Entreprise},
    {"api_entreprise_v3_infogreffe_mandataires_sociaux",
     "/v3/infogreffe/rcs/unites_legales/{siren}/mandataires_sociaux", Api::Entreprise},
    {"api_entreprise_v3_inpi_rne_actes_bilans",
     "/v3/inpi/rne/unites_legales/open_data/{siren}/actes_bilans", Api::Entreprise},
    {"api_entreprise_v3_inpi_rne_beneficiaires_effectifs",
     "/v3/inpi/rne/unites_legales/{siren}/beneficiaires_effectifs", Api::Entreprise},
    {"api_entreprise_v3_inpi_rne_extrait_rne", "/v3/inpi/rne/unites_legales/{siren}/extrait_rne",
     Api::Entreprise},
    {"api_entreprise_v3_insee_adresses_etablissements",
     "/v3/insee/sirene/etablissements/{siret}/adresse", Api::Entreprise},
    {"api_entreprise_v3_insee_adresses_etablissements_diffusables",
     "/v3/insee/sirene/etablissements/diffusibles/{siret}/adresse", Api::Entreprise},
    {"api_entreprise_v3_insee_etablissements", "/v3/insee/sirene/etablissements/{siret}",
     Api::Entreprise},
    {"api_entreprise_v4_insee_etablissements", "/v4/insee/sirene/etablissements/{siret}",
     Api::Entreprise},
    {"api_entreprise_v3_insee_etablissements_diffusables",
     "/v3/insee/sirene/etablissements/diffusibles/{siret}", Api::Entreprise},
    {"api_entreprise_v4_insee_etablissements_diffusables",
     "/v4/insee/sirene/etablissements/diffusibles/{siret}", Api::Entreprise},
    {"api_entreprise_v3_insee_sieges_diffusables_unites_legales",
     "/v3/insee/sirene/unites_legales/diffusibles/{siren}/siege_social", Api::Entreprise},
    {"api_entreprise_v4_insee_sieges_diffusables_unites_legales",
     "/v4/insee/sirene/unites_legales/diffusibles/{siren}/siege_social", Api::Entreprise},
    {"api_entreprise_v3_insee_sieges_unites_legales",
     "/v3/insee/sirene/unites_legales/{siren}/siege_social", Api::Entreprise},
    {"api_entreprise_v4_insee_sieges_unites_legales",
     "/v4/insee/sirene/unites_legales/{siren}/siege_social", Api::Entreprise},
    {"api_entreprise_v3_insee_successions", "/v3/insee/sirene/etablissements/{siret}/successions",
     Api::Entreprise},
    {"api_entreprise_v3_insee_unites_legales", "/v3/insee/sirene/unites_legales/{siren}",
     Api::Entreprise},
    {"api_entreprise_v4_insee_unites_legales", "/v4/insee/sirene/unites_legales/{siren}",
     Api::Entreprise},
    {"api_entreprise_v3_insee_unites_legales_diffusables",
     "/v3/insee/sirene/unites_legales/diffusibles/{siren}", Api::Entreprise},
    {"api_entreprise_v4_insee_unites_legales_diffusables",
     "/v4/insee/sirene/unites_legales/diffusibles/{siren}", Api::Entreprise},
    {"api_entreprise_v3_mi_documents_associations",
     "/v3/ministere_interieur/rna/associations/{siret_or_rna}/documents", Api::Entreprise},
    {"api_entreprise_v3_mi_associations", "/v3/ministere_interieur/rna/associations/{siret_or_rna}",
     Api::Entreprise},
    {"api_entreprise_v3_msa_conformites_cotisations",
     "/v3/msa/etablissements/{siret}/conformite_cotisations", Api::Entreprise},
    {"api_entreprise_v3_opqibi_certifications_ingenierie",
     "/v3/opqibi/unites_legales/{siren}/certification_ingenierie", Api::Entreprise},
    {"api_entreprise_v3_probtp_attestations_cotisation_retraite",
     "/v3/probtp/etablissements/{siret}/attestation_cotisations_retraite", Api::Entreprise},
    {"api_entreprise_v3_probtp_conformites_cotisations_retraite",
     "/v3/probtp/etablissements/{siret}/conformite_cotisations_retraite", Api::Entreprise},
    {"api_entreprise_v3_qualibat_certifications_batiment",
     "/v3/qualibat/etablissements/{siret}/certification_batiment", Api::Entreprise},
    {"api_entreprise_v4_qualibat_certifications_batiment",
     "/v4/qualibat/etablissements/{siret}/certification_batiment", Api::Entreprise},
    {"api_entreprise_v3_qualifelec_certificats",
     "/v3/qualifelec/etablissements/{siret}/certificats", Api::Entreprise},
    {"api_entreprise_v3_rnm_entreprises_artisanales", "/v3/cma_france/rnm/unites_legales/{siren}",
     Api::Entreprise},
    {"api_entreprise_v4_acoss_attestations_sociales",
     "/v4/urssaf/unites_legales/{siren}/attestation_vigilance", Api::Entreprise},
};

}  // namespace

std::span<const Route> allRoutes() noexcept { return kRoutes; }

const Route* routeForOperation(std::string_view operation_id) noexcept {
    const auto* it = std::find_if(std::begin(kRoutes), std::end(kRoutes), [&](const Route& route) {
        return route.operation_id == operation_id;
    });
    return it == std::end(kRoutes) ? nullptr : it;
}

std::string_view apiName(Api api) noexcept {
    return api == Api::Particulier ? "API Particulier" : "API Entreprise";
}

bool isFranceConnect(const Route& route) noexcept {
    return route.path.ends_with("/france_connect");
}

int matchPath(const Route& route, const std::vector<std::string>& segments, Params& params) {
    std::string_view rest = route.path;
    Params captured;
    int literals = 0;
    for (const std::string& segment : segments) {
        if (rest.empty() || rest.front() != '/') return -1;
        rest.remove_prefix(1);
        const auto end = rest.find('/');
        const std::string_view pattern = rest.substr(0, end);
        rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
        if (pattern.size() > 2 && pattern.front() == '{' && pattern.back() == '}') {
            if (segment.empty()) return -1;
            captured[std::string(pattern.substr(1, pattern.size() - 2))].push_back(segment);
        } else if (pattern == segment) {
            ++literals;
        } else {
            return -1;
        }
    }
    if (!rest.empty()) return -1;
    for (auto& [name, values] : captured) params[name] = std::move(values);
    return literals;
}

}  // namespace relais::mock_api
