// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "relais/sdk/connector.h"

#include "apistration.h"

/// @file
/// The API Entreprise provider: verified attributes about a company or an administration
/// (INSEE Sirene data, URSSAF attestation de vigilance) read from DINUM's API Entreprise.

namespace relais::plugins::api_entreprise {

/// Attribute names this provider serves (README.md gives each one's endpoint, value shape
/// and validity).
namespace attribute {
inline constexpr std::string_view kUniteLegale = "unite_legale";
inline constexpr std::string_view kEtablissement = "etablissement";
inline constexpr std::string_view kAttestationVigilance = "attestation_vigilance";
}  // namespace attribute

/// The validated configuration. Immutable once built.
struct EntrepriseConfig {
    apistration::ApiConfig api;
    std::string context;  ///< template: `{procedure}` and `{purpose}` are replaced per call
    std::string object;   ///< same
};

/// Builds the configuration: the common keys (see `apistration::buildApiConfig`) plus
/// `context` and `object`, which must be non-empty, hold no control character and no
/// placeholder other than `{procedure}` and `{purpose}`. `InvalidArgument` naming the key.
sdk::Result<EntrepriseConfig> buildConfig(const sdk::Settings& settings,
                                          const sdk::Secrets& secrets);

/// `text` with `{procedure}` and `{purpose}` replaced. `InvalidArgument` naming `procedure`
/// or `purpose` when the template uses one and the query has none (API Entreprise refuses
/// an empty context or object, and an operator reading its logs must see why a call was
/// made).
sdk::Result<std::string> expand(std::string_view text, const sdk::AttributeQuery& query);

/// `fetchAttributes` makes one call per attribute asked for and returns only those. The
/// SIREN is `query.subject.siren` or, when only a SIRET is known, its first nine digits.
///
/// Errors: everything is checked before the first call (`InvalidArgument` whose field is
/// `subject.siren` or `subject.siret` when one is missing or malformed); then a `NotFound`
/// from one endpoint only leaves its name out, and the result is `NotFound` when no
/// endpoint knew the company; a 451 (entity not open to disclosure) is `Permanent`; any
/// other error (see `apistration::get`) is returned at once.
///
/// Threading: `configure` runs on the control thread before any operation; afterwards the
/// configuration is immutable and calls may run concurrently (declared reentrant).
class ApiEntrepriseConnector : public sdk::Connector {
public:
    explicit ApiEntrepriseConnector(sdk::Host& host);

    sdk::Result<void> configure(const sdk::Settings& settings) override;
    sdk::Result<std::vector<sdk::Attribute>> fetchAttributes(
        const sdk::AttributeQuery& query) override;

private:
    /// One call, with its metrics and log line. `endpoint` is the path template.
    sdk::Result<sdk::Json> call(const apistration::Call& call, std::string_view endpoint) const;

    std::shared_ptr<const EntrepriseConfig> config_;  // set by configure, then read-only
};

}  // namespace relais::plugins::api_entreprise
