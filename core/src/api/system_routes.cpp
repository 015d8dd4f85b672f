// SPDX-License-Identifier: AGPL-3.0-or-later
// Liveness, readiness, metrics and the connectors page: what operators and probes call.

#include "relais/api/routes.h"
#include "relais/http/authenticator.h"
#include "relais/http/router.h"
#include "relais/metrics/registry.h"
#include "relais/plugin/instance.h"
#include "relais/plugin/library.h"
#include "relais/store/store.h"

namespace relais::api {
namespace {

std::string operationsOf(const relais_plugin_descriptor& descriptor) {
    using namespace sdk::operation;
    static constexpr std::pair<std::uint32_t, const char*> kNames[] = {
        {kDeliver, "deliver"},
        {kPoll, "poll"},
        {kFetchAttributes, "fetchAttributes"},
        {kEndpoints, "endpoints"},
        {kParseInbound, "parseInbound"},
        {kPushEvent, "pushEvent"},
        {kFetchAttachment, "fetchAttachment"},
        {kHealth, "health"}};
    std::string out;
    for (const auto& [bit, name] : kNames) {
        if ((descriptor.operations & bit) == 0) continue;
        if (!out.empty()) out += ' ';
        out += name;
    }
    return out;
}

http::Response readiness(Context& context) {
    sdk::Json checks = sdk::Json::object();
    bool ready = context.ready.load();
    checks.set("started", ready);

    const auto ping = context.store.ping();
    checks.set("store", ping ? std::string("ok") : ping.error().message);
    ready = ready && ping.ok();

    sdk::Json plugins = sdk::Json::object();
    plugins.set("loaded", context.plugins.libraries().size());
    plugins.set("refused", context.plugins.failures().size());
    plugins.set("instances", context.instances.instances().size());
    checks.set("plugins", std::move(plugins));

    sdk::Json body = sdk::Json::object();
    body.set("status", ready ? "ready" : "not_ready");
    body.set("checks", std::move(checks));
    return http::jsonResponse(ready ? 200 : 503, body);
}

http::Response connectors(Context& context, const http::Request& request) {
    const bool with_health = request.queryParam("health") == "1";
    sdk::Json list = sdk::Json::array();
    for (const auto& instance : context.instances.instances()) {
        if (!request.client->mayUseInstance(instance->name())) continue;
        sdk::Json item = sdk::Json::object();
        item.set("name", instance->name());
        item.set("plugin", std::string(instance->pluginId()));
        item.set("kind", instance->kind() == sdk::PluginKind::Connector ? "connector" : "adapter");
        item.set("version", instance->descriptor().version);
        item.set("operations", operationsOf(instance->descriptor()));
        if (with_health) {
            const auto health = instance->health();
            sdk::Json h = sdk::Json::object();
            h.set("healthy", health.ok() && health->healthy);
            h.set("detail", health.ok() ? health->detail : health.error().message);
            item.set("health", std::move(h));
        }
        list.push(std::move(item));
    }
    sdk::Json body = sdk::Json::object();
    body.set("connectors", std::move(list));
    return http::jsonResponse(200, body);
}

}  // namespace

void addSystemRoutes(http::Router& router, Context& context) {
    router.add({"GET", "/healthz", "healthz", "",
                [](http::Request&) {
                    return http::jsonResponse(200, sdk::Json::Object{{"status", "ok"}});
                },
                0, true});
    router.add({"GET", "/readyz", "readyz", std::string(http::rights::kMetricsRead),
                [&context](http::Request&) { return readiness(context); }, 0, true});
    router.add({"GET", "/metrics", "metrics", std::string(http::rights::kMetricsRead),
                [&context](http::Request&) {
                    http::Response response;
                    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
                    response.body = context.metrics.render();
                    return response;
                },
                0});
    router.add({"GET", "/v1/connectors", "connectors_list",
                std::string(http::rights::kConnectorsRead),
                [&context](http::Request& request) { return connectors(context, request); }, 0});
}

}  // namespace relais::api
