// SPDX-License-Identifier: AGPL-3.0-or-later
// validateSettings, declared in relais/plugin/instance.h: a Fluent Bit style config map. The
// plugin's descriptor lists its keys; the config file's <param>s are checked against it
// once, at start-up, and the plugin receives typed, immutable settings.
#include <string>
#include <vector>

#include "relais/common/errors.h"
#include "relais/plugin/instance.h"

#include "plugin/config_value.h"

namespace relais::plugin {
namespace {

class Checker {
public:
    Checker(const relais_plugin_descriptor& descriptor, const config::InstanceConfig& instance)
        : descriptor_(descriptor), instance_(instance) {}

    [[noreturn]] void fail(const config::SourceLocation& where, const std::string& what) const {
        throw ConfigError(detail::locationText(where) + ": instance '" + instance_.name +
                          "' (plugin '" + descriptor_.id + "'): " + what);
    }

    std::string knownKeys() const {
        if (descriptor_.config_key_count == 0) return "this plugin takes no keys";
        std::string out = "known: ";
        for (std::uint32_t i = 0; i < descriptor_.config_key_count; ++i) {
            if (i > 0) out += ", ";
            out += descriptor_.config_keys[i].name;
        }
        return out;
    }

    // Index of the declared key `name`, or -1.
    int keyIndex(const std::string& name) const noexcept {
        for (std::uint32_t i = 0; i < descriptor_.config_key_count; ++i) {
            if (name == descriptor_.config_keys[i].name) return static_cast<int>(i);
        }
        return -1;
    }

private:
    const relais_plugin_descriptor& descriptor_;
    const config::InstanceConfig& instance_;
};

}  // namespace

sdk::Settings validateSettings(const relais_plugin_descriptor& descriptor,
                               const config::InstanceConfig& instance,
                               const std::string& base_dir) {
    const Checker check(descriptor, instance);
    const std::uint32_t key_count = descriptor.config_key_count;
    std::vector<const config::InstanceParam*> given(key_count, nullptr);
    std::vector<sdk::Setting> parsed(key_count);

    // File order, so that the first problem reported is the first one written.
    for (const auto& param : instance.params) {
        const int index = check.keyIndex(param.name);
        if (index < 0) {
            check.fail(param.where, "unknown key '" + param.name + "' (" + check.knownKeys() + ")");
        }
        const auto i = static_cast<std::size_t>(index);
        if (given[i] != nullptr) {
            std::string first = "first given at " + detail::locationText(given[i]->where);
            check.fail(param.where, "duplicate key '" + param.name + "' (" + first + ")");
        }
        given[i] = &param;
        const relais_config_key& key = descriptor.config_keys[i];
        if (const auto problem = detail::parseValue(key, param.value, base_dir, parsed[i])) {
            check.fail(param.where, detail::describeProblem(key.name, param.value, *problem));
        }
    }

    std::vector<sdk::Setting> settings;
    settings.reserve(key_count);
    for (std::uint32_t i = 0; i < key_count; ++i) {
        const relais_config_key& key = descriptor.config_keys[i];
        if (given[i] != nullptr) {
            settings.push_back(std::move(parsed[i]));
            continue;
        }
        if (key.required) {
            check.fail(instance.where, "missing required key '" + std::string(key.name) + "'");
        }
        if (key.default_value == nullptr || key.default_value[0] == '\0') continue;
        sdk::Setting setting;
        if (const auto problem = detail::parseValue(key, key.default_value, base_dir, setting)) {
            // The registry refuses such descriptors; this guards hand-built ones.
            check.fail(instance.where,
                       "the plugin's default for " +
                           detail::describeProblem(key.name, key.default_value, *problem));
        }
        setting.from_default = true;
        settings.push_back(std::move(setting));
    }
    return sdk::Settings(std::move(settings));
}

}  // namespace relais::plugin
