// SPDX-License-Identifier: AGPL-3.0-or-later
// What an integrator finds in a plugin's or adapter's folder (DESIGN §4, STYLE.md "Layout"):
//   - every folder of plugins/ or adapters/ that builds a plugin (an add_plugin call) has a
//     README.md and an example.xml;
//   - for every built plugin, the README names each configuration key the plugin declares,
//     and example.xml is a whole configuration that uses the plugin and that
//     `relais check-config` accepts against the plugins just built.
//
// The source tree is RELAIS_SOURCE_DIR, or $RELAIS_CONTRACT_SOURCE_DIR when set (plugins
// built out of tree), as for the contract test.

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "relais/plugin/library.h"

#include "support/daemon.h"

namespace relais::plugin {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string sourceDirectory() {
    const char* override_dir =
        std::getenv("RELAIS_CONTRACT_SOURCE_DIR");  // NOLINT(concurrency-mt-unsafe)
    return override_dir != nullptr && override_dir[0] != '\0' ? override_dir : RELAIS_SOURCE_DIR;
}

std::string readFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The folders of plugins/ and adapters/ whose CMakeLists.txt builds a plugin. A folder
// that builds none (a static library shared by plugins) is not a plugin folder.
std::vector<fs::path> pluginFolders() {
    std::vector<fs::path> folders;
    for (const char* top : {"plugins", "adapters"}) {
        std::error_code ec;
        for (fs::directory_iterator it(fs::path(sourceDirectory()) / top, ec), end;
             !ec && it != end; it.increment(ec)) {
            const std::string cmake = readFile(it->path() / "CMakeLists.txt");
            if (cmake.find("add_plugin(") != std::string::npos) folders.push_back(it->path());
        }
    }
    std::sort(folders.begin(), folders.end());
    return folders;
}

TEST(PluginFolders, EachHasAReadmeAndAnExampleConfig) {
    const auto folders = pluginFolders();
    ASSERT_FALSE(folders.empty()) << "no add_plugin() under " << sourceDirectory();
    for (const auto& folder : folders) {
        for (const char* file : {"README.md", "example.xml"}) {
            // Read, not stat: file_size gives (uintmax_t)-1 for a missing file.
            EXPECT_FALSE(readFile(folder / file).empty())
                << (folder / file).string()
                << " is missing or empty: every plugin and adapter folder says what it talks "
                   "to and every config key (README.md), and shows a whole configuration "
                   "that uses it (example.xml)";
        }
    }
}

// One built plugin: where its source folder is, and its descriptor.
class PluginFolder : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        registry_.loadDirectory(RELAIS_PLUGIN_DIR);
        for (const auto& library : registry_.libraries()) {
            if (library.id() == GetParam()) descriptor_ = library.descriptor;
        }
        ASSERT_NE(descriptor_, nullptr) << "plugin '" << GetParam() << "' is not built";
        const char* top = descriptor_->kind == sdk::PluginKind::Connector ? "plugins" : "adapters";
        folder_ = fs::path(sourceDirectory()) / top / GetParam();
    }

    Registry registry_;
    const relais_plugin_descriptor* descriptor_ = nullptr;
    fs::path folder_;
};

std::vector<std::string> builtPluginIds() {
    Registry registry;
    registry.loadDirectory(RELAIS_PLUGIN_DIR);
    std::vector<std::string> ids;
    for (const auto& library : registry.libraries()) ids.emplace_back(library.id());
    std::sort(ids.begin(), ids.end());
    return ids;
}

TEST_P(PluginFolder, ReadmeNamesEveryConfigKey) {
    const std::string readme = readFile(folder_ / "README.md");
    ASSERT_FALSE(readme.empty()) << (folder_ / "README.md").string() << " is missing";
    for (std::uint32_t i = 0; i < descriptor_->config_key_count; ++i) {
        const std::string key = descriptor_->config_keys[i].name;
        EXPECT_NE(readme.find("`" + key + "`"), std::string::npos)
            << (folder_ / "README.md").string() << " does not document the key '" << key << "'";
    }
}

TEST_P(PluginFolder, ExampleConfigUsesThePluginAndPassesCheckConfig) {
    const fs::path example = folder_ / "example.xml";
    const std::string text = readFile(example);
    ASSERT_FALSE(text.empty()) << example.string() << " is missing";
    EXPECT_NE(text.find("plugin=\"" + GetParam() + "\""), std::string::npos)
        << example.string() << " declares no instance of '" << GetParam() << "'";

    const auto result =
        test::runRelais({"check-config", "--plugin-dir", RELAIS_PLUGIN_DIR, example.string()});
    EXPECT_EQ(result.exit_code, 0) << example.string() << ":\n" << result.err;
    EXPECT_THAT(result.out, HasSubstr("valid"));
}

std::string testNameOf(const ::testing::TestParamInfo<std::string>& param) {
    std::string name = param.param;
    std::replace(name.begin(), name.end(), '-', '_');
    return name;
}

INSTANTIATE_TEST_SUITE_P(BuiltPlugins, PluginFolder, ::testing::ValuesIn(builtPluginIds()),
                         testNameOf);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(PluginFolder);

}  // namespace
}  // namespace relais::plugin
