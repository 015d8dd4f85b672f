// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "relais/sdk/result.h"
#include "relais/sdk/visibility.h"

/// @file
/// How a plugin describes its configuration keys, and the validated values it receives.

namespace relais::sdk {

/// The type of a configuration key. The host parses and checks the text of the config file
/// against it before the plugin sees anything.
enum class ConfigType : std::uint32_t {
    String = 0,    ///< any text
    Integer = 1,   ///< signed 64-bit decimal
    Boolean = 2,   ///< `true` / `false`
    Duration = 3,  ///< `250ms`, `30s`, `5m`, `2h`, `7d` (a bare number is seconds)
    Url = 4,       ///< absolute `http://` or `https://` URL
    Path = 5,      ///< file system path, relative ones resolved against the config file
    Secret = 6,    ///< a reference `env:NAME` or `file:/path`, never an inline value
    List = 7,      ///< comma-separated strings, each trimmed
    Enum = 8,      ///< one of the `|`-separated words in `choices`
};

/// Stable lower-case name of a config type.
RELAIS_SDK_API std::string_view toString(ConfigType type) noexcept;

}  // namespace relais::sdk

extern "C" {

/// One configuration key of a plugin, as plain data in the descriptor (a Fluent Bit style
/// config map). All strings are static and owned by the plugin library.
struct relais_config_key {
    const char* name;  ///< key as written in the config file
    relais::sdk::ConfigType type;
    bool required;              ///< must be given (then `default_value` is ignored)
    const char* default_value;  ///< text parsed like a configured value; null or "" for none
    const char* doc;            ///< one line for `relais plugins`
    const char* choices;        ///< for `Enum`: `a|b|c`; null otherwise
};
}

namespace relais::sdk {

/// One validated setting.
struct Setting {
    std::string name;
    ConfigType type = ConfigType::String;
    std::string text;               ///< as written (for `Secret`: the reference, never the value)
    std::int64_t integer = 0;       ///< `Integer`; `Duration` in milliseconds
    bool boolean = false;           ///< `Boolean`
    std::vector<std::string> list;  ///< `List`
    bool from_default = false;      ///< the config did not give it
};

/// The validated settings of one plugin instance, handed to `Component::configure`.
/// Every key declared by the plugin with a value or a default is present; keys the config
/// did not give and that have no default are absent. Immutable once built; safe to read
/// from any thread.
class RELAIS_SDK_API Settings {
public:
    Settings() = default;
    explicit Settings(std::vector<Setting> settings);

    bool has(std::string_view name) const noexcept;
    /// The setting, or null when absent.
    const Setting* find(std::string_view name) const noexcept;

    /// Typed reads; an absent key gives the fallback.
    std::string string(std::string_view name, std::string_view fallback = {}) const;
    std::int64_t integer(std::string_view name, std::int64_t fallback = 0) const noexcept;
    bool boolean(std::string_view name, bool fallback = false) const noexcept;
    std::chrono::milliseconds duration(std::string_view name,
                                       std::chrono::milliseconds fallback = {}) const noexcept;
    std::vector<std::string> list(std::string_view name) const;

    const std::vector<Setting>& all() const noexcept { return settings_; }

private:
    std::vector<Setting> settings_;
};

/// The duration setting `key` in milliseconds, as the `int` an HTTP client timeout takes;
/// `fallback_ms` when `settings` lacks it. `InvalidArgument` (field `key`, message
/// `<key>: must be more than 0 and at most <max_ms>`, the maximum written `24h`, `10m`,
/// `30s` or `250ms`) when the value is 0 or less or above `max_ms`, which must be at most
/// `INT_MAX`. For `configure`; thread-safe like `Settings`.
RELAIS_SDK_API Result<int> timeoutMs(const Settings& settings, const std::string& key,
                                     std::int64_t fallback_ms, std::int64_t max_ms);

/// The configuration keys of the TLS files that `sdk::http::readTlsFiles` reads (`ca-file`,
/// `client-certificate`, `client-key`), described once: a plugin that calls HTTPS services
/// appends them to its own table with `joinConfigKeys` instead of copying them.
inline constexpr std::array<relais_config_key, 3> kTlsConfigKeys = {{
    {"ca-file", ConfigType::Path, false, "",
     "PEM bundle of the CAs trusted for https; empty: the system's trust store", nullptr},
    {"client-certificate", ConfigType::Path, false, "",
     "PEM client certificate for mutual TLS (with client-key)", nullptr},
    {"client-key", ConfigType::Path, false, "", "PEM private key of client-certificate", nullptr},
}};

/// `first`'s keys then `second`'s, as one table for `PluginInfo::config_keys` (evaluated at
/// compile time; the entries point to string literals, nothing is copied at run time).
template <std::size_t N, std::size_t M>
constexpr std::array<relais_config_key, N + M> joinConfigKeys(
    const std::array<relais_config_key, N>& first, const std::array<relais_config_key, M>& second) {
    std::array<relais_config_key, N + M> all{};
    std::size_t at = 0;
    for (const relais_config_key& key : first) all[at++] = key;
    for (const relais_config_key& key : second) all[at++] = key;
    return all;
}

}  // namespace relais::sdk
