// SPDX-License-Identifier: AGPL-3.0-or-later
// InstanceManager, declared in relais/plugin/instance.h.
#include <algorithm>
#include <set>
#include <string>

#include <Poco/Exception.h>

#include "relais/common/errors.h"
#include "relais/host/services.h"
#include "relais/log/log.h"
#include "relais/plugin/instance.h"
#include "relais/plugin/library.h"

#include "plugin/config_value.h"

namespace relais::plugin {
namespace {

const char* kindName(sdk::PluginKind kind) noexcept {
    return kind == sdk::PluginKind::Connector ? "connector" : "adapter";
}

const char* elementName(config::InstanceKind kind) noexcept {
    return kind == config::InstanceKind::Connector ? "<connector>" : "<adapter>";
}

sdk::PluginKind pluginKindOf(config::InstanceKind kind) noexcept {
    return kind == config::InstanceKind::Connector ? sdk::PluginKind::Connector
                                                   : sdk::PluginKind::Adapter;
}

// What the registry offers, for an "unknown plugin" message: the accepted ids and the
// files it refused with their reasons (a refused library's id cannot be read safely, so the
// operator must see why each one was refused to recognise the plugin they meant).
std::string availability(const Registry& registry) {
    std::vector<std::string> ids;
    for (const auto& library : registry.libraries()) ids.emplace_back(library.id());
    std::sort(ids.begin(), ids.end());
    std::string out = "available: ";
    out += ids.empty() ? std::string("none") : ids.front();
    for (std::size_t i = 1; i < ids.size(); ++i) out += ", " + ids[i];
    if (!registry.failures().empty()) {
        out += "; refused: ";
        for (std::size_t i = 0; i < registry.failures().size(); ++i) {
            if (i > 0) out += ", ";
            const std::string& path = registry.failures()[i].path;
            out += path.substr(path.find_last_of('/') + 1);
            out += " (" + registry.failures()[i].reason + ")";
        }
    }
    return out;
}

// Where to point at when a plugin's `configure` refuses: the `<param>` its error names, or
// the instance.
const config::SourceLocation& whereOf(const config::InstanceConfig& instance,
                                      const std::string& field) noexcept {
    if (!field.empty()) {
        for (const auto& param : instance.params) {
            if (param.name == field) return param.where;
        }
    }
    return instance.where;
}

}  // namespace

InstanceManager::InstanceManager(const Registry& registry, const host::Services& services)
    : registry_(registry), services_(services) {}

InstanceManager::~InstanceManager() {
    stopAll();
    // Reverse order: a later instance may use an earlier one while it lives.
    while (!instances_.empty()) instances_.pop_back();
}

void InstanceManager::createAll(const config::Config& config) {
    if (!instances_.empty()) {
        throw Poco::IllegalStateException("InstanceManager::createAll called twice");
    }
    try {
        std::set<std::string, std::less<>> names;
        for (const auto& instance : config.instances) {
            const std::string where = detail::locationText(instance.where);
            if (!names.insert(instance.name).second) {
                throw ConfigError(where + ": instance '" + instance.name + "' is declared twice");
            }
            const Library* library = registry_.find(instance.plugin);
            if (library == nullptr) {
                throw ConfigError(where + ": instance '" + instance.name + "': no plugin '" +
                                  instance.plugin + "' in " + config.plugin_directory + " (" +
                                  availability(registry_) + ")");
            }
            const sdk::PluginKind kind = library->descriptor->kind;
            if (kind != pluginKindOf(instance.kind)) {
                throw ConfigError(
                    where + ": instance '" + instance.name + "': plugin '" + instance.plugin +
                    "' is " + (kind == sdk::PluginKind::Adapter ? "an " : "a ") + kindName(kind) +
                    ", it cannot be declared as " + elementName(instance.kind));
            }
            const sdk::Settings settings =
                validateSettings(*library->descriptor, instance, config.base_dir);
            auto created = std::make_unique<Instance>(*library, instance, services_);
            if (auto configured = created->configure(settings); !configured) {
                const sdk::Error& error = configured.error();
                std::string message = detail::locationText(whereOf(instance, error.field));
                message.append(": instance '").append(instance.name);
                message.append("' (plugin '").append(instance.plugin);
                message.append("') refused its configuration: ");
                if (!error.field.empty()) message.append("key '").append(error.field).append("': ");
                message.append(error.message);
                throw ConfigError(message);
            }
            instances_.push_back(std::move(created));
        }
    } catch (...) {
        while (!instances_.empty()) instances_.pop_back();
        throw;
    }
}

void InstanceManager::startAll() {
    for (std::size_t i = 0; i < instances_.size(); ++i) {
        Instance& instance = *instances_[i];
        auto started = instance.start();
        if (started) continue;
        const std::string message = started.error().message;
        // The failed one may have started part of its work; then those before it, newest
        // first.
        (void)instance.stop();
        for (std::size_t j = i; j-- > 0;) (void)instances_[j]->stop();
        started_ = false;
        throw PluginError(detail::locationText(instance.where()) + ": instance '" +
                          instance.name() + "' (plugin '" + std::string(instance.pluginId()) +
                          "') failed to start: " + message);
    }
    started_ = true;
}

void InstanceManager::stopAll() noexcept {
    for (std::size_t i = instances_.size(); i-- > 0;) {
        Instance& instance = *instances_[i];
        auto stopped = instance.stop();
        if (stopped) continue;
        try {
            log::Logger logger(services_.sink, "core.plugins", services_.default_level);
            logger.warn("instance failed to stop", {{"instance", instance.name()},
                                                    {"plugin", std::string(instance.pluginId())},
                                                    {"error", stopped.error().message}});
        } catch (...) {
            // Nothing left to report with: the instance is stopped as far as we can tell.
        }
    }
    started_ = false;
}

Instance* InstanceManager::find(std::string_view name) noexcept {
    for (const auto& instance : instances_) {
        if (instance->name() == name) return instance.get();
    }
    return nullptr;
}

}  // namespace relais::plugin
