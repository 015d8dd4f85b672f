// SPDX-License-Identifier: AGPL-3.0-or-later
#include "config/route_reader.h"

#include "relais/config/xml.h"

namespace relais::config::detail {

void RouteReader::read(const xmlNode* element) {
    RouteConfig route;
    route.where = in_.where(element);
    route.procedure = in_.requiredAttribute(element, "procedure");
    route.connector = in_.requiredAttribute(element, "connector");
    const auto name = xmlAttribute(element, "name");
    route.name = name ? *name : route.procedure + "->" + route.connector;
    const std::string context = "route " + inQuotes(route.name);
    if (const auto [first, fresh] = routes_.emplace(route.name, element); !fresh) {
        in_.fail(element, context + ": a route with this name is already declared at line " +
                              std::to_string(lineOf(first->second)) +
                              (name ? ""
                                    : " (a route without a name is named "
                                      "<procedure>-><connector>: give each one a name)"));
    }
    const InstanceRef* target = instances_.find(route.connector);
    if (target == nullptr) {
        in_.fail(element, context + ", attribute 'connector': no connector named " +
                              inQuotes(route.connector));
    }
    if (target->kind != InstanceKind::Connector && !target->inbox) {
        in_.fail(element, context + ", attribute 'connector': " + inQuotes(route.connector) +
                              " is an adapter (line " + std::to_string(lineOf(target->node)) +
                              "), not a connector; routes deliver to connectors");
    }
    route.mapping = in_.pathAttribute(element, "mapping").value_or("");
    route.mode = in_.attributeOr(element, "mode", route.mode);
    route.condition = in_.attributeOr(element, "condition", "");
    route.on_sync_failure = in_.attributeOr(element, "on-sync-failure", route.on_sync_failure);
    route.response_mapping = in_.pathAttribute(element, "response-mapping").value_or("");
    if (route.mode != "sync" &&
        (xmlAttribute(element, "on-sync-failure") || !route.response_mapping.empty())) {
        in_.fail(element, context +
                              ": 'on-sync-failure' and 'response-mapping' apply to "
                              "mode=\"sync\" routes only");
    }
    if (route.mode == "sync" && target->inbox) {
        in_.fail(element, context +
                              ": an inbox cannot be delivered synchronously (the "
                              "application fetches its dossiers later)");
    }
    config_.routes.push_back(std::move(route));
}

}  // namespace relais::config::detail
