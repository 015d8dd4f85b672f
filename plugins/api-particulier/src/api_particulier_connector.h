// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <memory>
#include <string_view>

#include "relais/sdk/connector.h"

#include "apistration.h"

/// @file
/// The API Particulier provider: verified attributes about a person (family quotient, RSA,
/// student and job-seeker status) read from DINUM's API Particulier v3.

namespace relais::plugins::api_particulier {

/// Attribute names this provider serves: the contract between relais prefill contracts and
/// this plugin (README.md gives each one's endpoint, value shape and validity).
namespace attribute {
inline constexpr std::string_view kQuotientFamilial = "quotient_familial";
inline constexpr std::string_view kCompositionFamiliale = "composition_familiale";
inline constexpr std::string_view kAdresseCaf = "adresse_caf";
inline constexpr std::string_view kRevenuSolidariteActive = "revenu_solidarite_active";
inline constexpr std::string_view kStatutEtudiant = "statut_etudiant";
inline constexpr std::string_view kStatutFranceTravail = "statut_france_travail";
}  // namespace attribute

/// Identifiers it reads from `AttributeQuery::identifiers`.
namespace identifier {
inline constexpr std::string_view kIne = "ine";
inline constexpr std::string_view kFranceTravail = "identifiant_france_travail";
}  // namespace identifier

/// `fetchAttributes` makes one call per endpoint needed by the names asked for (the three
/// family-quotient attributes share one call) and returns only those names.
///
/// Calling modes: with `query.access_token` (a FranceConnect access token), the
/// `/france_connect` endpoints, with that token as bearer (the API introspects it and knows
/// the person); otherwise the `/identite` endpoints with the identity pivot, or the
/// identifier endpoints (INE, France Travail id).
///
/// Errors: everything is checked before the first call (`InvalidArgument` naming the
/// missing pivot part or identifier); then a `NotFound` from one endpoint only leaves its
/// names out, and the result is `NotFound` when no endpoint knew the person; any other
/// error (see `apistration::get`) is returned at once.
///
/// Threading: `configure` runs on the control thread before any operation; afterwards the
/// configuration is immutable and calls may run concurrently (declared reentrant).
class ApiParticulierConnector : public sdk::Connector {
public:
    explicit ApiParticulierConnector(sdk::Host& host);

    sdk::Result<void> configure(const sdk::Settings& settings) override;
    sdk::Result<std::vector<sdk::Attribute>> fetchAttributes(
        const sdk::AttributeQuery& query) override;

private:
    /// One call, with its metrics and log line.
    sdk::Result<sdk::Json> call(const apistration::Call& call, std::string_view endpoint) const;

    std::shared_ptr<const apistration::ApiConfig> config_;  // set by configure, then read-only
};

}  // namespace relais::plugins::api_particulier
