// SPDX-License-Identifier: AGPL-3.0-or-later
#include "core/plugin/host_services.h"

#include <sstream>

#include "relais/sdk/json.h"

namespace relais::plugin::test {

sdk::Result<sdk::HttpResponse> NoNetwork::send(const sdk::HttpRequest& request) {
    return sdk::fail(sdk::ErrorCode::Unavailable, "no network in plugin tests: " + request.url);
}

HostServices::HostServices()
    : sink_(dir_.file("relais.log")),
      secrets_(dir_.path()),
      services_{sink_, metrics_, clock_, http_, secrets_, dir_.file("data"), sdk::LogLevel::Info} {}

std::vector<std::pair<std::string, std::string>> HostServices::lifecycle() const {
    std::vector<std::pair<std::string, std::string>> steps;
    std::istringstream lines(relais::test::readFileOrFail(dir_.file("relais.log")));
    const std::string prefix = "lifecycle ";
    for (std::string line; std::getline(lines, line);) {
        auto parsed = sdk::Json::parse(line);
        if (!parsed) continue;
        const sdk::Json* logger = parsed->find("logger");
        const sdk::Json* message = parsed->find("msg");
        if (logger == nullptr || message == nullptr) continue;
        if (!message->asString().starts_with(prefix)) continue;
        steps.emplace_back(logger->asString(), message->asString().substr(prefix.size()));
    }
    return steps;
}

std::vector<std::string> HostServices::lifecycleOf(const std::string& instance) const {
    std::vector<std::string> steps;
    for (auto& [logger, step] : lifecycle()) {
        if (logger == instance) steps.push_back(step);
    }
    return steps;
}

std::string fixtureDirectory() { return RELAIS_FIXTURE_PLUGIN_DIR; }

std::string fixturePath(const std::string& name) {
    return fixtureDirectory() + "/lib" + name + ".so";
}

config::InstanceConfig instanceConfig(
    const std::string& name, const std::string& plugin,
    const std::vector<std::pair<std::string, std::string>>& params, int line,
    config::InstanceKind kind) {
    config::InstanceConfig instance;
    instance.kind = kind;
    instance.name = name;
    instance.plugin = plugin;
    instance.where = {"/etc/relais/relais.xml", line};
    int param_line = line;
    for (const auto& [key, value] : params) {
        instance.params.push_back({key, value, {"/etc/relais/relais.xml", ++param_line}});
    }
    return instance;
}

}  // namespace relais::plugin::test
