// SPDX-License-Identifier: AGPL-3.0-or-later
// The SDK's XML toolkit (relais/sdk/xml.h): safe parsing, element views, XPath with
// namespaces, XSD validation with line numbers, serialised and canonical output.

#include "relais/sdk/xml.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

namespace relais::sdk {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kSchema = R"(<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:simpleType name="Code">
    <xs:annotation><xs:documentation>a code of three capital letters</xs:documentation></xs:annotation>
    <xs:restriction base="xs:string"><xs:pattern value="[A-Z]{3}"/></xs:restriction>
  </xs:simpleType>
  <xs:element name="root">
    <xs:complexType><xs:sequence>
      <xs:element name="item" maxOccurs="unbounded">
        <xs:complexType><xs:attribute name="code" type="Code" use="required"/></xs:complexType>
      </xs:element>
    </xs:sequence></xs:complexType>
  </xs:element>
</xs:schema>)";

TEST(XmlParse, RefusesAnExternalEntityWithoutReadingTheFile) {
    const ParsedXml parsed = parseXmlSafely(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
        "<r>&x;</r>");
    EXPECT_EQ(parsed.doc, nullptr);
    EXPECT_TRUE(parsed.doctype_refused);
    ASSERT_EQ(parsed.problems.size(), 1U);
    EXPECT_EQ(parsed.problems.front().line, 2);
    EXPECT_EQ(parsed.problems.front().message, kDoctypeRefused);
    EXPECT_THAT(describeProblems(parsed.problems), Not(HasSubstr("root:")));
}

TEST(XmlParse, RefusesADtdEvenWithoutEntities) {
    const ParsedXml parsed = parseXmlSafely("<!DOCTYPE r>\n<r/>");
    EXPECT_EQ(parsed.doc, nullptr);
    EXPECT_TRUE(parsed.doctype_refused);
}

TEST(XmlParse, RefusesBillionLaughsBeforeExpandingAnything) {
    std::string text = "<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n";
    for (int i = 1; i < 10; ++i) {
        text += "<!ENTITY lol" + std::to_string(i) + " \"";
        for (int k = 0; k < 10; ++k)
            text += "&lol" + (i == 1 ? std::string() : std::to_string(i - 1)) + ";";
        text += "\">\n";
    }
    text += "]>\n<lolz>&lol9;</lolz>";
    const ParsedXml parsed = parseXmlSafely(text);
    EXPECT_EQ(parsed.doc, nullptr);
    EXPECT_TRUE(parsed.doctype_refused);
    EXPECT_EQ(parsed.problems.size(), 1U);
}

TEST(XmlParse, RefusesANetworkDtdWithoutConnecting) {
    // Port 9 (discard) on loopback: a fetch would fail slowly or be refused; the parser must
    // stop at the declaration before any loader is asked.
    const ParsedXml parsed =
        parseXmlSafely("<!DOCTYPE r SYSTEM \"http://127.0.0.1:9/evil.dtd\">\n<r/>");
    EXPECT_EQ(parsed.doc, nullptr);
    EXPECT_TRUE(parsed.doctype_refused);
}

TEST(XmlParse, LeavesXIncludeUnprocessed) {
    const ParsedXml parsed = parseXmlSafely(
        "<r xmlns:xi=\"http://www.w3.org/2001/XInclude\">"
        "<xi:include href=\"http://127.0.0.1:9/x.xml\" parse=\"text\"/></r>");
    ASSERT_NE(parsed.doc, nullptr);
    EXPECT_TRUE(parsed.doc->root().firstChild().is("http://www.w3.org/2001/XInclude", "include"));
}

TEST(XmlParse, RefusesNestingBeyondLibxml2sDepthLimit) {
    std::string deep;
    for (int i = 0; i < 300; ++i) deep += "<a>";
    for (int i = 0; i < 300; ++i) deep += "</a>";
    const ParsedXml parsed = parseXmlSafely(deep);
    EXPECT_EQ(parsed.doc, nullptr);
    EXPECT_FALSE(parsed.problems.empty());
}

TEST(XmlParse, ReportsProblemsWithTheirLines) {
    const ParsedXml parsed = parseXmlSafely("<a>\n<b>\n</a>", "doc.xml");
    EXPECT_EQ(parsed.doc, nullptr);
    ASSERT_FALSE(parsed.problems.empty());
    EXPECT_EQ(parsed.problems.front().line, 3);
    EXPECT_THAT(formatXmlProblems("doc.xml", parsed.problems), HasSubstr("doc.xml:3: "));
    EXPECT_THAT(describeProblems(parsed.problems), HasSubstr("line 3: "));
    EXPECT_EQ(parseXmlSafely(" \n").problems.front().message, "the document is empty");
}

TEST(XmlParse, DescribeCutsLongMessagesOnACharacter) {
    std::string long_message;
    for (int i = 0; i < 200; ++i) long_message += "é";
    const std::string described = describeProblems({{4, long_message}, {0, "b"}, {0, "c"}}, 2);
    EXPECT_THAT(described, HasSubstr("line 4: "));
    EXPECT_THAT(described, HasSubstr("…; b (and 1 more)"));
    EXPECT_LT(described.size(), long_message.size());
}

TEST(XmlElement, ReadsNamesAttributesTextAndStartLines) {
    const ParsedXml parsed = parseXmlSafely(
        "<r xmlns='urn:r' xmlns:p='urn:p'>\n  <p:item\n     "
        "code='A&amp;B'>x<![CDATA[<y>]]></p:item>\n"
        "  <other/>\n</r>");
    ASSERT_NE(parsed.doc, nullptr);
    const XmlElement root = parsed.doc->root();
    EXPECT_TRUE(root.is("urn:r", "r"));
    const std::vector<XmlElement> children = root.children();
    ASSERT_EQ(children.size(), 2U);
    EXPECT_EQ(children[0].localName(), "item");
    EXPECT_EQ(children[0].namespaceUri(), "urn:p");
    EXPECT_EQ(children[0].line(), 2) << "the line of '<', not of the end of the start tag";
    EXPECT_EQ(children[0].attribute("code"), "A&B");
    EXPECT_EQ(children[0].attribute("missing"), std::nullopt);
    EXPECT_EQ(children[0].text(), "x<y>");
    EXPECT_TRUE(root.child("other"));
    EXPECT_FALSE(root.child("none"));
    EXPECT_FALSE(root.child("none").child("deeper")) << "no element stays no element";
    EXPECT_EQ(children[1].nextSibling().localName(), "");
}

TEST(XmlElement, SerializesWithItsNamespaceDeclarations) {
    const ParsedXml parsed = parseXmlSafely("<p:r xmlns:p='urn:p'><p:a x=\"&lt;\">1</p:a></p:r>");
    ASSERT_NE(parsed.doc, nullptr);
    EXPECT_EQ(parsed.doc->root().serialize(),
              "<p:r xmlns:p=\"urn:p\"><p:a x=\"&lt;\">1</p:a></p:r>");
    EXPECT_EQ(parsed.doc->serialize(),
              "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
              "<p:r xmlns:p=\"urn:p\"><p:a x=\"&lt;\">1</p:a></p:r>\n");
}

TEST(XmlDocument, WritesCanonicalXml) {
    const ParsedXml parsed = parseXmlSafely(
        "<?xml version=\"1.0\"?>\n<r xmlns:unused='urn:u' b='2' a='1'><!-- c --><e/></r>");
    ASSERT_NE(parsed.doc, nullptr);
    EXPECT_EQ(parsed.doc->canonical(), "<r xmlns:unused=\"urn:u\" a=\"1\" b=\"2\"><e></e></r>");
    EXPECT_EQ(parsed.doc->canonical(C14nMode::Exclusive), "<r a=\"1\" b=\"2\"><e></e></r>");
    EXPECT_EQ(parsed.doc->canonical(C14nMode::Exclusive, true),
              "<r a=\"1\" b=\"2\"><!-- c --><e></e></r>");
}

TEST(XPathQuery, EvaluatesWithNamespaces) {
    const ParsedXml parsed = parseXmlSafely("<r xmlns='urn:r'><id> 42 </id><n>7</n></r>");
    ASSERT_NE(parsed.doc, nullptr);
    auto query = XPathQuery::compile("/x:r/x:id", {{"x", "urn:r"}});
    ASSERT_TRUE(query.ok()) << query.error().message;
    auto value = (*query)->evaluate(*parsed.doc);
    ASSERT_TRUE(value.ok());
    EXPECT_EQ(value->value_or("<none>"), "42");
    EXPECT_EQ((*query)->expression(), "/x:r/x:id");

    auto unprefixed = XPathQuery::compile("/r/id", {});
    ASSERT_TRUE(unprefixed.ok());
    EXPECT_FALSE((*unprefixed)->evaluate(*parsed.doc)->has_value())
        << "names without prefix are in no namespace";
    auto undeclared = XPathQuery::compile("//y:id", {{"x", "urn:r"}});
    ASSERT_FALSE(undeclared.ok());
    EXPECT_THAT(undeclared.error().message, HasSubstr("//y:id"));
}

TEST(XmlSchema, ReportsViolationsWithLinesAndExplainsPatterns) {
    std::vector<XmlProblem> problems;
    const auto schema = XmlSchema::compile(kSchema, "codes.xsd", problems);
    ASSERT_NE(schema, nullptr) << formatXmlProblems("codes.xsd", problems);
    EXPECT_EQ(schema->name(), "codes.xsd");
    const ParsedXml good = parseXmlSafely("<root><item code=\"ABC\"/></root>");
    ASSERT_NE(good.doc, nullptr);
    EXPECT_TRUE(schema->check(*good.doc).empty());

    const ParsedXml bad = parseXmlSafely("<root>\n<item code=\"abc\"/>\n<other/>\n</root>");
    ASSERT_NE(bad.doc, nullptr);
    const std::vector<XmlProblem> found = schema->check(*bad.doc);
    ASSERT_EQ(found.size(), 2U);
    EXPECT_EQ(found[0].line, 2);
    EXPECT_THAT(found[0].message, HasSubstr("is not a code of three capital letters"));
    EXPECT_EQ(found[1].line, 3);
    EXPECT_THAT(found[1].message, HasSubstr("element 'other'"));
}

TEST(XmlSchema, RefusesAnInvalidSchemaWithItsProblems) {
    std::vector<XmlProblem> problems;
    EXPECT_EQ(XmlSchema::compile("<root/>", "junk.xsd", problems), nullptr);
    EXPECT_FALSE(problems.empty());
    problems.clear();
    EXPECT_EQ(XmlSchema::compile("<!DOCTYPE x><x/>", "dtd.xsd", problems), nullptr);
    ASSERT_FALSE(problems.empty());
    EXPECT_EQ(problems.front().message, kDoctypeRefused);
}

TEST(XmlSchema, LoadNamesTheFile) {
    const std::filesystem::path dir =
        std::filesystem::temp_directory_path() / ("relais-xml-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string path = (dir / "codes.xsd").string();
    std::ofstream(path) << kSchema;
    auto loaded = XmlSchema::load(path);
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    EXPECT_EQ((*loaded)->name(), path);
    std::ofstream(path) << "<not-a-schema/>";
    auto broken = XmlSchema::load(path);
    ASSERT_FALSE(broken.ok());
    EXPECT_THAT(broken.error().message, HasSubstr("schema '" + path + "'"));
    EXPECT_FALSE(XmlSchema::load((dir / "absent.xsd").string()).ok());
    std::filesystem::remove_all(dir);
}

TEST(XmlText, EscapesTrimsAndChecksNames) {
    EXPECT_EQ(escapeXml("a<b>&\"c\"\r'"), "a&lt;b&gt;&amp;&quot;c&quot;&#13;'");
    EXPECT_EQ(trimXmlSpace(" \t\r\n x y \n"), "x y");
    EXPECT_TRUE(isNcName("a-b.c_1"));
    EXPECT_FALSE(isNcName("1a"));
    EXPECT_FALSE(isNcName("a:b"));
    EXPECT_FALSE(isNcName(""));
}

TEST(NamespaceBindings, ParsesEntriesAndNamesTheField) {
    auto parsed = parseNamespaceBindings({"a = urn:a", "", "b=urn:b"});
    ASSERT_TRUE(parsed.ok());
    ASSERT_EQ(parsed->size(), 2U);
    EXPECT_EQ((*parsed)[0].uri, "urn:a");
    auto twice = parseNamespaceBindings({"a=urn:1", "a=urn:2"});
    ASSERT_FALSE(twice.ok());
    EXPECT_EQ(twice.error().field, "namespaces");
}

}  // namespace
}  // namespace relais::sdk
