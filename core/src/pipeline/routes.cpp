// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/pipeline/routes.h"

#include <map>

#include "relais/common/errors.h"
#include "relais/mapping/condition.h"
#include "relais/mapping/mapping.h"
#include "relais/plugin/instance.h"
#include "relais/sdk/descriptor.h"

namespace relais::pipeline {
namespace {

std::string context(const config::RouteConfig& route) {
    return route.where.toString() + ": route '" + route.name + "'";
}

// Loads a mapping file named by a route; its own errors keep their `file:line` and say which
// route needed it.
std::shared_ptr<const mapping::Mapping> loadMapping(const config::RouteConfig& route,
                                                    const std::string& path,
                                                    std::string_view attribute) {
    try {
        return mapping::Mapping::load(path);
    } catch (const ConfigError& e) {
        throw ConfigError(e.message() + "\n  (the " + std::string(attribute) + " of " +
                          context(route) + ")");
    }
}

}  // namespace

RouteTable::RouteTable(const config::Config& config, plugin::InstanceManager& instances) {
    std::map<std::string, const config::RouteConfig*> sync_by_procedure;
    routes_.reserve(config.routes.size());
    for (const config::RouteConfig& rc : config.routes) {
        Route route{.name = rc.name,
                    .procedure = rc.procedure,
                    .target = rc.connector,
                    .connector = nullptr,
                    .mapping = nullptr,
                    .response_mapping = nullptr,
                    .condition = nullptr,
                    .sync = rc.mode == "sync",
                    .dead_on_sync_failure = rc.on_sync_failure == "dead",
                    .retry = RetryPolicy(config::RetryConfig{}),
                    .where = rc.where};

        bool inbox = false;
        for (const auto& declared : config.inboxes) inbox = inbox || declared.name == rc.connector;
        if (!inbox) {
            plugin::Instance* instance = instances.find(rc.connector);
            if (instance == nullptr || instance->kind() != sdk::PluginKind::Connector) {
                throw ConfigError(context(rc) + ": no connector instance '" + rc.connector + "'");
            }
            if (!instance->supports(sdk::operation::kDeliver)) {
                throw ConfigError(context(rc) + ": connector '" + rc.connector + "' (plugin '" +
                                  std::string(instance->pluginId()) +
                                  "') cannot deliver dossiers; it serves other operations");
            }
            route.connector = instance;
            route.retry = RetryPolicy(instance->retry());
        }

        if (!rc.mapping.empty()) route.mapping = loadMapping(rc, rc.mapping, "mapping");
        if (!rc.response_mapping.empty()) {
            route.response_mapping = loadMapping(rc, rc.response_mapping, "response-mapping");
        }
        if (!rc.condition.empty()) {
            auto condition = mapping::Condition::parse(rc.condition);
            if (!condition) {
                throw ConfigError(context(rc) +
                                  ", attribute 'condition': " + condition.error().message);
            }
            route.condition =
                std::make_shared<const mapping::Condition>(std::move(condition).value());
        }
        if (route.sync) {
            const auto [first, fresh] = sync_by_procedure.emplace(rc.procedure, &rc);
            if (!fresh) {
                throw ConfigError(context(rc) + ": procedure '" + rc.procedure +
                                  "' already has a synchronous route (" +
                                  first->second->where.toString() +
                                  "); a portal's request can wait for one delivery only");
            }
        }
        routes_.push_back(std::move(route));
    }
}

const Route* RouteTable::find(std::string_view name) const noexcept {
    for (const Route& route : routes_) {
        if (route.name == name) return &route;
    }
    return nullptr;
}

bool RouteTable::knowsProcedure(std::string_view procedure) const noexcept {
    for (const Route& route : routes_) {
        if (route.procedure == procedure || route.procedure == "*") return true;
    }
    return false;
}

std::vector<const Route*> RouteTable::matching(const sdk::Dossier& dossier) const {
    std::vector<const Route*> out;
    for (const Route& route : routes_) {
        if (route.procedure != dossier.procedure && route.procedure != "*") continue;
        if (route.condition && !route.condition->evaluate(dossier)) continue;
        out.push_back(&route);
    }
    return out;
}

}  // namespace relais::pipeline
