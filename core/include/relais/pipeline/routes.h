// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "relais/config/config.h"
#include "relais/pipeline/retry_policy.h"
#include "relais/sdk/dossier.h"

namespace relais::mapping {
class Mapping;
class Condition;
}  // namespace relais::mapping
namespace relais::plugin {
class Instance;
class InstanceManager;
}  // namespace relais::plugin

/// @file
/// The routes of the configuration, resolved: connector instances found, mappings and
/// conditions loaded and compiled once.

namespace relais::pipeline {

struct Route {
    std::string name;
    std::string procedure;                                     ///< procedure code or `*`
    std::string target;                                        ///< connector or inbox name
    plugin::Instance* connector = nullptr;                     ///< null for an inbox
    std::shared_ptr<const mapping::Mapping> mapping;           ///< null: the fields as JSON
    std::shared_ptr<const mapping::Mapping> response_mapping;  ///< sync answers; may be null
    std::shared_ptr<const mapping::Condition> condition;       ///< null: every dossier
    bool sync = false;
    bool dead_on_sync_failure = false;
    RetryPolicy retry;
    config::SourceLocation where;

    bool isInbox() const noexcept { return connector == nullptr; }
};

/// Immutable after construction; shared by the ingest path and the workers.
class RouteTable {
public:
    /// Resolves every route of `config`. Throws `ConfigError` naming the route's `file:line`
    /// (and the mapping file's own `file:line` for a mapping that does not load): unknown
    /// connector, a connector that cannot deliver, a condition that does not parse, two
    /// synchronous routes for one procedure.
    RouteTable(const config::Config& config, plugin::InstanceManager& instances);

    const Route* find(std::string_view name) const noexcept;
    const std::vector<Route>& routes() const noexcept { return routes_; }

    /// Whether any route takes dossiers of `procedure` (before conditions).
    bool knowsProcedure(std::string_view procedure) const noexcept;

    /// The routes a dossier goes to: procedure matches and condition holds, in config order.
    std::vector<const Route*> matching(const sdk::Dossier& dossier) const;

private:
    std::vector<Route> routes_;
};

}  // namespace relais::pipeline
