// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "relais/sdk/attribute.h"
#include "relais/sdk/result.h"
#include "relais/sdk/subject.h"

namespace relais::config {
struct Config;
struct ContractConfig;
}  // namespace relais::config
namespace relais::store {
class Store;
}
namespace relais::plugin {
class InstanceManager;
}
namespace relais::metrics {
class Counter;
class Registry;
}  // namespace relais::metrics
namespace relais::log {
class Logger;
}
namespace relais::sdk {
class Clock;
}

/// @file
/// `PrefillService`: "tell us once". A portal asks what the administration already knows
/// about a subject for a procedure; the contract decides what may be read, the vault serves
/// fresh and sufficient values, providers (national APIs) fill the gaps, and every read is
/// audited before the data leaves.

namespace relais::subjects {

class AttributeVault;

/// Who the portal asks about. At least one identifier; the strongest given decides.
struct SubjectQuery {
    std::string subject_id;                   ///< relais subject id
    std::string fc_sub;                       ///< FranceConnect pairwise `sub`
    std::optional<sdk::IdentityPivot> pivot;  ///< as given (normalised by the service)
    std::string siren;
    std::string siret;
    std::string access_token;  ///< a FranceConnect access token, for providers to introspect
    std::map<std::string, std::string> identifiers;  ///< `ine`… passed on to providers
};

struct PrefillRequest {
    std::string client;     ///< authenticated API client
    std::string procedure;  ///< from the path
    SubjectQuery subject;
    std::vector<std::string> names;  ///< attributes asked for; empty: the whole contract
};

/// An attribute the answer cannot give, and why.
struct MissingAttribute {
    std::string name;
    /// `unknown` (nobody holds it), `expired`, `insufficient_level` (held below the
    /// contract's minimum), `provider_failed` (the provider could not answer now),
    /// `provider_refused` (the provider will not answer for this subject).
    std::string reason;
    std::string detail;
};

struct PrefillResult {
    const config::ContractConfig* contract = nullptr;
    std::string subject_id;  ///< empty when the subject is not stored (token-only answer)
    std::string fc_sub;
    std::vector<sdk::Attribute> attributes;  ///< served, in contract order
    std::vector<MissingAttribute> missing;
    /// Every `required` attribute of the asked set is served at or above its minimum level.
    bool coverage = false;
    int fetched = 0;  ///< values fetched from providers for this answer
};

/// Threading: `prefill` may be called concurrently. Every referenced object outlives the
/// service.
class PrefillService {
public:
    PrefillService(const config::Config& config, store::Store& store, AttributeVault& vault,
                   plugin::InstanceManager& instances, const sdk::Clock& clock, log::Logger& logger,
                   metrics::Registry& metrics);

    /// Errors: `Forbidden` (no contract for this client and procedure, or an attribute
    /// outside it — named; the refusal is audited), `InvalidArgument` (no identifier, an
    /// incomplete identity pivot — the field is named), `NotFound` (the subject is unknown
    /// to relais and to every provider asked), `Internal` (store failure: nothing served).
    sdk::Result<PrefillResult> prefill(const PrefillRequest& request);

private:
    struct Resolved;

    sdk::Result<Resolved> resolve(const SubjectQuery& query, bool may_fetch);
    void audit(const PrefillRequest& request, const config::ContractConfig* contract,
               const std::string& subject_id, const std::string& attributes,
               const std::string& outcome);

    const config::Config& config_;
    store::Store& store_;
    AttributeVault& vault_;
    plugin::InstanceManager& instances_;
    const sdk::Clock& clock_;
    log::Logger& logger_;
    metrics::Counter& hits_;
    metrics::Counter& misses_;
    metrics::Counter& fetches_;
    metrics::Counter& refusals_;
};

}  // namespace relais::subjects
