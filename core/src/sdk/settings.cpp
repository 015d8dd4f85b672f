// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/sdk/settings.h"

namespace relais::sdk {

std::string_view toString(ConfigType type) noexcept {
    switch (type) {
        case ConfigType::String:
            return "string";
        case ConfigType::Integer:
            return "integer";
        case ConfigType::Boolean:
            return "boolean";
        case ConfigType::Duration:
            return "duration";
        case ConfigType::Url:
            return "url";
        case ConfigType::Path:
            return "path";
        case ConfigType::Secret:
            return "secret";
        case ConfigType::List:
            return "list";
        case ConfigType::Enum:
            return "enum";
    }
    return "string";
}

Settings::Settings(std::vector<Setting> settings) : settings_(std::move(settings)) {}

const Setting* Settings::find(std::string_view name) const noexcept {
    for (const auto& s : settings_) {
        if (s.name == name) return &s;
    }
    return nullptr;
}

bool Settings::has(std::string_view name) const noexcept { return find(name) != nullptr; }

std::string Settings::string(std::string_view name, std::string_view fallback) const {
    const auto* s = find(name);
    return s != nullptr ? s->text : std::string(fallback);
}

std::int64_t Settings::integer(std::string_view name, std::int64_t fallback) const noexcept {
    const auto* s = find(name);
    return s != nullptr ? s->integer : fallback;
}

bool Settings::boolean(std::string_view name, bool fallback) const noexcept {
    const auto* s = find(name);
    return s != nullptr ? s->boolean : fallback;
}

std::chrono::milliseconds Settings::duration(std::string_view name,
                                             std::chrono::milliseconds fallback) const noexcept {
    const auto* s = find(name);
    return s != nullptr ? std::chrono::milliseconds(s->integer) : fallback;
}

std::vector<std::string> Settings::list(std::string_view name) const {
    const auto* s = find(name);
    return s != nullptr ? s->list : std::vector<std::string>{};
}

}  // namespace relais::sdk
