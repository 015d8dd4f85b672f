// SPDX-License-Identifier: AGPL-3.0-or-later
// The plugin registry: which libraries are accepted, and the exact reason for each refusal.

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "relais/common/errors.h"
#include "relais/plugin/library.h"
#include "relais/sdk/abi.h"
#include "relais/sdk/plugin.h"

#include "core/plugin/host_services.h"
#include "support/temp_dir.h"

namespace relais::plugin {
namespace {

using test::fixtureDirectory;
using test::fixturePath;
using ::testing::HasSubstr;
using ::testing::Not;

namespace fs = std::filesystem;

// The single refusal of loading `name` alone.
std::string refusalOf(const std::string& name) {
    Registry registry;
    EXPECT_FALSE(registry.loadFile(fixturePath(name))) << name << " was accepted";
    EXPECT_TRUE(registry.libraries().empty());
    if (registry.failures().size() != 1) {
        ADD_FAILURE() << "expected one failure for " << name;
        return {};
    }
    EXPECT_EQ(registry.failures()[0].path, fixturePath(name));
    return registry.failures()[0].reason;
}

TEST(Registry, AcceptsTheGoodFixtureAndReadsItsDescriptor) {
    Registry registry;
    ASSERT_TRUE(registry.loadFile(fixturePath("fixture_good")));
    ASSERT_EQ(registry.libraries().size(), 1U);
    const Library* library = registry.find("fixture-good");
    ASSERT_NE(library, nullptr);
    EXPECT_EQ(library->path, fixturePath("fixture_good"));
    EXPECT_NE(library->handle, nullptr);
    const relais_plugin_descriptor& d = *library->descriptor;
    EXPECT_EQ(d.abi_version, sdk::kAbiVersion);
    EXPECT_STREQ(d.fingerprint, RELAIS_TOOLCHAIN_FINGERPRINT);
    EXPECT_EQ(d.kind, sdk::PluginKind::Connector);
    EXPECT_STREQ(d.version, "1.0.0");
    EXPECT_EQ(d.operations, sdk::operation::kDeliver | sdk::operation::kHealth);
    EXPECT_EQ(d.flags, 0U);
    EXPECT_EQ(d.config_key_count, 9U);
    EXPECT_EQ(registry.find("fixture-reentrant"), nullptr);
    EXPECT_TRUE(registry.failures().empty());
}

TEST(Registry, RefusesAWrongAbiVersionNamingBothNumbers) {
    const std::string reason = refusalOf("fixture_wrong_abi");
    EXPECT_THAT(reason,
                ::testing::StartsWith("ABI version " + std::to_string(sdk::kAbiVersion + 1000) +
                                      ", this relais expects " + std::to_string(sdk::kAbiVersion)));
}

TEST(Registry, RefusesAnotherToolchainsFingerprintPrintingBoth) {
    const std::string reason = refusalOf("fixture_wrong_fingerprint");
    EXPECT_THAT(reason,
                HasSubstr("toolchain fingerprint 'gcc-0/libstdc++-cxx11abi0/poco-0/boost-0'"));
    EXPECT_THAT(reason, HasSubstr("'" RELAIS_TOOLCHAIN_FINGERPRINT "'"));
}

TEST(Registry, RefusesALibraryWithoutDescriptorSymbol) {
    const std::string reason = refusalOf("fixture_no_descriptor");
    EXPECT_THAT(reason, ::testing::StartsWith("no relais_plugin descriptor symbol"));
}

TEST(Registry, RefusesADescriptorBorrowedFromADependency) {
    const std::string reason = refusalOf("fixture_borrowed_descriptor");
    EXPECT_THAT(reason, HasSubstr("no relais_plugin descriptor symbol of its own"));
    EXPECT_THAT(reason, HasSubstr("libfixture_descriptor_provider.so"));
}

TEST(Registry, RefusesAnInvalidDescriptorNamingTheField) {
    const std::string reason = refusalOf("fixture_bad_descriptor");
    EXPECT_THAT(reason, ::testing::StartsWith("invalid descriptor: id 'Fixture_Bad' must match"));
}

TEST(Registry, RefusesAMissingDependencyWithTheLoadersMessage) {
    const std::string reason = refusalOf("fixture_missing_dependency");
    EXPECT_EQ(reason,
              "cannot be loaded: libfixture_dependency.so: cannot open shared object "
              "file: No such file or directory");
}

TEST(Registry, RefusesAFileThatIsNotALibrary) {
    relais::test::TempDir dir;
    const std::string path =
        dir.write("libnotes.so", std::string(256, 'x') + "\nthis is not an ELF file\n");
    Registry registry;
    EXPECT_FALSE(registry.loadFile(path));
    ASSERT_EQ(registry.failures().size(), 1U);
    EXPECT_EQ(registry.failures()[0].path, path);
    EXPECT_THAT(registry.failures()[0].reason, ::testing::StartsWith("cannot be loaded: "));
    EXPECT_THAT(registry.failures()[0].reason, HasSubstr("invalid ELF header"));
}

TEST(Registry, RefusesAMissingFile) {
    Registry registry;
    EXPECT_FALSE(registry.loadFile("/nonexistent/libnothing.so"));
    ASSERT_EQ(registry.failures().size(), 1U);
    EXPECT_EQ(registry.failures()[0].path, "/nonexistent/libnothing.so");
    EXPECT_EQ(registry.failures()[0].reason, "no such file");
}

TEST(Registry, LoadsADirectoryInNameOrderAndReportsEveryBrokenFixture) {
    Registry registry;
    registry.loadDirectory(fixtureDirectory());

    std::vector<std::string> paths;
    for (const auto& library : registry.libraries()) paths.push_back(library.path);
    EXPECT_TRUE(std::is_sorted(paths.begin(), paths.end()));
    for (const char* id :
         {"fixture-good", "fixture-reentrant", "fixture-adapter", "fixture-throwing-create",
          "fixture-throwing-operation", "fixture-raw-throwing", "fixture-kind-mismatch"}) {
        EXPECT_NE(registry.find(id), nullptr) << id;
    }
    // Not recursive: the duplicate pair lives in a subdirectory.
    EXPECT_EQ(registry.find("fixture-dup"), nullptr);

    std::vector<std::string> refused;
    for (const auto& failure : registry.failures()) {
        refused.push_back(fs::path(failure.path).filename().string());
        EXPECT_EQ(fs::path(failure.path).parent_path(), fs::path(fixtureDirectory()));
        EXPECT_FALSE(failure.reason.empty());
    }
    for (const char* file :
         {"libfixture_wrong_abi.so", "libfixture_wrong_fingerprint.so",
          "libfixture_no_descriptor.so", "libfixture_bad_descriptor.so",
          "libfixture_borrowed_descriptor.so", "libfixture_missing_dependency.so"}) {
        EXPECT_NE(std::find(refused.begin(), refused.end(), file), refused.end()) << file;
    }
    EXPECT_TRUE(std::is_sorted(refused.begin(), refused.end()));
}

TEST(Registry, RefusesTheSecondFileOfADuplicateIdNamingBothPaths) {
    Registry registry;
    registry.loadDirectory(fixtureDirectory() + "/duplicate");
    ASSERT_EQ(registry.libraries().size(), 1U);
    EXPECT_EQ(registry.libraries()[0].path, fixtureDirectory() + "/duplicate/libfixture_dup_a.so");
    ASSERT_EQ(registry.failures().size(), 1U);
    const auto& failure = registry.failures()[0];
    EXPECT_EQ(failure.path, fixtureDirectory() + "/duplicate/libfixture_dup_b.so");
    EXPECT_EQ(failure.reason, "plugin id 'fixture-dup' is already provided by " +
                                  fixtureDirectory() + "/duplicate/libfixture_dup_a.so");
}

TEST(Registry, RefusesASymlinkToOutsideTheDirectory) {
    relais::test::TempDir dir;
    fs::create_symlink(fixturePath("fixture_good"), dir.file("libgood.so"));
    Registry registry;
    registry.loadDirectory(dir.path());
    EXPECT_TRUE(registry.libraries().empty());
    ASSERT_EQ(registry.failures().size(), 1U);
    EXPECT_EQ(registry.failures()[0].path, dir.file("libgood.so"));
    EXPECT_EQ(registry.failures()[0].reason,
              "is a symbolic link to " + fs::canonical(fixturePath("fixture_good")).string() +
                  ", outside the plugin directory " + fs::canonical(dir.path()).string());
}

TEST(Registry, FollowsASymlinkWithinTheDirectory) {
    relais::test::TempDir dir;
    fs::copy_file(fixturePath("fixture_good"), dir.file("libgood.so.1"));
    fs::create_symlink("libgood.so.1", dir.file("libgood.so"));
    Registry registry;
    registry.loadDirectory(dir.path());
    EXPECT_TRUE(registry.failures().empty()) << registry.failures()[0].reason;
    ASSERT_EQ(registry.libraries().size(), 1U);
    EXPECT_EQ(registry.libraries()[0].path, dir.file("libgood.so"));
}

TEST(Registry, IgnoresHiddenAndNonLibraryFilesButReportsNonRegularOnes) {
    relais::test::TempDir dir;
    dir.write(".libhidden.so", "not a library");
    dir.write("README", "not a library");
    dir.write("libplugin.so.bak", "not a library");
    fs::create_directory(dir.file("libdirectory.so"));
    fs::create_symlink(dir.file("gone"), dir.file("libdangling.so"));
    Registry registry;
    registry.loadDirectory(dir.path());
    EXPECT_TRUE(registry.libraries().empty());
    ASSERT_EQ(registry.failures().size(), 2U);
    EXPECT_EQ(registry.failures()[0].path, dir.file("libdangling.so"));
    EXPECT_THAT(registry.failures()[0].reason, ::testing::StartsWith("cannot be resolved: "));
    EXPECT_EQ(registry.failures()[1].path, dir.file("libdirectory.so"));
    EXPECT_EQ(registry.failures()[1].reason, "not a regular file");
}

TEST(Registry, ThrowsWhenTheDirectoryIsMissingOrNotADirectory) {
    Registry registry;
    try {
        registry.loadDirectory("/nonexistent/relais-plugins");
        FAIL() << "no exception";
    } catch (const PluginError& e) {
        EXPECT_EQ(e.message(), "plugin directory '/nonexistent/relais-plugins' does not exist");
    }
    EXPECT_THROW(registry.loadDirectory(fixturePath("fixture_good")), PluginError);
}

TEST(Registry, DescribesAPluginForOperators) {
    Registry registry;
    ASSERT_TRUE(registry.loadFile(fixturePath("fixture_good")));
    const std::string text = describe(*registry.find("fixture-good")->descriptor);
    EXPECT_THAT(text, HasSubstr("fixture-good 1.0.0 (connector): test fixture: a well-behaved"));
    EXPECT_THAT(text, HasSubstr("operations: deliver, health\n"));
    EXPECT_THAT(text, HasSubstr("reentrant: no, personal data: no\n"));
    EXPECT_THAT(text, HasSubstr("    name (string), required: echoed by deliver\n"));
    EXPECT_THAT(text, HasSubstr("    count (integer), default 3: an integer\n"));
    EXPECT_THAT(text, HasSubstr("    url (url), optional: a URL\n"));
    EXPECT_THAT(text, HasSubstr("    token (secret), optional, secret (a reference env:NAME or "
                                "file:/path): a secret reference\n"));
    EXPECT_THAT(text,
                HasSubstr("    mode (enum: fast|safe|refuse-start), default safe: an enum\n"));
}

// --- descriptor validation, field by field -------------------------------------------

class DummyConnector : public sdk::Connector {
public:
    using sdk::Connector::Connector;
};

sdk::Component* dummyCreate(sdk::Host* /*host*/, sdk::Error* /*error*/) noexcept { return nullptr; }
void dummyDestroy(sdk::Component* /*component*/) noexcept {}

constexpr relais_config_key kValidKeys[] = {
    {"name", sdk::ConfigType::String, true, nullptr, "doc", nullptr},
    {"dir", sdk::ConfigType::Path, false, "relative/dir", "doc", nullptr},
    {"mode", sdk::ConfigType::Enum, false, "b", "doc", "a|b"},
};
constexpr const char* kEndpoints[] = {"communes", "rues"};

relais_plugin_descriptor validDescriptor() {
    return relais_plugin_descriptor{sdk::kAbiVersion,
                                    RELAIS_TOOLCHAIN_FINGERPRINT,
                                    sdk::PluginKind::Connector,
                                    "valid-0",
                                    "1.0.0",
                                    "summary",
                                    kValidKeys,
                                    3,
                                    nullptr,
                                    0,
                                    sdk::operation::kDeliver,
                                    sdk::plugin_flag::kReentrant,
                                    &dummyCreate,
                                    &dummyDestroy};
}

TEST(ValidateDescriptor, AcceptsAValidDescriptor) {
    EXPECT_EQ(validateDescriptor(validDescriptor()), "");
    auto with_endpoints = validDescriptor();
    with_endpoints.operations |= sdk::operation::kEndpoints;
    with_endpoints.endpoints = kEndpoints;
    with_endpoints.endpoint_count = 2;
    EXPECT_EQ(validateDescriptor(with_endpoints), "");
    auto adapter = validDescriptor();
    adapter.kind = sdk::PluginKind::Adapter;
    adapter.operations = sdk::operation::kParseInbound | sdk::operation::kPoll;
    EXPECT_EQ(validateDescriptor(adapter), "");
}

TEST(ValidateDescriptor, NamesTheFieldAtFault) {
    struct Case {
        const char* label;
        void (*breakIt)(relais_plugin_descriptor&);
        const char* expected;
    };
    static constexpr const char* kDuplicateEndpoints[] = {"communes", "communes"};
    static constexpr const char* kBadEndpoint[] = {"a/b"};
    static constexpr relais_config_key kNoName[] = {
        {"", sdk::ConfigType::String, false, nullptr, nullptr, nullptr}};
    static constexpr relais_config_key kBadName[] = {
        {"a key", sdk::ConfigType::String, false, nullptr, nullptr, nullptr}};
    static constexpr relais_config_key kTwice[] = {
        {"url", sdk::ConfigType::Url, false, nullptr, nullptr, nullptr},
        {"url", sdk::ConfigType::String, false, nullptr, nullptr, nullptr}};
    static constexpr relais_config_key kBadType[] = {
        {"x", static_cast<sdk::ConfigType>(99), false, nullptr, nullptr, nullptr}};
    static constexpr relais_config_key kNoChoices[] = {
        {"mode", sdk::ConfigType::Enum, false, nullptr, nullptr, " | "}};
    static constexpr relais_config_key kBadInteger[] = {
        {"retries", sdk::ConfigType::Integer, false, "3x", nullptr, nullptr}};
    static constexpr relais_config_key kBadChoice[] = {
        {"mode", sdk::ConfigType::Enum, false, "c", nullptr, "a|b"}};
    static constexpr relais_config_key kInlineSecret[] = {
        {"token", sdk::ConfigType::Secret, false, "hunter2", nullptr, nullptr}};
    static constexpr relais_config_key kBadUrl[] = {
        {"url", sdk::ConfigType::Url, false, "ftp://example.org/", nullptr, nullptr}};

    const Case cases[] = {
        {"kind", [](auto& d) { d.kind = static_cast<sdk::PluginKind>(3); },
         "kind 3 is neither 1 (connector) nor 2 (adapter)"},
        {"null id", [](auto& d) { d.id = nullptr; }, "id is null"},
        {"empty id", [](auto& d) { d.id = ""; },
         "id '' must match [a-z0-9][a-z0-9-]* (at most 64 characters)"},
        {"upper-case id", [](auto& d) { d.id = "Rest"; }, "id 'Rest' must match"},
        {"leading dash", [](auto& d) { d.id = "-rest"; }, "id '-rest' must match"},
        {"underscore", [](auto& d) { d.id = "my_rest"; }, "id 'my_rest' must match"},
        {"long id",
         [](auto& d) {
             d.id = "a123456789012345678901234567890123456789012345678901234567890123456789";
         },
         "must match"},
        {"version", [](auto& d) { d.version = ""; }, "version is empty"},
        {"null version", [](auto& d) { d.version = nullptr; }, "version is empty"},
        {"create", [](auto& d) { d.create = nullptr; }, "create is null"},
        {"destroy", [](auto& d) { d.destroy = nullptr; }, "destroy is null"},
        {"no operation", [](auto& d) { d.operations = 0; },
         "operations is 0 (a plugin declares at least one operation)"},
        {"adapter op on a connector",
         [](auto& d) { d.operations |= sdk::operation::kParseInbound; },
         "operations declare parseInbound, which a connector does not have"},
        {"connector op on an adapter",
         [](auto& d) {
             d.kind = sdk::PluginKind::Adapter;
             d.operations = sdk::operation::kDeliver | sdk::operation::kPushEvent;
         },
         "operations declare deliver, which an adapter does not have"},
        {"unknown operation", [](auto& d) { d.operations |= 1U << 20; },
         "operations has unknown bits 0x100000"},
        {"unknown flag", [](auto& d) { d.flags |= 1U << 5; }, "flags has unknown bits 0x20"},
        {"publik answers on a connector",
         [](auto& d) { d.flags |= sdk::plugin_flag::kPublikAnswers; },
         "flags has kPublikAnswers, which only an adapter's inbound route uses"},
        {"endpoints without names", [](auto& d) { d.operations |= sdk::operation::kEndpoints; },
         "operations declare endpoints but endpoint_count is 0"},
        {"names without endpoints",
         [](auto& d) {
             d.endpoints = kEndpoints;
             d.endpoint_count = 2;
         },
         "endpoints are named but operations do not declare endpoints"},
        {"null endpoints",
         [](auto& d) {
             d.operations |= sdk::operation::kEndpoints;
             d.endpoint_count = 1;
         },
         "endpoints is null but endpoint_count is 1"},
        {"endpoint twice",
         [](auto& d) {
             d.operations |= sdk::operation::kEndpoints;
             d.endpoints = kDuplicateEndpoints;
             d.endpoint_count = 2;
         },
         "endpoints[1] 'communes': declared twice"},
        {"bad endpoint",
         [](auto& d) {
             d.operations |= sdk::operation::kEndpoints;
             d.endpoints = kBadEndpoint;
             d.endpoint_count = 1;
         },
         "endpoints[0]: name must match"},
        {"null keys", [](auto& d) { d.config_keys = nullptr; },
         "config_keys is null but config_key_count is 3"},
        {"empty key name",
         [](auto& d) {
             d.config_keys = kNoName;
             d.config_key_count = 1;
         },
         "config_keys[0] '': name must match [A-Za-z0-9_.-]+"},
        {"bad key name",
         [](auto& d) {
             d.config_keys = kBadName;
             d.config_key_count = 1;
         },
         "config_keys[0] 'a key': name must match"},
        {"key twice",
         [](auto& d) {
             d.config_keys = kTwice;
             d.config_key_count = 2;
         },
         "config_keys[1] 'url': name declared twice"},
        {"bad type",
         [](auto& d) {
             d.config_keys = kBadType;
             d.config_key_count = 1;
         },
         "config_keys[0] 'x': type 99 is not a config type"},
        {"enum without choices",
         [](auto& d) {
             d.config_keys = kNoChoices;
             d.config_key_count = 1;
         },
         "config_keys[0] 'mode': an enum needs choices ('a|b|c')"},
        {"bad integer default",
         [](auto& d) {
             d.config_keys = kBadInteger;
             d.config_key_count = 1;
         },
         "config_keys[0] 'retries': default '3x' must be an integer"},
        {"bad enum default",
         [](auto& d) {
             d.config_keys = kBadChoice;
             d.config_key_count = 1;
         },
         "config_keys[0] 'mode': default 'c' must be one of 'a', 'b'"},
        {"inline secret default",
         [](auto& d) {
             d.config_keys = kInlineSecret;
             d.config_key_count = 1;
         },
         "config_keys[0] 'token': default must be a secret reference"},
        {"bad url default",
         [](auto& d) {
             d.config_keys = kBadUrl;
             d.config_key_count = 1;
         },
         "config_keys[0] 'url': default 'ftp://example.org/' must be an absolute http"},
    };
    for (const auto& c : cases) {
        auto d = validDescriptor();
        c.breakIt(d);
        const std::string problem = validateDescriptor(d);
        EXPECT_THAT(problem, HasSubstr(c.expected)) << c.label;
        EXPECT_THAT(problem, Not(HasSubstr("hunter2"))) << c.label;
    }
}

}  // namespace
}  // namespace relais::plugin
