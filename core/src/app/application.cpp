// SPDX-License-Identifier: AGPL-3.0-or-later
#include "application.h"

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>

#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>
#include <pthread.h>

#include "relais/common/crypto.h"
#include "relais/common/errors.h"
#include "relais/config/config.h"
#include "relais/mapping/condition.h"
#include "relais/mapping/mapping.h"
#include "relais/plugin/instance.h"
#include "relais/plugin/library.h"
#include "relais/sdk/abi.h"
#include "relais/subjects/attribute_key_ring.h"

#include "daemon.h"
#include "data_commands.h"
#include "map_command.h"

namespace relais::app {
namespace {

// Exit codes after sysexits.h, which init systems and scripts understand.
constexpr int kExitOk = 0;
constexpr int kExitUsage = 64;
constexpr int kExitSoftware = 70;
constexpr int kExitConfig = 78;

constexpr const char* kDefaultConfig = "/etc/relais/relais.xml";

constexpr const char* kCommands = R"(Commands:
  serve              run relais: load the config, open the store, start the plugins
                     and listen for HTTP(S) requests until SIGTERM or SIGINT
                     (SIGHUP reopens the log file and reads the TLS
                     certificate again). With --ready-file, writes
                     {"address", "port", "pid"} there once it accepts requests.
  check-config FILE  load and validate FILE (XML schema, references, secret
                     references, every plugin instance against its plugin's
                     declared keys, in the configured plugin directory or
                     --plugin-dir) and start nothing. Exit 0 if valid, 78 if
                     not, with file:line and the offending key on stderr.
  plugins            list the plugin libraries of the configured plugin
                     directory (or --plugin-dir) with their descriptors, and
                     those refused with the reason.
  hash-key [KEY]     print the SHA-256 of an API key (read from stdin when not
                     given), for a client's key-sha256 attribute.
  map                apply --mapping FILE to the portal JSON body --input FILE
                     and print the payload; no store, no network. Exit 0 if
                     mapped, 65 if the input is refused (field on stderr), 78
                     if the mapping does not load (file:line on stderr).
  audit verify       recompute the audit trail's hash chain in the configured
                     store. Exit 0 if intact, 65 with the first altered,
                     removed or inserted entry on stderr.
  keygen FILE        write a new AES-256 key for <attributes><key file=…> to
                     FILE (mode 0400; never overwrites).
  subjects import FILE --source NAME --level N
                     import subjects and attributes from OpenID Connect
                     userinfo-shaped records (an object keyed by sub, or an
                     array); every attribute must be declared in <attributes>.
  version            print the version and the plugin ABI.
  help               this text.

The configuration file is --config FILE, else $RELAIS_CONFIG, else )";

// Blocks the termination signals in the calling thread before any other thread exists, so
// that every thread inherits the mask and the signals are only ever taken by sigwait in
// the main thread (otherwise SIGTERM could hit an HTTP worker and kill the process
// without a graceful stop).
sigset_t blockTerminationSignals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGQUIT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    return set;
}

config::Overrides parseListen(const std::string& listen) {
    config::Overrides overrides;
    if (listen.empty()) return overrides;
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos) {
        throw ConfigError("--listen expects ADDRESS:PORT, got '" + listen + "'");
    }
    overrides.listen_address = listen.substr(0, colon);
    const std::string port = listen.substr(colon + 1);
    char* end = nullptr;
    const long value = std::strtol(port.c_str(), &end, 10);
    if (port.empty() || *end != '\0' || value < 0 || value > 65535) {
        throw ConfigError("--listen: invalid port '" + port + "'");
    }
    overrides.listen_port = static_cast<int>(value);
    return overrides;
}

}  // namespace

void Application::defineOptions(Poco::Util::OptionSet& options) {
    ServerApplication::defineOptions(options);
    using Poco::Util::Option;
    options.addOption(Option("help", "h", "print the commands and options, then exit"));
    options.addOption(
        Option("config", "c", "configuration file (XML)").argument("FILE").repeatable(false));
    options.addOption(Option("listen", "l",
                             "serve: listen on ADDRESS:PORT instead of the "
                             "config's (port 0: any free port)")
                          .argument("ADDRESS:PORT")
                          .repeatable(false));
    options.addOption(Option("ready-file", "r",
                             "serve: write address, port and pid there "
                             "(JSON) once ready")
                          .argument("FILE")
                          .repeatable(false));
    options.addOption(
        Option("mapping", "m", "map: the mapping file (XML)").argument("FILE").repeatable(false));
    options.addOption(Option("input", "i", "map: a portal's JSON body (a dossier's fields)")
                          .argument("FILE")
                          .repeatable(false));
    options.addOption(Option("procedure", "", "map: the procedure code (default: example)")
                          .argument("CODE")
                          .repeatable(false));
    options.addOption(Option("source-key", "", "map: the body's field holding the portal's id")
                          .argument("PATH")
                          .repeatable(false));
    options.addOption(Option("source", "", "subjects import: the source recorded with the values")
                          .argument("NAME")
                          .repeatable(false));
    options.addOption(Option("level", "", "subjects import: the certification level recorded")
                          .argument("N")
                          .repeatable(false));
    options.addOption(Option("plugin-dir", "p",
                             "plugins, check-config: this plugin directory instead of "
                             "the config's")
                          .argument("DIR")
                          .repeatable(false));
}

void Application::handleOption(const std::string& name, const std::string& value) {
    ServerApplication::handleOption(name, value);
    if (name == "help") {
        help_ = true;
        stopOptionsProcessing();
    } else if (name == "config") {
        config_path_ = value;
    } else if (name == "listen") {
        listen_ = value;
    } else if (name == "ready-file") {
        ready_file_ = value;
    } else if (name == "plugin-dir") {
        plugin_directory_ = value;
    } else if (name == "mapping") {
        mapping_path_ = value;
    } else if (name == "input") {
        input_path_ = value;
    } else if (name == "procedure") {
        procedure_ = value;
    } else if (name == "source-key") {
        source_key_ = value;
    } else if (name == "source") {
        import_source_ = value;
    } else if (name == "level") {
        import_level_ = std::atoi(value.c_str());  // 0 (refused later) when not a number
    }
}

void Application::printHelp() const {
    Poco::Util::HelpFormatter formatter(options());
    formatter.setCommand(commandName());
    formatter.setUsage("COMMAND [OPTIONS]");
    formatter.setHeader(
        "relais " RELAIS_VERSION
        " - integration middleware between e-service portals, business applications and "
        "national APIs.");
    formatter.setFooter(std::string(kCommands) + kDefaultConfig + ".");
    formatter.format(std::cout);
}

std::string Application::configPath(const std::vector<std::string>& args,
                                    std::size_t position) const {
    if (args.size() > position) return args[position];
    if (!config_path_.empty()) return config_path_;
    if (const char* env = std::getenv("RELAIS_CONFIG"))
        return env;  // NOLINT(concurrency-mt-unsafe)
    return kDefaultConfig;
}

int Application::main(const std::vector<std::string>& args) {
    if (help_ || args.empty() || args[0] == "help") {
        printHelp();
        return help_ || !args.empty() ? kExitOk : kExitUsage;
    }
    const std::string& command = args[0];
    try {
        if (command == "serve") return serve(args);
        if (command == "check-config") return checkConfig(args);
        if (command == "plugins") return listPlugins(args);
        if (command == "hash-key") return hashKey(args);
        if (command == "map") return mapCommand(args);
        if (command == "audit") return auditCommand(args);
        if (command == "keygen") return keygenCommand(args);
        if (command == "subjects") return subjectsCommand(args);
        if (command == "version") {
            std::cout << "relais " << RELAIS_VERSION << " (plugin ABI " << sdk::kAbiVersion << ", "
                      << RELAIS_TOOLCHAIN_FINGERPRINT << ")\n";
            return kExitOk;
        }
    } catch (const ConfigError& e) {
        std::cerr << "relais: " << e.message() << '\n';
        return kExitConfig;
    } catch (const Poco::Exception& e) {
        std::cerr << "relais: " << e.displayText() << '\n';
        return kExitSoftware;
    } catch (const std::exception& e) {
        std::cerr << "relais: " << e.what() << '\n';
        return kExitSoftware;
    }
    std::cerr << "relais: unknown command '" << command << "' (try 'relais help')\n";
    return kExitUsage;
}

int Application::serve(const std::vector<std::string>& args) {
    if (args.size() > 1) {
        std::cerr << "relais: serve takes no argument (use --config FILE)\n";
        return kExitUsage;
    }
    sigset_t signals = blockTerminationSignals();
    auto config = config::loadConfig(configPath(args, 1), parseListen(listen_));
    Daemon daemon(config);
    daemon.start(ready_file_);
    for (;;) {
        int signal = 0;
        if (sigwait(&signals, &signal) != 0) continue;
        if (signal == SIGHUP) {
            daemon.reload();
            continue;
        }
        break;
    }
    daemon.stop();
    return kExitOk;
}

int Application::checkConfig(const std::vector<std::string>& args) {
    if (args.size() > 2) {
        std::cerr << "relais: check-config takes one FILE\n";
        return kExitUsage;
    }
    const std::string path = configPath(args, 1);
    auto config = config::loadConfig(path);

    // --plugin-dir checks the file against another set of plugins than the one it names
    // (a build tree's, or a plugin folder's example.xml against the plugins just built).
    const std::string plugin_directory =
        plugin_directory_.empty() ? config->plugin_directory : plugin_directory_;
    plugin::Registry registry;
    registry.loadDirectory(plugin_directory);
    int problems = 0;
    for (const auto& instance : config->instances) {
        const plugin::Library* library = registry.find(instance.plugin);
        if (library == nullptr) {
            std::string reason;
            for (const auto& failure : registry.failures())
                reason += "\n  refused: " + failure.path + ": " + failure.reason;
            std::cerr << instance.where.toString() << ": instance '" << instance.name
                      << "': no plugin '" << instance.plugin << "' in " << plugin_directory
                      << reason << '\n';
            ++problems;
            continue;
        }
        const bool wants_connector = instance.kind == config::InstanceKind::Connector;
        if ((library->descriptor->kind == sdk::PluginKind::Connector) != wants_connector) {
            std::cerr << instance.where.toString() << ": instance '" << instance.name
                      << "': plugin '" << instance.plugin << "' is "
                      << (wants_connector ? "an adapter" : "a connector") << ", declared as "
                      << (wants_connector ? "<connector>" : "<adapter>") << '\n';
            ++problems;
            continue;
        }
        try {
            (void)plugin::validateSettings(*library->descriptor, instance, config->base_dir);
        } catch (const ConfigError& e) {
            std::cerr << e.message() << '\n';
            ++problems;
        }
    }
    // Mappings and conditions of the routes: loaded and compiled as `serve` would.
    for (const auto& route : config->routes) {
        for (const std::string* file : {&route.mapping, &route.response_mapping}) {
            if (file->empty()) continue;
            try {
                (void)mapping::Mapping::load(*file);
            } catch (const ConfigError& e) {
                std::cerr << e.message() << "\n  (used by route '" << route.name << "' at "
                          << route.where.toString() << ")\n";
                ++problems;
            }
        }
        if (!route.condition.empty()) {
            auto condition = mapping::Condition::parse(route.condition);
            if (!condition) {
                std::cerr << route.where.toString() << ": route '" << route.name
                          << "', attribute 'condition': " << condition.error().message << '\n';
                ++problems;
            }
        }
    }
    // The attribute keys must load as `serve` loads them, and every contract's provider
    // must be a connector that can fetch attributes.
    if (config->attributes.enabled) {
        std::vector<subjects::KeySpec> keys;
        for (const auto& key : config->attributes.keys) keys.push_back({key.id, key.file});
        try {
            (void)subjects::KeyRing::load(keys, config->attributes.current_key);
        } catch (const ConfigError& e) {
            std::cerr << config->attributes.where.toString() << ": " << e.message() << '\n';
            ++problems;
        }
    }
    for (const auto& contract : config->contracts) {
        for (const auto& attribute : contract.attributes) {
            if (attribute.provider.empty()) continue;
            const config::InstanceConfig* instance = config->findInstance(attribute.provider);
            const plugin::Library* library =
                instance != nullptr ? registry.find(instance->plugin) : nullptr;
            if (library != nullptr &&
                (library->descriptor->operations & sdk::operation::kFetchAttributes) == 0) {
                std::cerr << contract.where.toString() << ": contract '" << contract.name
                          << "', attribute '" << attribute.name << "': provider '"
                          << attribute.provider << "' (plugin '" << instance->plugin
                          << "') cannot fetch attributes\n";
                ++problems;
            }
        }
    }
    if (problems > 0) {
        std::cerr << path << ": " << problems << " problem" << (problems > 1 ? "s" : "")
                  << " found\n";
        return kExitConfig;
    }
    std::cout << path << ": valid (" << config->instances.size() << " instances, "
              << config->clients.size() << " clients, " << config->routes.size() << " routes)\n";
    return kExitOk;
}

int Application::listPlugins(const std::vector<std::string>& args) {
    std::string directory = plugin_directory_;
    if (directory.empty()) directory = config::loadConfig(configPath(args, 1))->plugin_directory;
    plugin::Registry registry;
    registry.loadDirectory(directory);
    std::cout << "Plugins in " << directory << ":\n";
    for (const auto& library : registry.libraries()) {
        std::cout << '\n'
                  << plugin::describe(*library.descriptor) << "  file: " << library.path << '\n';
    }
    if (!registry.failures().empty()) {
        std::cout << "\nRefused:\n";
        for (const auto& failure : registry.failures()) {
            std::cout << "  " << failure.path << ": " << failure.reason << '\n';
        }
    }
    return registry.failures().empty() ? kExitOk : kExitConfig;
}

int Application::mapCommand(const std::vector<std::string>& args) {
    if (args.size() > 1) {
        std::cerr << "relais: map takes no argument (use --mapping FILE --input FILE)\n";
        return kExitUsage;
    }
    return runMapCommand({mapping_path_, input_path_, procedure_, source_key_}, std::cout,
                         std::cerr);
}

int Application::auditCommand(const std::vector<std::string>& args) {
    if (args.size() != 2 || args[1] != "verify") {
        std::cerr << "relais: usage: relais audit verify [--config FILE]\n";
        return kExitUsage;
    }
    return runAuditVerify(*config::loadConfig(configPath(args, 2)), std::cout, std::cerr);
}

int Application::keygenCommand(const std::vector<std::string>& args) {
    if (args.size() != 2) {
        std::cerr << "relais: usage: relais keygen FILE\n";
        return kExitUsage;
    }
    return runKeygen(args[1], std::cout, std::cerr);
}

int Application::subjectsCommand(const std::vector<std::string>& args) {
    if (args.size() != 3 || args[1] != "import") {
        std::cerr << "relais: usage: relais subjects import FILE --source NAME --level N "
                     "[--config FILE]\n";
        return kExitUsage;
    }
    return runSubjectsImport(*config::loadConfig(configPath(args, 3)),
                             {args[2], import_source_, import_level_}, std::cout, std::cerr);
}

int Application::hashKey(const std::vector<std::string>& args) {
    std::string key;
    if (args.size() > 1) {
        key = args[1];
    } else {
        std::getline(std::cin, key);
    }
    if (key.size() < 16) {
        std::cerr << "relais: an API key must be at least 16 characters\n";
        return kExitUsage;
    }
    std::cout << common::sha256Hex(key) << '\n';
    return kExitOk;
}

}  // namespace relais::app
