// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/plugin/library.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <set>
#include <sstream>
#include <system_error>

#include <boost/dll/shared_library.hpp>
#include <dlfcn.h>
#include <link.h>

#include "relais/common/errors.h"
#include "relais/sdk/abi.h"

#include "plugin/config_value.h"

namespace relais::plugin {
namespace fs = std::filesystem;

namespace {

constexpr const char* kDescriptorSymbol = "relais_plugin";
constexpr std::size_t kMaxIdLength = 64;

// RTLD_NOW: every undefined symbol is resolved at load, so a missing dependency or symbol
// refuses the library at start-up instead of killing a worker later. RTLD_LOCAL: plugins do
// not see each other's symbols. RTLD_NODELETE: a library is never unmapped, even when its
// last handle is closed. Objects, vtables and strings made by a plugin may outlive the
// `Registry` (a `Library` copy in an `Instance`, a string in a log line), and production
// never unloads a plugin anyway: dlclose buys nothing but use-after-unmap risks.
constexpr auto kLoadMode = static_cast<boost::dll::load_mode::type>(
    static_cast<unsigned>(boost::dll::load_mode::rtld_now) |
    static_cast<unsigned>(boost::dll::load_mode::rtld_local) | RTLD_NODELETE);

struct OperationName {
    std::uint32_t bit;
    const char* name;
};

constexpr OperationName kOperationNames[] = {
    {sdk::operation::kDeliver, "deliver"},
    {sdk::operation::kPoll, "poll"},
    {sdk::operation::kFetchAttributes, "fetchAttributes"},
    {sdk::operation::kEndpoints, "endpoints"},
    {sdk::operation::kParseInbound, "parseInbound"},
    {sdk::operation::kPushEvent, "pushEvent"},
    {sdk::operation::kFetchAttachment, "fetchAttachment"},
    {sdk::operation::kHealth, "health"},
};

constexpr std::uint32_t kConnectorOperations = sdk::operation::kDeliver | sdk::operation::kPoll |
                                               sdk::operation::kFetchAttributes |
                                               sdk::operation::kEndpoints | sdk::operation::kHealth;
constexpr std::uint32_t kAdapterOperations =
    sdk::operation::kParseInbound | sdk::operation::kPoll | sdk::operation::kPushEvent |
    sdk::operation::kFetchAttachment | sdk::operation::kHealth;
constexpr std::uint32_t kKnownFlags = sdk::plugin_flag::kReentrant |
                                      sdk::plugin_flag::kPersonalData |
                                      sdk::plugin_flag::kPublikAnswers;

bool isIdChar(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// `[a-z0-9][a-z0-9-]*`: plugin ids appear in config files, URLs and metric labels.
bool validId(std::string_view id) noexcept {
    if (id.empty() || id.size() > kMaxIdLength || !isIdChar(id.front())) return false;
    return std::all_of(id.begin(), id.end(), [](char c) { return isIdChar(c) || c == '-'; });
}

// Config key and endpoint names: what an XML attribute or a URL segment can carry plainly.
bool validName(std::string_view name) noexcept {
    if (name.empty() || name.size() > kMaxIdLength) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_' || c == '.';
    });
}

std::string hex(std::uint32_t value) {
    std::ostringstream out;
    out << "0x" << std::hex << value;
    return out.str();
}

std::string kindName(sdk::PluginKind kind) {
    switch (kind) {
        case sdk::PluginKind::Connector:
            return "connector";
        case sdk::PluginKind::Adapter:
            return "adapter";
    }
    return "kind " + std::to_string(static_cast<std::uint32_t>(kind));
}

std::string joinNames(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& name : names) {
        if (!out.empty()) out += ", ";
        out += name;
    }
    return out;
}

std::string keyLabel(std::uint32_t index, const relais_config_key& key) {
    std::string label = "config_keys[" + std::to_string(index) + "]";
    if (key.name != nullptr) label += " '" + std::string(key.name) + "'";
    return label;
}

std::string validateConfigKeys(const relais_plugin_descriptor& d) {
    if (d.config_key_count > 0 && d.config_keys == nullptr) {
        return "config_keys is null but config_key_count is " + std::to_string(d.config_key_count);
    }
    std::set<std::string, std::less<>> seen;
    for (std::uint32_t i = 0; i < d.config_key_count; ++i) {
        const relais_config_key& key = d.config_keys[i];
        const std::string label = keyLabel(i, key);
        if (key.name == nullptr || !validName(key.name)) {
            return label + ": name must match [A-Za-z0-9_.-]+ (at most 64 characters)";
        }
        if (!seen.insert(key.name).second) return label + ": name declared twice";
        if (!detail::isKnownType(key.type)) {
            return label + ": type " + std::to_string(static_cast<std::uint32_t>(key.type)) +
                   " is not a config type";
        }
        if (key.type == sdk::ConfigType::Enum && detail::enumChoices(key.choices).empty()) {
            return label + ": an enum needs choices ('a|b|c')";
        }
        if (!key.required && key.default_value != nullptr && key.default_value[0] != '\0') {
            // A relative path default is fine (it is resolved against the config file's
            // directory at use); "/" stands in for that directory here.
            sdk::Setting parsed;
            if (const auto problem = detail::parseValue(key, key.default_value, "/", parsed)) {
                std::string why = label + ": default ";
                if (problem->echo) why += "'" + std::string(key.default_value) + "' ";
                why += problem->what;
                if (!problem->detail.empty()) why += " (" + problem->detail + ")";
                return why;
            }
        }
    }
    return {};
}

std::string validateEndpoints(const relais_plugin_descriptor& d) {
    const bool declares = (d.operations & sdk::operation::kEndpoints) != 0;
    if (declares && d.endpoint_count == 0) {
        return "operations declare endpoints but endpoint_count is 0 (name them in endpoints)";
    }
    if (!declares && d.endpoint_count > 0) {
        return "endpoints are named but operations do not declare endpoints (callEndpoint)";
    }
    if (d.endpoint_count > 0 && d.endpoints == nullptr) {
        return "endpoints is null but endpoint_count is " + std::to_string(d.endpoint_count);
    }
    std::set<std::string, std::less<>> seen;
    for (std::uint32_t i = 0; i < d.endpoint_count; ++i) {
        const char* name = d.endpoints[i];
        const std::string label = "endpoints[" + std::to_string(i) + "]";
        if (name == nullptr || !validName(name)) {
            return label + ": name must match [A-Za-z0-9_.-]+ (at most 64 characters)";
        }
        if (!seen.insert(name).second) return label + " '" + name + "': declared twice";
    }
    return {};
}

// The file that defines the object at `address`, or empty when unknown.
std::string definingFile(const void* address) {
    Dl_info info{};
    if (::dladdr(address, &info) == 0 || info.dli_fname == nullptr) return {};
    return info.dli_fname;
}

// The file name the dynamic loader recorded for `handle`.
std::string loadedName(void* handle) {
    link_map* map = nullptr;
    if (::dlinfo(handle, RTLD_DI_LINKMAP, &map) != 0 || map == nullptr || map->l_name == nullptr) {
        return {};
    }
    return map->l_name;
}

}  // namespace

std::vector<std::string> operationNames(std::uint32_t operations) {
    std::vector<std::string> names;
    for (const auto& op : kOperationNames) {
        if ((operations & op.bit) != 0) names.emplace_back(op.name);
    }
    return names;
}

std::string validateDescriptor(const relais_plugin_descriptor& d) {
    if (d.kind != sdk::PluginKind::Connector && d.kind != sdk::PluginKind::Adapter) {
        return "kind " + std::to_string(static_cast<std::uint32_t>(d.kind)) +
               " is neither 1 (connector) nor 2 (adapter)";
    }
    if (d.id == nullptr) return "id is null";
    if (!validId(d.id)) {
        return "id '" + std::string(d.id) +
               "' must match [a-z0-9][a-z0-9-]* (at most 64 characters)";
    }
    if (d.version == nullptr || d.version[0] == '\0') return "version is empty";
    if (d.create == nullptr) return "create is null";
    if (d.destroy == nullptr) return "destroy is null";
    if (d.operations == 0) return "operations is 0 (a plugin declares at least one operation)";
    const std::uint32_t allowed =
        d.kind == sdk::PluginKind::Connector ? kConnectorOperations : kAdapterOperations;
    if ((d.operations & ~(kConnectorOperations | kAdapterOperations)) != 0) {
        return "operations has unknown bits " +
               hex(d.operations & ~(kConnectorOperations | kAdapterOperations));
    }
    if ((d.operations & ~allowed) != 0) {
        return "operations declare " + joinNames(operationNames(d.operations & ~allowed)) +
               (d.kind == sdk::PluginKind::Connector ? ", which a connector does not have"
                                                     : ", which an adapter does not have");
    }
    if ((d.flags & ~kKnownFlags) != 0) {
        return "flags has unknown bits " + hex(d.flags & ~kKnownFlags);
    }
    if ((d.flags & sdk::plugin_flag::kPublikAnswers) != 0 && d.kind != sdk::PluginKind::Adapter) {
        return "flags has kPublikAnswers, which only an adapter's inbound route uses";
    }
    if (auto problem = validateEndpoints(d); !problem.empty()) return problem;
    return validateConfigKeys(d);
}

void Registry::loadDirectory(const std::string& directory) {
    std::error_code ec;
    const fs::path dir = fs::absolute(directory, ec);
    if (ec || !fs::exists(dir, ec)) {
        throw PluginError("plugin directory '" + directory + "' does not exist");
    }
    if (!fs::is_directory(dir, ec)) {
        throw PluginError("plugin directory '" + directory + "' is not a directory");
    }
    const fs::path canonical_dir = fs::canonical(dir, ec);
    if (ec) {
        throw PluginError("plugin directory '" + directory +
                          "' cannot be resolved: " + ec.message());
    }

    std::vector<fs::directory_entry> entries;
    fs::directory_iterator it(dir, ec);
    if (ec) {
        throw PluginError("plugin directory '" + directory + "' cannot be read: " + ec.message());
    }
    for (const fs::directory_iterator end; it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        // What the shell glob `*.so` matches: no hidden files (editor and rsync leftovers).
        if (name.size() > 3 && name.ends_with(".so") && !name.starts_with('.')) {
            entries.push_back(*it);
        }
    }
    if (ec) {
        throw PluginError("plugin directory '" + directory + "' cannot be read: " + ec.message());
    }
    std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
        return a.path().filename() < b.path().filename();
    });

    for (const auto& entry : entries) {
        const std::string shown = entry.path().string();
        // Resolve first and load what was checked: a symlink may only point at a file of
        // the same directory (an operator's `libfoo.so -> libfoo.so.1`), never elsewhere.
        const fs::path target = fs::canonical(entry.path(), ec);
        if (ec) {
            failures_.push_back({shown, "cannot be resolved: " + ec.message()});
            continue;
        }
        if (target.parent_path() != canonical_dir) {
            failures_.push_back({shown, "is a symbolic link to " + target.string() +
                                            ", outside the plugin directory " +
                                            canonical_dir.string()});
            continue;
        }
        loadResolved(shown, target.string());
    }
}

bool Registry::loadFile(const std::string& path) {
    std::error_code ec;
    const fs::path absolute = fs::absolute(path, ec);
    if (ec) {
        failures_.push_back({path, "cannot be resolved: " + ec.message()});
        return false;
    }
    return loadResolved(path, absolute.string());
}

bool Registry::loadResolved(const std::string& shown, const std::string& load_path) {
    const auto refuse = [&](const std::string& why) {
        failures_.push_back({shown, why});
        return false;
    };

    std::error_code ec;
    const auto status = fs::status(load_path, ec);
    if (ec || !fs::exists(status)) return refuse("no such file");
    if (!fs::is_regular_file(status)) return refuse("not a regular file");

    auto library = std::make_shared<boost::dll::shared_library>();
    library->load(fs::path(load_path), kLoadMode, ec);
    if (ec || !library->is_loaded()) {
        // Boost keeps only a generic error code; the loader's own text says what is wrong
        // (a missing dependency, an undefined symbol, not an ELF file). Nothing between the
        // failed dlopen and here calls into the dynamic loader.
        // NOLINTNEXTLINE(concurrency-mt-unsafe): glibc keeps the dlerror text per thread.
        const char* loader_error = ::dlerror();
        std::string why = loader_error != nullptr ? loader_error : ec.message();
        if (why.starts_with(load_path + ": ")) why.erase(0, load_path.size() + 2);
        return refuse("cannot be loaded: " + why);
    }

    if (!library->has(kDescriptorSymbol)) {
        return refuse(
            "no relais_plugin descriptor symbol (not a relais plugin, or built "
            "without RELAIS_PLUGIN)");
    }
    const void* const& alias = library->get<const void*>(kDescriptorSymbol);
    // dlsym also searches the library's dependencies: a plugin that links another plugin
    // would otherwise borrow its descriptor.
    const std::string defined_in = definingFile(&alias);
    const std::string loaded_as = loadedName(library->native());
    if (!defined_in.empty() && !loaded_as.empty() && defined_in != loaded_as) {
        return refuse(
            "no relais_plugin descriptor symbol of its own (the one found is defined "
            "by its dependency " +
            defined_in + ")");
    }
    if (alias == nullptr) return refuse("the relais_plugin descriptor symbol is null");
    const auto* descriptor = static_cast<const relais_plugin_descriptor*>(alias);

    // Only `abi_version` is read before it is known to match: the rest of the layout
    // belongs to that ABI version.
    const std::uint32_t abi_version = descriptor->abi_version;
    if (abi_version != sdk::kAbiVersion) {
        return refuse("ABI version " + std::to_string(abi_version) + ", this relais expects " +
                      std::to_string(sdk::kAbiVersion) +
                      " (rebuild the plugin against this "
                      "relais SDK)");
    }
    const char* fingerprint = descriptor->fingerprint;
    if (fingerprint == nullptr) return refuse("no toolchain fingerprint in its descriptor");
    if (std::strcmp(fingerprint, RELAIS_TOOLCHAIN_FINGERPRINT) != 0) {
        return refuse(std::string("toolchain fingerprint '") + fingerprint +
                      "' differs from this relais's '" RELAIS_TOOLCHAIN_FINGERPRINT
                      "' (rebuild the plugin with the same compiler, standard library, Poco "
                      "and Boost)");
    }
    if (const auto problem = validateDescriptor(*descriptor); !problem.empty()) {
        return refuse("invalid descriptor: " + problem);
    }
    if (const Library* other = find(descriptor->id)) {
        return refuse("plugin id '" + std::string(descriptor->id) + "' is already provided by " +
                      other->path);
    }

    libraries_.push_back(Library{shown, descriptor, std::shared_ptr<void>(std::move(library))});
    return true;
}

const Library* Registry::find(std::string_view id) const noexcept {
    for (const auto& library : libraries_) {
        if (library.id() == id) return &library;
    }
    return nullptr;
}

std::string describe(const relais_plugin_descriptor& d) {
    std::ostringstream out;
    out << d.id << ' ' << d.version << " (" << kindName(d.kind) << ")";
    if (d.summary != nullptr && d.summary[0] != '\0') out << ": " << d.summary;
    out << '\n';
    out << "  operations: " << joinNames(operationNames(d.operations)) << '\n';
    out << "  reentrant: " << ((d.flags & sdk::plugin_flag::kReentrant) != 0 ? "yes" : "no")
        << ", personal data: " << ((d.flags & sdk::plugin_flag::kPersonalData) != 0 ? "yes" : "no")
        << '\n';
    if (d.endpoint_count > 0) {
        out << "  endpoints:";
        for (std::uint32_t i = 0; i < d.endpoint_count; ++i) {
            out << (i == 0 ? " " : ", ") << d.endpoints[i];
        }
        out << '\n';
    }
    if (d.config_key_count == 0) {
        out << "  config keys: none\n";
        return out.str();
    }
    out << "  config keys:\n";
    for (std::uint32_t i = 0; i < d.config_key_count; ++i) {
        const relais_config_key& key = d.config_keys[i];
        out << "    " << key.name << " (" << sdk::toString(key.type);
        if (key.type == sdk::ConfigType::Enum && key.choices != nullptr) {
            out << ": " << key.choices;
        }
        out << ")";
        if (key.required) {
            out << ", required";
        } else if (key.default_value != nullptr && key.default_value[0] != '\0') {
            out << ", default " << key.default_value;
        } else {
            out << ", optional";
        }
        if (key.type == sdk::ConfigType::Secret) {
            out << ", secret (a reference env:NAME or file:/path)";
        }
        if (key.doc != nullptr && key.doc[0] != '\0') out << ": " << key.doc;
        out << '\n';
    }
    return out.str();
}

}  // namespace relais::plugin
