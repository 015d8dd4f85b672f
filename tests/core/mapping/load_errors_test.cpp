// SPDX-License-Identifier: AGPL-3.0-or-later
// Loading refuses every kind of broken mapping with `file:line: <element>: what`.

#include <random>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mapping_test_support.h"

namespace relais::mapping::test {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class MappingLoadErrors : public ::testing::Test {
protected:
    /// The load error of a mapping whose rules (`body`) start on line 3.
    std::string errorOf(const std::string& body) {
        return loadError(
            dir_, "<?xml version=\"1.0\"?>\n<mapping version=\"1\">\n" + body + "\n</mapping>\n");
    }
    std::string at(int line) const {
        return dir_.file("m.xml") + ":" + std::to_string(line) + ": ";
    }

    relais::test::TempDir dir_;
};

TEST_F(MappingLoadErrors, UnknownElement) {
    const std::string error = errorOf("<field from=\"a\" to=\"a\"/>\n<feild from=\"a\" to=\"b\"/>");
    EXPECT_THAT(error, StartsWith(at(4)));
    EXPECT_THAT(error, HasSubstr("feild"));
}

TEST_F(MappingLoadErrors, UnknownAttribute) {
    EXPECT_THAT(errorOf("<field from=\"a\" to=\"a\" form=\"x\"/>"), StartsWith(at(3)));
}

TEST_F(MappingLoadErrors, BadAttributeValue) {
    const std::string error = errorOf("\n<field from=\"a\" to=\"a\" case=\"title\"/>");
    EXPECT_THAT(error, StartsWith(at(4)));
    EXPECT_THAT(error, HasSubstr("title"));
    EXPECT_THAT(errorOf("<field from=\"a\" to=\"a\" substring=\"-1\"/>"),
                HasSubstr("START or START,LENGTH"));
}

TEST_F(MappingLoadErrors, MissingRequiredAttribute) {
    EXPECT_THAT(errorOf("<field from=\"a\"/>"), StartsWith(at(3)));
}

TEST_F(MappingLoadErrors, WrongVersion) {
    EXPECT_THAT(loadError(dir_, "<mapping version=\"2\"/>"), StartsWith(at(1)));
}

TEST_F(MappingLoadErrors, UnknownTable) {
    const std::string error = errorOf(
        "<table name=\"a\"><entry code=\"x\" value=\"y\"/></table>\n"
        "<field from=\"a\" to=\"a\" table=\"regimes\"/>");
    EXPECT_EQ(error, at(4) + "<field>: unknown table 'regimes' (declared: a)");
    EXPECT_THAT(errorOf("<field from=\"a\" to=\"a\"><lookup table=\"t\"/></field>"),
                StartsWith(at(3) + "<lookup>: unknown table 't' (no <table> is declared)"));
}

TEST_F(MappingLoadErrors, DuplicateTablesAndCodes) {
    EXPECT_THAT(errorOf("<table name=\"t\"/>\n<table name=\"t\"/>"),
                StartsWith(at(4) + "<table>: the table 't' is declared twice"));
    EXPECT_THAT(errorOf("<table name=\"t\">\n<entry code=\"A\" value=\"1\"/>\n"
                        "<entry code=\"A\" value=\"2\"/></table>"),
                StartsWith(at(5) + "<entry>: the code 'A' appears twice"));
}

TEST_F(MappingLoadErrors, BadRegularExpression) {
    const std::string error = errorOf("<field from=\"a\" to=\"a\" replace=\"(unclosed\"/>");
    EXPECT_THAT(error, StartsWith(at(3) + "<field>: replace: bad regular expression '(unclosed'"));
    EXPECT_THAT(errorOf("\n\n<field from=\"a\" to=\"a\"><replace pattern=\"*\"/></field>"),
                StartsWith(at(5) + "<replace>: replace: bad regular expression"));
    EXPECT_THAT(errorOf("<field from=\"a\" to=\"a\" when=\"a matches '['\"/>"),
                StartsWith(at(3) + "<field>: when: column 11: bad regular expression"));
}

TEST_F(MappingLoadErrors, BadDatePattern) {
    EXPECT_THAT(errorOf("<field from=\"a\" to=\"a\" date-from=\"DD/MM/YY\"/>"),
                StartsWith(at(3) + "<field>: date-from: bad date pattern 'DD/MM/YY': unknown "
                                   "token 'YY'"));
    EXPECT_THAT(errorOf("<field from=\"a\" to=\"a\" date-from=\"MM/YYYY\"/>"),
                HasSubstr("an input pattern needs YYYY, MM and DD"));
    EXPECT_THAT(errorOf("<field from=\"a\" to=\"a\" date-from=\"DD/MM/YYYY/DD\"/>"),
                HasSubstr("'DD' appears twice"));
    EXPECT_THAT(errorOf("<field from=\"a\" to=\"a\" date-from=\"YYYY-MM-DD\" date-to=\"D/M\"/>"),
                HasSubstr("date-to: bad date pattern 'D/M'"));
    EXPECT_THAT(errorOf("<field from=\"a\" to=\"a\"><date from=\"YYYY-MM-DD\" to=\"'x\"/></field>"),
                StartsWith(at(3) + "<date>: to: bad date pattern ''x': unterminated quote"));
    EXPECT_THAT(errorOf("<field from=\"a\" to=\"a\" date-to=\"YYYY\"/>"),
                HasSubstr("'date-to' needs 'date-from'"));
}

TEST_F(MappingLoadErrors, BadCondition) {
    EXPECT_EQ(errorOf("<group from=\"l\" to=\"l\" filter=\"x = \"/>"),
              at(3) +
                  "<group>: filter: column 5: expected a value (a quoted string, a number, "
                  "true, false or null) but found end of the condition");
}

TEST_F(MappingLoadErrors, BadPaths) {
    EXPECT_THAT(errorOf("<field from=\"a..b\" to=\"a\"/>"),
                StartsWith(at(3) + "<field>: from: bad path 'a..b': empty member name"));
    EXPECT_THAT(errorOf("<field from=\"$dossier.nope\" to=\"a\"/>"),
                HasSubstr("unknown metadata; known: $dossier.id, $dossier.source"));
    EXPECT_THAT(errorOf("<field from=\"a[x]\" to=\"a\"/>"), HasSubstr("[N]"));
    EXPECT_THAT(errorOf("<field from=\"a\" to=\"children[].x\"/>"),
                HasSubstr("arrays are written with a <group>"));
    EXPECT_THAT(errorOf("<field from=\"a\" to=\"x..y\"/>"), HasSubstr("empty member name"));
    EXPECT_THAT(errorOf("<field from=\"a\" to=\".\"/>"),
                HasSubstr("'.' (the element itself) is only allowed inside a <group>"));
    EXPECT_THAT(errorOf("<group from=\"a\" to=\".\"/>"), HasSubstr("a group needs a target name"));
}

TEST_F(MappingLoadErrors, MissingCsvFile) {
    EXPECT_THAT(errorOf("<table name=\"t\" file=\"missing.csv\"/>"),
                StartsWith(at(3) + "<table>: file: cannot open '" + dir_.file("missing.csv") +
                           "': No such file or directory"));
}

TEST_F(MappingLoadErrors, MalformedCsvFiles) {
    struct Case {
        const char* content;
        const char* message;
    };
    for (const Case& c : {
             Case{"A,1\nB,2,3\n", "t.csv:2: expected 2 fields (code,value), found 3"},
             Case{"A,1\nB\n", "t.csv:2: expected 2 fields (code,value), found 1"},
             Case{"A,1\n\"B,2\n", "t.csv:2: unterminated quoted field"},
             Case{"A,1\nB\"x,2\n",
                  "t.csv:2: a quote inside an unquoted field (quote the field and double the "
                  "quote)"},
             Case{"\"A\"x,1\n", "t.csv:1: unexpected character after a closing quote"},
             Case{"A,1\n,2\n", "t.csv:2: empty code"},
             Case{"A,1\n\"multi\nline\",2\nA,3\n", "t.csv:4: duplicate code 'A'"},
         }) {
        dir_.write("t.csv", c.content);
        EXPECT_EQ(errorOf("<table name=\"t\" file=\"t.csv\"/>"), at(3) + "<table>: " + c.message)
            << c.content;
    }
    EXPECT_THAT(errorOf("<table name=\"t\" separator=\";\"/>"),
                HasSubstr("'separator' and 'header' describe a CSV 'file'"));
}

TEST_F(MappingLoadErrors, TargetConflicts) {
    EXPECT_EQ(errorOf("<field from=\"a\" to=\"x.y\"/>\n<field from=\"b\" to=\"x.y.z\"/>"),
              at(4) +
                  "<field>: the target 'x.y' is written as an object (other targets below "
                  "it) here and as a value by line 3");
    EXPECT_EQ(errorOf("<field from=\"a\" to=\"x.y.z\"/>\n<field from=\"b\" to=\"x.y\"/>"),
              at(4) +
                  "<field>: the target 'x.y' is written as a value here and as an object "
                  "(other targets below it) by line 3");
    EXPECT_THAT(errorOf("<group from=\"l\" to=\"x\"/>\n<field from=\"b\" to=\"x.n\"/>"),
                StartsWith(at(4) + "<field>: the target 'x' is written as an object"));
    EXPECT_THAT(errorOf("<field from=\"a\" to=\"x\"/>\n<field from=\"b\" to=\"x\"/>"),
                StartsWith(at(4) + "<field>: the target 'x' is already written by line 3"));
    EXPECT_THAT(errorOf("<field from=\"a\" to=\"x\" when=\"a present\"/>\n"
                        "<field from=\"b\" to=\"x\"/>"),
                StartsWith(at(4) + "<field>: the target 'x' is already written by line 3"));
    EXPECT_THAT(errorOf("<section to=\"g\">\n<field from=\"a\" to=\"n\"/>\n</section>\n"
                        "<field from=\"b\" to=\"g.n.m\"/>"),
                StartsWith(at(6) + "<field>: the target 'g.n' is written as an object"));
    EXPECT_THAT(errorOf("<group from=\"l\" to=\"l\">\n<field from=\".\" to=\".\"/>\n"
                        "<field from=\"x\" to=\"x\"/>\n</group>"),
                StartsWith(at(5) + "<field>: the target '.' is written as an object"));
    // Not conflicts: two groups appending to one list, sibling members, conditional rules.
    EXPECT_NO_THROW(mappingFrom(dir_, R"(<group from="a" to="l"/><group from="b" to="l"/>
        <field from="x" to="o.a"/><field from="y" to="o.b"/>
        <field from="m" to="p" when="m present"/><field from="h" to="p" when="h present"/>)"));
}

TEST_F(MappingLoadErrors, FieldShapes) {
    EXPECT_THAT(errorOf("<field from=\"a\" value=\"b\" to=\"x\"/>"),
                StartsWith(at(3) + "<field>: give either 'from' or 'value', not both"));
    EXPECT_THAT(errorOf("<field to=\"x\"/>"),
                StartsWith(at(3) + "<field>: needs 'from' (a source path) or 'value'"));
    EXPECT_THAT(errorOf("<concat to=\"x\">\n<part/>\n</concat>"), StartsWith(at(4) + "<part>:"));
    EXPECT_THAT(errorOf("<field from=\"a\" to=\"x\" with=\"y\"/>"),
                HasSubstr("'with' needs 'replace'"));
    EXPECT_THAT(errorOf("<field from=\"a\" to=\"x\" decimals=\"2\"/>"),
                HasSubstr("'decimals' and 'decimal-separator' need type=\"number\""));
    EXPECT_THAT(errorOf("<field value=\"abc\" to=\"x\" type=\"number\"/>"),
                StartsWith(at(3) + "<field>: value: expected a number"));
    EXPECT_THAT(errorOf("<field from=\"a\" to=\"x\" type=\"number\" default=\"zero\"/>"),
                StartsWith(at(3) + "<field>: default: expected a number"));
    EXPECT_THAT(errorOf("<concat to=\"x\"/>"), StartsWith(at(3)));  // a part is required
}

TEST_F(MappingLoadErrors, OutputSettings) {
    EXPECT_THAT(errorOf("<output format=\"json\" root=\"x\"/>"),
                StartsWith(at(3) + "<output>: 'root' is for XML output"));
    EXPECT_THAT(errorOf("<output format=\"xml\"/>"),
                StartsWith(at(3) + "<output>: XML output needs a 'root' element name"));
    EXPECT_THAT(errorOf("<output format=\"xml\" root=\"p:r\"/>"),
                HasSubstr("root: the prefix 'p' is not declared"));
    EXPECT_THAT(errorOf("<output format=\"xml\" root=\"r\">\n<namespace prefix=\"p\" uri=\"u\"/>\n"
                        "<namespace prefix=\"p\" uri=\"v\"/>\n</output>"),
                StartsWith(at(5) + "<namespace>: the prefix 'p' is declared twice"));
    EXPECT_THAT(errorOf("<output format=\"xml\" root=\"r\">\n<namespace uri=\"urn:a b\"/>\n"
                        "</output>"),
                StartsWith(at(4) + "<namespace>: 'urn:a b' is not a valid namespace URI"));
    EXPECT_THAT(errorOf("<output format=\"xml\" root=\"r\"/>\n<field from=\"a\" to=\"q:x\"/>"),
                StartsWith(at(4) + "<field>: to: the prefix 'q' is not declared"));
    EXPECT_THAT(errorOf("<output format=\"xml\" root=\"r\"/>\n<field from=\"a\" to=\"/r/x\"/>"),
                HasSubstr("no leading '/'"));
    EXPECT_THAT(errorOf("<output format=\"xml\" root=\"r\"/>\n<field from=\"a\" to=\"@x/y\"/>"),
                HasSubstr("an attribute can only be the last step"));
    EXPECT_THAT(errorOf("<output format=\"xml\" root=\"r\"/>\n<field from=\"a\" to=\"1x\"/>"),
                HasSubstr("'1x' is not an XML name"));
    EXPECT_THAT(errorOf("<output format=\"xml\" root=\"r\"/>\n<group from=\"a\" to=\"x/@y\"/>"),
                HasSubstr("a group writes elements, not an attribute"));
    EXPECT_THAT(errorOf("<output format=\"xml\" root=\"r\" schema=\"missing.xsd\"/>"),
                StartsWith(at(3) + "<output>: schema: cannot open"));
    dir_.write("bad.xsd",
               "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\">\n"
               "<xs:element name=\"r\" type=\"nope\"/></xs:schema>");
    EXPECT_THAT(errorOf("<output format=\"xml\" root=\"r\" schema=\"bad.xsd\"/>"),
                StartsWith(at(3) + "<output>: schema 'bad.xsd' is not a valid XML schema"));
}

TEST_F(MappingLoadErrors, XmlTargetConflictsIgnoreAttributesButNotMixedContent) {
    EXPECT_NO_THROW(mappingFrom(dir_, R"(<output format="xml" root="r"/>
        <field from="a" to="e/@x"/><field from="b" to="e"/><field from="c" to="e/@y"/>)"));
    EXPECT_THAT(errorOf("<output format=\"xml\" root=\"r\"/>\n<field from=\"a\" to=\"e\"/>\n"
                        "<field from=\"b\" to=\"e/f\"/>"),
                StartsWith(at(5) + "<field>: the target 'e' is written as an object"));
    EXPECT_THAT(errorOf("<output format=\"xml\" root=\"r\"/>\n<group from=\"l\" to=\"e/i\"/>\n"
                        "<field from=\"b\" to=\"e/i/@n\"/>"),
                StartsWith(at(5) + "<field>: the target 'e/i' is written as an element with "
                                   "attributes here and as a repeated group by line 4"));
}

TEST_F(MappingLoadErrors, RefusesADocumentTypeDeclaration) {
    const std::string error =
        loadError(dir_,
                  "<?xml version=\"1.0\"?>\n<!DOCTYPE mapping [\n<!ENTITY x SYSTEM "
                  "\"file:///etc/passwd\">\n]>\n<mapping version=\"1\"><field value=\"&x;\" "
                  "to=\"x\"/></mapping>\n");
    EXPECT_THAT(error, StartsWith(at(2)));
    EXPECT_THAT(error, HasSubstr("document type declaration"));
}

TEST_F(MappingLoadErrors, NotWellFormed) {
    EXPECT_THAT(loadError(dir_, "<mapping version=\"1\">\n<field from=\"a\" to=\"b\">\n</mapping>"),
                StartsWith(at(3)));
}

TEST_F(MappingLoadErrors, UnreadableFile) {
    try {
        Mapping::load(dir_.file("absent.xml"));
        ADD_FAILURE() << "loaded";
    } catch (const ConfigError& e) {
        EXPECT_THAT(e.message(), StartsWith(dir_.file("absent.xml") + ": cannot read the mapping"));
    }
}

TEST(MappingLoadFuzz, MutatedMappingsLoadOrFailCleanlyAndNeverCrashWhenApplied) {
    // Deterministic fuzzing: byte mutations of the XML example, loaded from its directory
    // (so that its schema resolves), then applied to the benchmark dossier.
    const std::string directory = std::string(RELAIS_SOURCE_DIR) + "/mappings/examples";
    const std::string original = relais::test::readSourceFile("mappings/examples/cantine-soap.xml");
    const sdk::Dossier dossier =
        dossierWith(relais::test::readSourceFile("tests/fixtures/bench/dossier.json"));
    const std::string alphabet = "<>/=\"' .$[]()@:-_,;&#0123456789azAZ\n\t\x01\xc3\xa9";
    std::mt19937 random(424242);
    int loaded = 0;
    for (int round = 0; round < 400; ++round) {
        std::string text = original;
        const int mutations = 1 + static_cast<int>(random() % 4);
        for (int m = 0; m < mutations; ++m) {
            const std::size_t at = random() % text.size();
            const char c = alphabet[random() % alphabet.size()];
            switch (random() % 3) {
                case 0:
                    text[at] = c;
                    break;
                case 1:
                    text.insert(at, 1, c);
                    break;
                default:
                    text.erase(at, 1 + random() % 8);
                    break;
            }
        }
        std::shared_ptr<const Mapping> mapping;
        try {
            mapping = Mapping::fromString(text, directory + "/fuzz.xml");
        } catch (const ConfigError& e) {
            EXPECT_THAT(e.message(), StartsWith(directory + "/")) << text;
            continue;
        }
        ++loaded;
        auto payload = mapping->apply(dossier);
        if (!payload) {
            EXPECT_NE(payload.error().code, sdk::ErrorCode::Internal) << payload.error().message;
        }
    }
    EXPECT_GT(loaded, 0);
}

}  // namespace
}  // namespace relais::mapping::test
