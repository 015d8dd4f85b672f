// SPDX-License-Identifier: AGPL-3.0-or-later
// `relais map`: the integrator's loop, as a function (exit codes and output).

#include "app/map_command.h"

#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mapping_test_support.h"

namespace relais::app {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

struct CommandRun {
    int code = -1;
    std::string out;
    std::string err;
};

CommandRun run(const MapCommandOptions& options) {
    std::ostringstream out;
    std::ostringstream err;
    CommandRun result;
    result.code = runMapCommand(options, out, err);
    result.out = out.str();
    result.err = err.str();
    return result;
}

std::string source(const char* relative) { return std::string(RELAIS_SOURCE_DIR) + "/" + relative; }

TEST(MapCommand, PrintsTheBenchmarkMappingOutput) {
    const CommandRun result = run({source("mappings/examples/cantine-backoffice.xml"),
                                   source("tests/fixtures/bench/dossier.json"), "", ""});
    ASSERT_EQ(result.code, 0) << result.err;
    EXPECT_EQ(result.err, "");
    EXPECT_THAT(result.out, StartsWith("{\n  \""));  // indented for humans
    EXPECT_EQ(mapping::test::json(result.out),
              mapping::test::json(
                  relais::test::readSourceFile("tests/fixtures/bench/expected-backoffice.json")));
}

TEST(MapCommand, PrintsXmlAsProduced) {
    const CommandRun result = run({source("mappings/examples/cantine-soap.xml"),
                                   source("tests/fixtures/bench/dossier.json"), "", ""});
    ASSERT_EQ(result.code, 0) << result.err;
    EXPECT_THAT(result.out, StartsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"));
    EXPECT_THAT(result.out,
                HasSubstr(std::string("relais=\"") + std::string(kMapCommandDossierId) + "\""));
}

TEST(MapCommand, BuildsTheCanonicalDossierFromTheOptions) {
    relais::test::TempDir dir;
    const std::string mapping = dir.write("m.xml", R"(<mapping version="1">
        <field from="$dossier.id" to="id"/><field from="$dossier.source" to="source"/>
        <field from="$dossier.procedure" to="procedure"/>
        <field from="$dossier.source_key" to="key"/>
        <field from="$dossier.submitted_at" to="at"/></mapping>)");
    const std::string input = dir.write("in.json", R"({"meta": {"numero": 4217}})");
    CommandRun result = run({mapping, input, "cantine", "meta.numero"});
    ASSERT_EQ(result.code, 0) << result.err;
    const sdk::Json out = mapping::test::json(result.out);
    EXPECT_EQ(out.find("id")->asString(), kMapCommandDossierId);
    EXPECT_EQ(out.find("source")->asString(), "map");
    EXPECT_EQ(out.find("procedure")->asString(), "cantine");
    EXPECT_EQ(out.find("key")->asString(), "4217");
    EXPECT_TRUE(sdk::Timestamp::parse(out.find("at")->asString()).ok());

    result = run({mapping, input, "", ""});
    ASSERT_EQ(result.code, 0) << result.err;
    EXPECT_EQ(mapping::test::json(result.out).find("procedure")->asString(), "example");
    EXPECT_EQ(mapping::test::json(result.out).find("key"), nullptr);

    result = run({mapping, input, "", "meta.absent"});
    EXPECT_EQ(result.code, 65);
    EXPECT_THAT(result.err, HasSubstr("--source-key 'meta.absent'"));
}

TEST(MapCommand, AMappingErrorExitsWith78AndFileLine) {
    relais::test::TempDir dir;
    const std::string mapping = dir.write(
        "m.xml", "<mapping version=\"1\">\n<field from=\"a\" to=\"b\" table=\"t\"/>\n</mapping>");
    const CommandRun result = run({mapping, source("tests/fixtures/bench/dossier.json"), "", ""});
    EXPECT_EQ(result.code, 78);
    EXPECT_EQ(result.out, "");
    EXPECT_THAT(result.err, StartsWith(mapping + ":2: <field>: unknown table 't'"));
}

TEST(MapCommand, DataErrorsExitWith65AndNameTheField) {
    relais::test::TempDir dir;
    std::string body = relais::test::readSourceFile("tests/fixtures/bench/dossier.json");
    body.replace(body.find("28/09/2021"), 10, "2021-09-28");
    const std::string input = dir.write("bad-date.json", body);
    CommandRun result = run({source("mappings/examples/cantine-backoffice.xml"), input, "", ""});
    EXPECT_EQ(result.code, 65);
    EXPECT_EQ(result.out, "");
    EXPECT_THAT(result.err, HasSubstr("enfants[1].date_naissance: expected a date in the form "
                                      "DD/MM/YYYY"));
    EXPECT_THAT(result.err, HasSubstr("  field: enfants[1].date_naissance\n"));

    result = run({source("mappings/examples/cantine-backoffice.xml"),
                  dir.write("array.json", "[1, 2]"), "", ""});
    EXPECT_EQ(result.code, 65);
    EXPECT_THAT(result.err, HasSubstr("expected a JSON object"));

    result = run({source("mappings/examples/cantine-backoffice.xml"),
                  dir.write("broken.json", "{\"a\": }"), "", ""});
    EXPECT_EQ(result.code, 65);
    EXPECT_THAT(result.err, HasSubstr("broken.json"));

    result =
        run({source("mappings/examples/cantine-backoffice.xml"), dir.file("absent.json"), "", ""});
    EXPECT_EQ(result.code, 65);
    EXPECT_THAT(result.err, HasSubstr("absent.json"));
}

TEST(MapCommand, MissingOptionsAreAUsageError) {
    EXPECT_EQ(run({"", source("tests/fixtures/bench/dossier.json"), "", ""}).code, 64);
    const CommandRun result = run({source("mappings/examples/cantine-backoffice.xml"), "", "", ""});
    EXPECT_EQ(result.code, 64);
    EXPECT_THAT(result.err, HasSubstr("--mapping FILE and --input FILE are required"));
}

}  // namespace
}  // namespace relais::app
