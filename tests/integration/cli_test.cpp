// SPDX-License-Identifier: AGPL-3.0-or-later
// The `relais` command line: check-config, plugins, version, help.

#include <gtest/gtest.h>

#include "relais/common/crypto.h"
#include "relais/sdk/json.h"

#include "support/daemon.h"
#include "support/temp_dir.h"

namespace relais::test {
namespace {

std::string connectorConfig(const TempDir& dir, const std::string& params) {
    return wrapConfig(baseConfigElements(dir) +
                      "<connectors>\n"
                      "  <connector name=\"fichiers\" plugin=\"filedrop\">\n" +
                      params +
                      "  </connector>\n"
                      "</connectors>\n");
}

TEST(Cli, CheckConfigAcceptsAValidConfig) {
    TempDir dir;
    const std::string path = dir.write(
        "relais.xml",
        connectorConfig(dir, "    <param name=\"directory\">" + dir.file("out") + "</param>\n"));
    const auto result = runRelais({"check-config", path});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.out.find("valid"), std::string::npos);
}

TEST(Cli, CheckConfigNamesFileLineAndUnknownKey) {
    TempDir dir;
    const std::string path =
        dir.write("relais.xml", connectorConfig(dir,
                                                "    <param name=\"directory\">/tmp/x</param>\n"
                                                "    <param name=\"directoyr\">/tmp/y</param>\n"));
    const auto result = runRelais({"check-config", path});
    EXPECT_NE(result.exit_code, 0);
    // The unknown key is on line 11 of the generated file (see connectorConfig).
    EXPECT_NE(result.err.find(path + ":11"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("directoyr"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("fichiers"), std::string::npos) << result.err;
}

TEST(Cli, CheckConfigReportsMissingRequiredKeys) {
    TempDir dir;
    const std::string path = dir.write("relais.xml", connectorConfig(dir, ""));
    const auto result = runRelais({"check-config", path});
    EXPECT_EQ(result.exit_code, 78);
    EXPECT_NE(result.err.find("directory"), std::string::npos) << result.err;
}

TEST(Cli, CheckConfigReportsUnknownPlugins) {
    TempDir dir;
    std::string config = connectorConfig(dir, "");
    config.replace(config.find("plugin=\"filedrop\""), 17, "plugin=\"nope\"");
    const auto result = runRelais({"check-config", dir.write("relais.xml", config)});
    EXPECT_EQ(result.exit_code, 78);
    EXPECT_NE(result.err.find("no plugin 'nope'"), std::string::npos) << result.err;
}

TEST(Cli, CheckConfigReportsXmlErrorsWithTheLine) {
    TempDir dir;
    const std::string path =
        dir.write("relais.xml", "<relais version=\"1\">\n  <server>\n</relais>\n");
    const auto result = runRelais({"check-config", path});
    EXPECT_EQ(result.exit_code, 78);
    EXPECT_NE(result.err.find(path + ":"), std::string::npos) << result.err;
}

TEST(Cli, CheckConfigValidatesTheDemoConfig) {
    // The demo config refers to key files under ../var/: give it a copy of the tree.
    TempDir dir;
    dir.write("config/relais.xml", readSourceFile("config/relais.xml"));
    dir.write("var/portal.key", "demo-portal-key-0123456789");
    dir.write("var/admin.key", "demo-admin-key-01234567890");
    dir.write("var/business.key", "demo-business-key-0123456789");
    dir.write("var/api-particulier.token", "demo-token-0123456789");
    dir.write("var/wcs-publik.key", "demo-wcs-publik-key-0123456789");
    // The attribute key must be private to the service account, as `relais keygen` makes it.
    ASSERT_EQ(runRelais({"keygen", dir.file("var/attributes-demo-1.key")}).exit_code, 0);
    std::string config = readSourceFile("config/relais.xml");
    config.replace(config.find("../build/plugins"), 16, RELAIS_PLUGIN_DIR);
    config.replace(config.find("../mappings/"), 12, RELAIS_SOURCE_DIR "/mappings/");
    const auto result = runRelais({"check-config", dir.write("config/relais.xml", config)});
    EXPECT_EQ(result.exit_code, 0) << result.err;
}

TEST(Cli, CheckConfigLoadsTheRoutesMappings) {
    TempDir dir;
    const std::string broken =
        dir.write("broken.xml", "<mapping version=\"1\">\n  <nonsense/>\n</mapping>\n");
    const std::string path = dir.write(
        "relais.xml", wrapConfig(baseConfigElements(dir) +
                                 "<connectors><connector name=\"fichiers\" plugin=\"filedrop\">"
                                 "<param name=\"directory\">" +
                                 dir.file("out") +
                                 "</param></connector>"
                                 "</connectors>\n<routes><route name=\"r\" procedure=\"p\" "
                                 "connector=\"fichiers\" mapping=\"broken.xml\"/></routes>\n"));
    const auto result = runRelais({"check-config", path});
    EXPECT_EQ(result.exit_code, 78);
    EXPECT_NE(result.err.find(broken + ":2"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("route 'r'"), std::string::npos) << result.err;
}

TEST(Cli, MapPrintsTheMappedDossier) {
    const auto result = runRelais(
        {"map", "--mapping", RELAIS_SOURCE_DIR "/mappings/examples/cantine-backoffice.xml",
         "--input", RELAIS_SOURCE_DIR "/tests/fixtures/bench/dossier.json"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(
        sdk::Json::parse(result.out).value(),
        sdk::Json::parse(readSourceFile("tests/fixtures/bench/expected-backoffice.json")).value());
}

TEST(Cli, MapNamesTheFieldOfABadDossier) {
    TempDir dir;
    std::string body = readSourceFile("tests/fixtures/bench/dossier.json");
    body.replace(body.find("\"14/11/2026\""), 12, "\"2026-11-14\"");
    const auto result = runRelais({"map", "--mapping",
                                   RELAIS_SOURCE_DIR "/mappings/examples/cantine-backoffice.xml",
                                   "--input", dir.write("dossier.json", body)});
    EXPECT_EQ(result.exit_code, 65);
    EXPECT_NE(result.err.find("date_depot"), std::string::npos) << result.err;
}

TEST(Cli, PluginsListsDescriptors) {
    const auto result = runRelais({"plugins", "--plugin-dir", RELAIS_PLUGIN_DIR});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.out.find("json"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("filedrop"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("source-key"), std::string::npos) << result.out;
}

TEST(Cli, VersionAndHelp) {
    const auto version = runRelais({"version"});
    EXPECT_EQ(version.exit_code, 0);
    EXPECT_NE(version.out.find("plugin ABI"), std::string::npos);
    const auto help = runRelais({"--help"});
    EXPECT_EQ(help.exit_code, 0);
    for (const char* word : {"serve", "check-config", "plugins", "--config", "--listen"}) {
        EXPECT_NE(help.out.find(word), std::string::npos) << word;
    }
    EXPECT_EQ(runRelais({"frobnicate"}).exit_code, 64);
}

TEST(Cli, HashKeyPrintsTheSha256) {
    const auto result = runRelais({"hash-key", "0123456789abcdef-key"});
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_EQ(result.out, common::sha256Hex("0123456789abcdef-key") + "\n");
    EXPECT_EQ(runRelais({"hash-key", "short"}).exit_code, 64);
}

}  // namespace
}  // namespace relais::test
