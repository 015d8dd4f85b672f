// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/config/xml.h"

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libxml/globals.h>
#include <libxml/xmlerror.h>

#include "relais/common/errors.h"

namespace relais::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// The message of the ConfigError `parseXmlSafely` throws for `text`.
std::string parseError(const std::string& text, const std::string& name = "doc.xml") {
    try {
        parseXmlSafely(text, name);
    } catch (const ConfigError& error) {
        return error.message();
    }
    ADD_FAILURE() << "parsed without error:\n" << text;
    return {};
}

constexpr const char* kSmallSchema = R"xsd(<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:simpleType name="duration">
    <xs:annotation>
      <xs:documentation>a duration such as
        30s or 5m</xs:documentation>
    </xs:annotation>
    <xs:restriction base="xs:string">
      <xs:pattern value="[0-9]+(s|m)"/>
    </xs:restriction>
  </xs:simpleType>
  <xs:simpleType name="undocumented">
    <xs:restriction base="xs:string">
      <xs:pattern value="[a-z]+"/>
    </xs:restriction>
  </xs:simpleType>
  <xs:element name="root">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="item" minOccurs="0" maxOccurs="unbounded">
          <xs:complexType>
            <xs:attribute name="timeout" type="duration"/>
            <xs:attribute name="word" type="undocumented"/>
            <xs:attribute name="mode">
              <xs:simpleType>
                <xs:restriction base="xs:string">
                  <xs:enumeration value="fast"/>
                  <xs:enumeration value="slow"/>
                </xs:restriction>
              </xs:simpleType>
            </xs:attribute>
          </xs:complexType>
        </xs:element>
      </xs:sequence>
    </xs:complexType>
  </xs:element>
</xs:schema>
)xsd";

TEST(ParseXmlSafely, ParsesAndKeepsLineNumbers) {
    const std::string text =
        "<?xml version=\"1.0\"?>\n<root>\n  <item a=\"1\">x &amp; y</item>\n"
        "  <![CDATA[raw <text>]]>\n</root>\n";
    XmlDocument doc = parseXmlSafely(text, "doc.xml");
    ASSERT_NE(doc, nullptr);
    const xmlNode* root = xmlDocGetRootElement(doc.get());
    EXPECT_EQ(lineOf(root), 2);
    const xmlNode* item = root->children;
    while (item != nullptr && item->type != XML_ELEMENT_NODE) item = item->next;
    ASSERT_NE(item, nullptr);
    EXPECT_EQ(lineOf(item), 3);
    EXPECT_EQ(lineOf(reinterpret_cast<const xmlNode*>(item->properties)), 3);
    EXPECT_EQ(xmlAttribute(item, "a"), "1");
    EXPECT_EQ(xmlAttribute(item, "b"), std::nullopt);
    EXPECT_EQ(xmlText(item), "x & y");
    EXPECT_EQ(xmlText(root), "\n  x & y\n  raw <text>\n");
    EXPECT_EQ(lineOf(nullptr), 0);
}

TEST(ParseXmlSafely, RefusesExternalEntities) {
    const std::string text =
        "<?xml version=\"1.0\"?>\n"
        "<!DOCTYPE root [\n"
        "  <!ENTITY xxe SYSTEM \"file:///etc/passwd\">\n"
        "]>\n"
        "<root>&xxe;</root>\n";
    const std::string message = parseError(text);
    EXPECT_THAT(message, StartsWith("doc.xml:2: a document type declaration"));
    EXPECT_THAT(message, HasSubstr("refused"));
    EXPECT_THAT(message, Not(HasSubstr("root:")));  // nothing of /etc/passwd
    EXPECT_EQ(message.find('\n'), std::string::npos) << "one problem only:\n" << message;
}

TEST(ParseXmlSafely, RefusesEntityExpansionBombsQuickly) {
    std::string text = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n";
    text += " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n";
    for (int i = 2; i <= 9; ++i) {
        const std::string previous = "&lol" + std::to_string(i - 1) + ";";
        std::string value;
        for (int j = 0; j < 10; ++j) value += previous;
        text += " <!ENTITY lol" + std::to_string(i) + " \"" + value + "\">\n";
    }
    text += "]>\n<lolz>&lol9;</lolz>\n";
    const auto start = std::chrono::steady_clock::now();
    const std::string message = parseError(text, "bomb.xml");
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
    EXPECT_THAT(message, StartsWith("bomb.xml:2: a document type declaration"));
}

TEST(ParseXmlSafely, RefusesAnyDoctypeEvenWithoutInternalSubset) {
    EXPECT_THAT(parseError("<!DOCTYPE root SYSTEM \"http://127.0.0.1:1/root.dtd\">\n<root/>"),
                StartsWith("doc.xml:1: a document type declaration"));
    EXPECT_THAT(parseError("<?xml version=\"1.0\"?>\n\n<!DOCTYPE root>\n<root/>"),
                StartsWith("doc.xml:3: a document type declaration"));
}

TEST(ParseXmlSafely, RefusesUndeclaredEntities) {
    EXPECT_THAT(parseError("<root>\n&nbsp;\n</root>"),
                AllOf(StartsWith("doc.xml:2: "), HasSubstr("nbsp")));
}

TEST(ParseXmlSafely, ReportsTheLineOfAWellFormednessError) {
    const std::string message = parseError("<root>\n  <a>\n    <b>\n  </a>\n</root>\n");
    EXPECT_THAT(message, StartsWith("doc.xml:4: "));
    EXPECT_THAT(message, HasSubstr("mismatch"));
}

TEST(ParseXmlSafely, RefusesEmptyDocuments) {
    EXPECT_EQ(parseError(""), "doc.xml:1: the document is empty");
    EXPECT_EQ(parseError(" \n\t\n"), "doc.xml:1: the document is empty");
    EXPECT_THAT(parseError("<?xml version=\"1.0\"?>\n"), StartsWith("doc.xml:"));
    EXPECT_THAT(parseError("<!-- only a comment -->"), StartsWith("doc.xml:"));
}

TEST(ParseXmlSafely, RefusesUnboundNamespacePrefixes) {
    EXPECT_THAT(parseError("<root>\n<x:a/>\n</root>"), StartsWith("doc.xml:2: "));
}

TEST(ParseXmlSafely, KeepsLineNumbersBeyond65535) {
    std::string text = "<root>\n";
    for (int i = 0; i < 70'000; ++i) text += "\n";
    text += "<item/>\n</root>\n";  // <item/> on line 70 002
    XmlDocument doc = parseXmlSafely(text, "big.xml");
    const xmlNode* item = xmlDocGetRootElement(doc.get())->children;
    while (item != nullptr && item->type != XML_ELEMENT_NODE) item = item->next;
    ASSERT_NE(item, nullptr);
    EXPECT_EQ(lineOf(item), 70'002);
    EXPECT_THAT(parseError(text + "<oops>"), StartsWith("doc.xml:70004: "));
}

TEST(TryParseXmlSafely, ReturnsTheErrorInsteadOfThrowing) {
    auto bad = tryParseXmlSafely("<root>\n<unclosed>\n</root>", "inbound");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code, sdk::ErrorCode::InvalidArgument);
    EXPECT_THAT(bad.error().message, StartsWith("inbound:3: "));
    auto good = tryParseXmlSafely("<root/>", "inbound");
    ASSERT_TRUE(good.ok());
    EXPECT_NE(*good, nullptr);
}

// A thread-local structured handler that records what reaches it.
int g_leaked_errors = 0;  // NOLINT: test-only counter, one thread
void countingHandler(void* /*context*/, xmlError* /*error*/) { ++g_leaked_errors; }

TEST(ParseXmlSafely, PrintsNothingAndRestoresTheCallersHandlers) {
    xmlSetStructuredErrorFunc(nullptr, &countingHandler);
    g_leaked_errors = 0;
    testing::internal::CaptureStderr();
    EXPECT_FALSE(tryParseXmlSafely("<root><a></root>", "x").ok());
    EXPECT_FALSE(tryParseXmlSafely("<!DOCTYPE r [<!ENTITY e \"e\">]><r>&e;</r>", "x").ok());
    const XmlSchema schema(kSmallSchema, "small.xsd");
    XmlDocument doc = parseXmlSafely("<root><item mode=\"medium\"/><other/></root>", "x");
    EXPECT_FALSE(schema.check(*doc).empty());
    const std::string printed = testing::internal::GetCapturedStderr();
    EXPECT_EQ(printed, "");
    EXPECT_EQ(xmlStructuredError, &countingHandler);
    EXPECT_EQ(g_leaked_errors, 0);
    xmlSetStructuredErrorFunc(nullptr, nullptr);
}

TEST(XmlSchema, AcceptsAValidDocument) {
    const XmlSchema schema(kSmallSchema, "small.xsd");
    XmlDocument doc =
        parseXmlSafely("<root><item timeout=\"30s\" mode=\"fast\"/></root>", "ok.xml");
    EXPECT_TRUE(schema.check(*doc).empty());
    EXPECT_NO_THROW(schema.validate(*doc, "ok.xml"));
    EXPECT_EQ(schema.name(), "small.xsd");
}

TEST(XmlSchema, ReportsEveryProblemWithItsLine) {
    const XmlSchema schema(kSmallSchema, "small.xsd");
    XmlDocument doc = parseXmlSafely(
        "<root>\n<item mode=\"medium\"/>\n<item colour=\"red\"/>\n</root>", "bad.xml");
    const std::vector<XmlProblem> problems = schema.check(*doc);
    ASSERT_EQ(problems.size(), 2u);
    EXPECT_EQ(problems[0].line, 2);
    EXPECT_EQ(problems[0].message,
              "element 'item', attribute 'mode': the value 'medium' is not an element of the set "
              "{'fast', 'slow'}");
    EXPECT_EQ(problems[1].line, 3);
    EXPECT_EQ(problems[1].message,
              "element 'item', attribute 'colour': the attribute 'colour' is not allowed");
    try {
        schema.validate(*doc, "bad.xml");
        ADD_FAILURE() << "no error";
    } catch (const ConfigError& error) {
        EXPECT_EQ(error.message(),
                  "bad.xml:2: " + problems[0].message + "\nbad.xml:3: " + problems[1].message);
    }
}

TEST(XmlSchema, ExplainsPatternFailuresWithTheTypeDocumentation) {
    const XmlSchema schema(kSmallSchema, "small.xsd");
    XmlDocument doc =
        parseXmlSafely("<root>\n<item timeout=\"30x\"/>\n<item word=\"A1\"/></root>", "p.xml");
    const std::vector<XmlProblem> problems = schema.check(*doc);
    ASSERT_EQ(problems.size(), 2u);
    EXPECT_EQ(problems[0].message,
              "element 'item', attribute 'timeout': the value '30x' is not a duration such as 30s "
              "or 5m");
    EXPECT_EQ(problems[1].message,
              "element 'item', attribute 'word': the value 'A1' does not match the pattern "
              "'[a-z]+'");
}

TEST(XmlSchema, RefusesAWrongRootElement) {
    const XmlSchema schema(kSmallSchema, "small.xsd");
    XmlDocument doc = parseXmlSafely("\n<other/>", "r.xml");
    const std::vector<XmlProblem> problems = schema.check(*doc);
    ASSERT_FALSE(problems.empty());
    EXPECT_EQ(problems[0].line, 2);
    EXPECT_THAT(problems[0].message, HasSubstr("'other'"));
}

TEST(XmlSchema, RefusesAnInvalidSchema) {
    try {
        XmlSchema schema(
            "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\">\n"
            "<xs:element name=\"a\" type=\"nosuchtype\"/>\n</xs:schema>",
            "broken.xsd");
        ADD_FAILURE() << "compiled";
    } catch (const ConfigError& error) {
        EXPECT_THAT(error.message(), StartsWith("broken.xsd:2: "));
        EXPECT_THAT(error.message(), HasSubstr("nosuchtype"));
    }
    EXPECT_THROW(XmlSchema("not xml", "junk.xsd"), ConfigError);
    EXPECT_THROW(XmlSchema("<root/>", "junk.xsd"), ConfigError);
}

TEST(XmlSchema, ValidatesFromSeveralThreadsAtOnce) {
    const XmlSchema schema(kSmallSchema, "small.xsd");
    std::vector<std::thread> threads;
    std::vector<int> failures(4, 0);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&schema, &failures, t] {
            for (int i = 0; i < 200; ++i) {
                XmlDocument good = parseXmlSafely("<root><item timeout=\"5m\"/></root>", "g");
                XmlDocument bad = parseXmlSafely("<root><item timeout=\"5\"/></root>", "b");
                if (!schema.check(*good).empty() || schema.check(*bad).size() != 1) {
                    ++failures[static_cast<std::size_t>(t)];
                }
            }
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(failures, std::vector<int>(4, 0));
}

TEST(ValidateAgainstSchema, CompilesAndValidatesInOneCall) {
    XmlDocument doc = parseXmlSafely("<root>\n<nope/>\n</root>", "one.xml");
    try {
        validateAgainstSchema(*doc, kSmallSchema, "one.xml");
        ADD_FAILURE() << "valid";
    } catch (const ConfigError& error) {
        EXPECT_THAT(error.message(), StartsWith("one.xml:2: element 'nope': "));
    }
}

TEST(FormatXmlProblems, CapsTheNumberOfLines) {
    std::vector<XmlProblem> problems;
    for (int i = 1; i <= 5; ++i) problems.push_back({i, "p" + std::to_string(i)});
    problems.push_back({0, "no line"});
    EXPECT_EQ(formatXmlProblems("f", problems, 2), "f:1: p1\nf:2: p2\nf: … and 4 more");
    EXPECT_EQ(formatXmlProblems("f", {{0, "no line"}}), "f: no line");
}

}  // namespace
}  // namespace relais::config
