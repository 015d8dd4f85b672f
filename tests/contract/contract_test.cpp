// SPDX-License-Identifier: AGPL-3.0-or-later
// The plugin contract (STYLE.md, "Tests"): every `*.so` in the plugin directory
//   - loads (ABI, fingerprint, descriptor, no missing dependency);
//   - has a valid, documented descriptor;
//   - exports exactly one dynamic symbol, `relais_plugin`;
//   - has its config checked by the host (unknown key, each missing required key refused);
//   - survives 50 create/configure/start/stop/destroy cycles;
//   - answers Unsupported for the operations it does not declare.
//
// The directory is RELAIS_PLUGIN_DIR (build/plugins), or $RELAIS_CONTRACT_PLUGIN_DIR when
// set (to check an installed set). Required keys get a generic valid value per type; a
// plugin that needs more realistic ones ships `contract-params` in its source folder
// (plugins/<id>/ or adapters/<id>/ of the source tree, or of $RELAIS_CONTRACT_SOURCE_DIR):
// `key = value` lines, `#` comments, `{tmp}` standing for a fresh temporary directory.

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "relais/common/errors.h"
#include "relais/common/strings.h"
#include "relais/config/config.h"
#include "relais/config/secrets.h"
#include "relais/host/services.h"
#include "relais/log/log.h"
#include "relais/metrics/registry.h"
#include "relais/plugin/instance.h"
#include "relais/plugin/library.h"

#include "support/temp_dir.h"

namespace relais::plugin {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr int kLifecycles = 50;
constexpr const char* kSecretVariable = "RELAIS_CONTRACT_SECRET";
constexpr const char* kUnknownKey = "relais-contract-unknown-key";

std::string pluginDirectory() {
    const char* override_dir =
        std::getenv("RELAIS_CONTRACT_PLUGIN_DIR");  // NOLINT(concurrency-mt-unsafe)
    return override_dir != nullptr && override_dir[0] != '\0' ? override_dir : RELAIS_PLUGIN_DIR;
}

// Every `*.so` of the plugin directory, as the registry would see them (sorted, no hidden
// files). Empty when the directory does not exist.
std::vector<std::string> pluginFiles() {
    std::vector<std::string> files;
    std::error_code ec;
    for (fs::directory_iterator it(pluginDirectory(), ec), end; !ec && it != end;
         it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.size() > 3 && name.ends_with(".so") && !name.starts_with('.')) {
            files.push_back(it->path().string());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::string testNameOf(const ::testing::TestParamInfo<std::string>& info) {
    std::string name = fs::path(info.param).stem().string();
    if (name.starts_with("lib")) name.erase(0, 3);
    for (char& c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    }
    return name;
}

class NoNetwork final : public sdk::HttpClient {
public:
    sdk::Result<sdk::HttpResponse> send(const sdk::HttpRequest& request) override {
        return sdk::fail(sdk::ErrorCode::Unavailable, "contract tests do not reach " + request.url);
    }
};

// Where the plugins' source folders are: the source tree, or $RELAIS_CONTRACT_SOURCE_DIR
// (plugins built out of tree).
std::string sourceDirectory() {
    const char* override_dir =
        std::getenv("RELAIS_CONTRACT_SOURCE_DIR");  // NOLINT(concurrency-mt-unsafe)
    return override_dir != nullptr && override_dir[0] != '\0' ? override_dir : RELAIS_SOURCE_DIR;
}

// `contract-params` of the plugin's source folder, if it has one.
std::map<std::string, std::string> contractParams(const std::string& id, const std::string& tmp) {
    std::map<std::string, std::string> params;
    for (const char* kind : {"plugins", "adapters"}) {
        const std::string path = sourceDirectory() + "/" + kind + "/" + id + "/contract-params";
        std::ifstream in(path);
        if (!in) continue;
        for (std::string line; std::getline(in, line);) {
            const auto text = common::trim(line);
            if (text.empty() || text.starts_with('#')) continue;
            const auto equals = text.find('=');
            if (equals == std::string_view::npos) {
                ADD_FAILURE() << path << ": not a 'key = value' line: " << line;
                continue;
            }
            std::string value(common::trim(text.substr(equals + 1)));
            for (auto at = value.find("{tmp}"); at != std::string::npos; at = value.find("{tmp}")) {
                value.replace(at, 5, tmp);
            }
            params[std::string(common::trim(text.substr(0, equals)))] = value;
        }
    }
    return params;
}

class PluginContract : public ::testing::TestWithParam<std::string> {
protected:
    static void SetUpTestSuite() {
        ::setenv(kSecretVariable, "contract-secret-value", 1);  // NOLINT(concurrency-mt-unsafe)
    }

    PluginContract()
        : sink_(tmp_.file("relais.log")), secrets_(tmp_.path()), services_{sink_,
                                                                           metrics_,
                                                                           clock_,
                                                                           http_,
                                                                           secrets_,
                                                                           tmp_.file("data"),
                                                                           sdk::LogLevel::Warn} {}

    void SetUp() override {
        if (registry_.loadFile(GetParam())) {
            library_ = &registry_.libraries().front();
        } else {
            load_error_ = GetParam() + ": " + registry_.failures().back().reason;
        }
    }

    const relais_plugin_descriptor& descriptor() const { return *library_->descriptor; }

    // A generic valid value for a key of type `type`.
    std::string valueFor(const relais_config_key& key) const {
        switch (key.type) {
            case sdk::ConfigType::String:
                return "x";
            case sdk::ConfigType::Integer:
                return "1";
            case sdk::ConfigType::Boolean:
                return "false";
            case sdk::ConfigType::Duration:
                return "1s";
            case sdk::ConfigType::Url:
                return "http://127.0.0.1:9/";
            case sdk::ConfigType::Path: {
                std::string path = tmp_.file(std::string("path-") + key.name);
                fs::create_directories(path);
                return path;
            }
            case sdk::ConfigType::Secret:
                return std::string("env:") + kSecretVariable;
            case sdk::ConfigType::List:
                return "x";
            case sdk::ConfigType::Enum:
                return common::splitTrimmed(key.choices != nullptr ? key.choices : "", '|').at(0);
        }
        return "x";
    }

    // The instance declaration: every required key with a generic value, then the plugin's
    // own contract-params.
    config::InstanceConfig instanceConfig() const {
        config::InstanceConfig instance;
        instance.kind = descriptor().kind == sdk::PluginKind::Connector
                            ? config::InstanceKind::Connector
                            : config::InstanceKind::Adapter;
        instance.name = std::string("contract-") + descriptor().id;
        instance.plugin = descriptor().id;
        instance.where = {tmp_.file("relais.xml"), 1};
        std::map<std::string, std::string> values;
        for (std::uint32_t i = 0; i < descriptor().config_key_count; ++i) {
            const relais_config_key& key = descriptor().config_keys[i];
            if (key.required) values[key.name] = valueFor(key);
        }
        for (auto& [key, value] : contractParams(descriptor().id, tmp_.path())) {
            values[key] = value;
        }
        int line = 1;
        for (auto& [key, value] : values) {
            instance.params.push_back({key, value, {instance.where.file, ++line}});
        }
        return instance;
    }

    relais::test::TempDir tmp_;
    log::Sink sink_;
    metrics::Registry metrics_;
    host::SystemClock clock_;
    NoNetwork http_;
    config::SecretResolver secrets_;
    host::Services services_;
    Registry registry_;
    const Library* library_ = nullptr;
    std::string load_error_;
};

// Every check but the symbol table needs the library loaded.
#define REQUIRE_LOADED() ASSERT_NE(library_, nullptr) << load_error_

TEST(PluginDirectory, HoldsAtLeastOnePlugin) {
    EXPECT_FALSE(pluginFiles().empty())
        << "no *.so in " << pluginDirectory() << ": the contract would pass vacuously";
}

TEST(PluginDirectory, EveryLibraryIsAcceptedTogether) {
    // Together: catches what one file alone cannot, such as two files with one id.
    Registry registry;
    registry.loadDirectory(pluginDirectory());
    for (const auto& failure : registry.failures()) {
        ADD_FAILURE() << failure.path << ": " << failure.reason;
    }
    EXPECT_EQ(registry.libraries().size(), pluginFiles().size());
}

TEST_P(PluginContract, LoadsWithoutFailure) {
    REQUIRE_LOADED();
    EXPECT_TRUE(registry_.failures().empty());
    EXPECT_EQ(library_->path, GetParam());
    EXPECT_NE(library_->handle, nullptr);
}

TEST_P(PluginContract, HasAValidDocumentedDescriptor) {
    REQUIRE_LOADED();
    EXPECT_EQ(validateDescriptor(descriptor()), "");
    ASSERT_NE(descriptor().summary, nullptr);
    EXPECT_STRNE(descriptor().summary, "") << "a one-line summary for `relais plugins`";
    for (std::uint32_t i = 0; i < descriptor().config_key_count; ++i) {
        const relais_config_key& key = descriptor().config_keys[i];
        EXPECT_TRUE(key.doc != nullptr && key.doc[0] != '\0')
            << "key '" << key.name << "' has no doc";
    }
    EXPECT_THAT(describe(descriptor()), HasSubstr(descriptor().id));
}

TEST_P(PluginContract, ExportsOnlyTheDescriptorSymbol) {
    Poco::Pipe out_pipe;
    Poco::Pipe err_pipe;
    Poco::ProcessHandle nm = Poco::Process::launch(RELAIS_NM, {"-D", "--defined-only", GetParam()},
                                                   nullptr, &out_pipe, &err_pipe);
    Poco::PipeInputStream out_stream(out_pipe);
    Poco::PipeInputStream err_stream(err_pipe);
    std::string out;
    std::string err;
    Poco::StreamCopier::copyToString(out_stream, out);
    Poco::StreamCopier::copyToString(err_stream, err);
    ASSERT_EQ(nm.wait(), 0) << RELAIS_NM << " failed: " << err;

    std::vector<std::string> symbols;
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) {
        // `<address> <type> <name>`
        const auto last_space = line.find_last_of(' ');
        if (last_space != std::string::npos) symbols.push_back(line.substr(last_space + 1));
    }
    EXPECT_THAT(symbols, ::testing::ElementsAre("relais_plugin")) << out;
}

TEST_P(PluginContract, RejectsAnUnknownConfigKey) {
    REQUIRE_LOADED();
    config::InstanceConfig instance = instanceConfig();
    instance.params.push_back({kUnknownKey, "1", {instance.where.file, 99}});
    try {
        (void)validateSettings(descriptor(), instance, tmp_.path());
        FAIL() << "an unknown key was accepted";
    } catch (const ConfigError& e) {
        EXPECT_THAT(e.message(), HasSubstr(":99: instance '" + instance.name + "'"));
        EXPECT_THAT(e.message(), HasSubstr(std::string("unknown key '") + kUnknownKey + "'"));
    }
}

TEST_P(PluginContract, RejectsEachMissingRequiredKey) {
    REQUIRE_LOADED();
    const config::InstanceConfig complete = instanceConfig();
    for (std::uint32_t i = 0; i < descriptor().config_key_count; ++i) {
        const relais_config_key& key = descriptor().config_keys[i];
        if (!key.required) continue;
        config::InstanceConfig instance = complete;
        std::erase_if(instance.params, [&](const auto& p) { return p.name == key.name; });
        EXPECT_THROW(
            {
                try {
                    (void)validateSettings(descriptor(), instance, tmp_.path());
                } catch (const ConfigError& e) {
                    EXPECT_THAT(e.message(),
                                HasSubstr(std::string("missing required key '") + key.name + "'"));
                    throw;
                }
            },
            ConfigError)
            << key.name;
    }
}

TEST_P(PluginContract, SurvivesFiftyLifecycles) {
    REQUIRE_LOADED();
    const config::InstanceConfig config = instanceConfig();
    sdk::Settings settings;
    try {
        settings = validateSettings(descriptor(), config, tmp_.path());
    } catch (const ConfigError& e) {
        FAIL() << "the generic settings are refused (ship a contract-params file): " << e.message();
    }
    for (int round = 0; round < kLifecycles; ++round) {
        Instance instance(*library_, config, services_);
        auto configured = instance.configure(settings);
        ASSERT_TRUE(configured) << "round " << round << ": " << configured.error().message
                                << " (a plugin that needs more than generic values ships a "
                                   "contract-params file in its source folder)";
        auto started = instance.start();
        ASSERT_TRUE(started) << "round " << round << ": " << started.error().message;
        // The remote side may be unreachable: any answer will do, but an answer it must be.
        auto health = instance.health();
        if (!health) {
            EXPECT_FALSE(health.error().message.empty());
        }
        auto stopped = instance.stop();
        ASSERT_TRUE(stopped) << "round " << round << ": " << stopped.error().message;
    }
}

TEST_P(PluginContract, AnswersUnsupportedForUndeclaredOperations) {
    REQUIRE_LOADED();
    const config::InstanceConfig config = instanceConfig();
    Instance instance(*library_, config, services_);
    auto configured = instance.configure(validateSettings(descriptor(), config, tmp_.path()));
    ASSERT_TRUE(configured) << configured.error().message;
    auto started = instance.start();
    ASSERT_TRUE(started) << started.error().message;
    const auto unsupported = [&](std::uint32_t bit, auto&& call) {
        if (instance.supports(bit)) return;
        auto result = call();
        ASSERT_FALSE(result);
        EXPECT_EQ(result.error().code, sdk::ErrorCode::Unsupported);
    };
    unsupported(sdk::operation::kDeliver, [&] { return instance.deliver({}); });
    unsupported(sdk::operation::kPoll, [&] { return instance.poll(""); });
    unsupported(sdk::operation::kFetchAttributes, [&] { return instance.fetchAttributes({}); });
    unsupported(sdk::operation::kEndpoints, [&] { return instance.callEndpoint({}); });
    unsupported(sdk::operation::kParseInbound, [&] { return instance.parseInbound({}); });
    unsupported(sdk::operation::kPushEvent, [&] { return instance.pushEvent({}, {}); });
    unsupported(sdk::operation::kFetchAttachment, [&] { return instance.fetchAttachment({}, {}); });
    EXPECT_TRUE(instance.stop());
}

INSTANTIATE_TEST_SUITE_P(BuiltPlugins, PluginContract, ::testing::ValuesIn(pluginFiles()),
                         testNameOf);
// An empty directory fails PluginDirectory.HoldsAtLeastOnePlugin instead.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(PluginContract);

}  // namespace
}  // namespace relais::plugin
