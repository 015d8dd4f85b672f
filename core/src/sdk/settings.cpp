// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/sdk/settings.h"

namespace relais::sdk {
namespace {

// `ms` in the largest whole unit of the config syntax: `24h`, `10m`, `30s`, `250ms`.
std::string durationText(std::int64_t ms) {
    constexpr std::int64_t kSecond = 1000;
    constexpr std::int64_t kMinute = 60 * kSecond;
    constexpr std::int64_t kHour = 60 * kMinute;
    if (ms != 0 && ms % kHour == 0) return std::to_string(ms / kHour) + "h";
    if (ms != 0 && ms % kMinute == 0) return std::to_string(ms / kMinute) + "m";
    if (ms != 0 && ms % kSecond == 0) return std::to_string(ms / kSecond) + "s";
    return std::to_string(ms) + "ms";
}

}  // namespace

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

Result<int> timeoutMs(const Settings& settings, const std::string& key, std::int64_t fallback_ms,
                      std::int64_t max_ms) {
    const Setting* s = settings.find(key);
    const std::int64_t ms = s != nullptr ? s->integer : fallback_ms;
    if (ms <= 0 || ms > max_ms) {
        return fail(ErrorCode::InvalidArgument,
                    key + ": must be more than 0 and at most " + durationText(max_ms), key);
    }
    return static_cast<int>(ms);
}

}  // namespace relais::sdk
