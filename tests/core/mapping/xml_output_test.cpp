// SPDX-License-Identifier: AGPL-3.0-or-later
// XML output: namespaces, attributes, repeated elements, escaping, the target XSD check.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libxml/tree.h>

#include "relais/config/xml.h"

#include "mapping_test_support.h"

namespace relais::mapping::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

class MappingXml : public ::testing::Test {
protected:
    std::string map(const std::string& rules, const std::string& fields) {
        auto payload = mappingFrom(dir_, rules)->apply(dossierWith(fields));
        if (!payload) {
            ADD_FAILURE() << payload.error().message;
            return {};
        }
        EXPECT_EQ(payload->content_type, "application/xml");
        // Whatever we produce must be well-formed XML.
        EXPECT_TRUE(config::tryParseXmlSafely(payload->body, "out.xml").ok()) << payload->body;
        return payload->body;
    }

    relais::test::TempDir dir_;
};

constexpr const char* kDeclaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

TEST_F(MappingXml, WritesNamespacedElementsAndAttributesInRuleOrder) {
    const std::string out = map(R"(
        <output format="xml" root="dem:demande">
          <namespace prefix="dem" uri="urn:example:demande:1"/>
          <namespace uri="urn:example:default"/>
        </output>
        <field value="1" to="@version"/>
        <field from="civ" to="dem:demandeur/@civilite"/>
        <field from="nom" to="dem:demandeur/dem:nom"/>
        <field from="lang" to="dem:demandeur/dem:nom/@xml:lang"/>
        <field from="ok" to="dem:demandeur/actif"/>
        <field from="qf" to="dem:foyer/@qf"/>)",
                                R"({"civ": "MME", "nom": "MARTIN", "lang": "fr", "ok": false,
                                    "qf": 742.5})");
    EXPECT_EQ(
        out,
        std::string(kDeclaration) +
            R"(<dem:demande xmlns:dem="urn:example:demande:1" xmlns="urn:example:default" version="1">)"
            R"(<dem:demandeur civilite="MME"><dem:nom xml:lang="fr">MARTIN</dem:nom>)"
            R"(<actif>false</actif></dem:demandeur><dem:foyer qf="742.5"/></dem:demande>)"
            "\n");
}

TEST_F(MappingXml, EscapesTextAndAttributes) {
    const std::string out = map(R"(<output format="xml" root="r"/>
                                   <field from="v" to="@a"/><field from="v" to="t"/>
                                   <field from="w" to="@w"/><field from="w" to="w"/>)",
                                R"({"v": "a&b<c>d\"e'f", "w": "x\ty\nz\r"})");
    EXPECT_EQ(out, std::string(kDeclaration) +
                       R"(<r a="a&amp;b&lt;c&gt;d&quot;e&apos;f" w="x&#9;y&#10;z&#13;">)"
                       "<t>a&amp;b&lt;c&gt;d\"e'f</t><w>x\ty\nz&#13;</w></r>\n");
    // And the escaped document reads back to the same values.
    auto doc = config::tryParseXmlSafely(out, "out.xml");
    ASSERT_TRUE(doc.ok());
    const xmlNode* root = xmlDocGetRootElement(doc->get());
    EXPECT_EQ(config::xmlAttribute(root, "a"), "a&b<c>d\"e'f");
    EXPECT_EQ(config::xmlAttribute(root, "w"), "x\ty\nz\r");
    EXPECT_EQ(config::xmlText(root->children), "a&b<c>d\"e'f");
}

TEST_F(MappingXml, RefusesControlCharactersXmlCannotCarry) {
    const auto mapping = mappingFrom(dir_, R"(<output format="xml" root="r"/>
                                              <group from="l" to="i"><field from="v" to="v"/></group>)");
    const sdk::Error error =
        applyError(*mapping, dossierWith(R"({"l": [{"v": "ok"}, {"v": "a\u0001b"}]})"));
    EXPECT_EQ(error.code, sdk::ErrorCode::InvalidArgument);
    EXPECT_EQ(error.field, "l[1].v");
    EXPECT_THAT(error.message, HasSubstr("control character"));
}

TEST_F(MappingXml, RepeatsElementsForGroupsAndScalarLists) {
    const std::string out = map(R"(<output format="xml" root="r" indent="true"/>
        <group from="enfants" to="enfants/enfant">
          <field from="$position" to="@rang"/>
          <field from="prenom" to="prenom"/>
          <field from="jours" to="jours/jour"/>
          <group from="notes" to="note"><field from="." to="."/><field from="$index" to="@i"/></group>
        </group>)",
                                R"({"enfants": [{"prenom": "Lucas", "jours": ["LUNDI", "", "MARDI"],
                                                 "notes": [12, 15]},
                                                {"prenom": "Jeanne", "jours": []}]})");
    EXPECT_EQ(out, std::string(kDeclaration) + R"(<r>
  <enfants>
    <enfant rang="1">
      <prenom>Lucas</prenom>
      <jours>
        <jour>LUNDI</jour>
        <jour>MARDI</jour>
      </jours>
      <note i="0">12</note>
      <note i="1">15</note>
    </enfant>
    <enfant rang="2">
      <prenom>Jeanne</prenom>
    </enfant>
  </enfants>
</r>
)");
}

TEST_F(MappingXml, DropEmptyRemovesEmptyElementsOrKeepsThemWhenOff) {
    const std::string rules = R"(<field from="a" to="x/y"/><field from="b" to="z/@k"/>
                                 <field from="c" to="c"/><field from="n" to="n"/>)";
    const std::string fields = R"({"a": "", "b": "", "c": 0, "n": null})";
    EXPECT_EQ(map("<output format=\"xml\" root=\"r\"/>" + rules, fields),
              std::string(kDeclaration) + "<r><c>0</c></r>\n");
    EXPECT_EQ(map("<output format=\"xml\" root=\"r\" drop-empty=\"false\"/>" + rules, fields),
              std::string(kDeclaration) + "<r><x><y/></x><z k=\"\"/><c>0</c></r>\n");
    EXPECT_EQ(map("<output format=\"xml\" root=\"r\"/>", "{}"),
              std::string(kDeclaration) + "<r/>\n");
}

TEST_F(MappingXml, RefusesObjectsForElementValues) {
    const auto mapping = mappingFrom(dir_, R"(<output format="xml" root="r"/>
                                              <field from="o" to="o"/>)");
    const sdk::Error error = applyError(*mapping, dossierWith(R"({"o": {"a": 1}})"));
    EXPECT_EQ(error.field, "o");
    EXPECT_THAT(error.message, HasSubstr("use a <group>"));
}

TEST_F(MappingXml, TheSoapExampleValidatesAgainstItsSchema) {
    const auto mapping =
        Mapping::load(std::string(RELAIS_SOURCE_DIR) + "/mappings/examples/cantine-soap.xml");
    ASSERT_EQ(mapping->format(), OutputFormat::Xml);
    sdk::Dossier dossier =
        dossierWith(relais::test::readSourceFile("tests/fixtures/bench/dossier.json"));
    dossier.submitted_at = *sdk::Timestamp::parse("2026-11-14T09:42:17+01:00");
    auto payload = mapping->apply(dossier);
    ASSERT_TRUE(payload.ok()) << payload.error().message;
    const std::string& out = payload->body;
    EXPECT_THAT(out,
                StartsWith(std::string(kDeclaration) +
                           "<ins:inscription xmlns:ins=\"urn:example:rennes:restauration:1\" "
                           "version=\"2\" reference=\"RS-2026-004217\" depot=\"2026-11-14\">"));
    for (const char* expected : {
             "<ins:anneeScolaire>2026</ins:anneeScolaire>",
             "<ins:collectivite insee=\"35238\"/>",
             "<ins:responsable civilite=\"mme\">",
             "<ins:telephoneMobile>+33612345678</ins:telephoneMobile>",
             "<ins:voie>Appartement 12, bâtiment B, Résidence Les Tilleuls, 14 rue de la "
             "Monnaie</ins:voie>",
             "<ins:commune>RENNES</ins:commune>",
             "<ins:foyer quotient=\"742.00\">",
             "<ins:caf numero=\"1234567\"/>",
             "<ins:enfant rang=\"2\">",
             "<ins:sexe>2</ins:sexe>",
             "<ins:ecole uai=\"0352207T\">École maternelle Les Cornouailles</ins:ecole>",
             "<ins:regime>04</ins:regime>",
             "<ins:pai>true</ins:pai>",
             "<ins:jour>1</ins:jour>",
             "<ins:periode debut=\"2027-01-05\" fin=\"2027-07-03\"/>",
             "<ins:piece type=\"JUSTIFICATIF_DOMICILE\">",
             "<ins:taille>184233</ins:taille>",
             "<ins:transmission relais=\"5f0c8a52-3d3e-4f0b-9a55-1d2e3f4a5b6c\" "
             "recu=\"2026-11-14T09:42:17+01:00\" canal=\"web\"/>",
         }) {
        EXPECT_THAT(out, HasSubstr(expected)) << out;
    }
    EXPECT_THAT(out, Not(HasSubstr("telephoneFixe")));
    EXPECT_THAT(out, Not(HasSubstr("<ins:allergies></ins:allergies>")));
}

TEST_F(MappingXml, OutputThatBreaksTheTargetSchemaIsRefused) {
    const auto mapping =
        Mapping::load(std::string(RELAIS_SOURCE_DIR) + "/mappings/examples/cantine-soap.xml");
    sdk::Dossier dossier =
        dossierWith(relais::test::readSourceFile("tests/fixtures/bench/dossier.json"));
    // No mobile number in a form the schema accepts, and no name: the document is invalid.
    dossier.fields["demandeur"].set("telephone_mobile", "06 12");
    dossier.fields["demandeur"].erase("nom_usage");
    const sdk::Error error = applyError(*mapping, dossier);
    EXPECT_EQ(error.code, sdk::ErrorCode::InvalidArgument);
    EXPECT_THAT(error.message, HasSubstr(std::string("dossier ") + kDossierId));
    EXPECT_THAT(error.message, HasSubstr("does not match the target schema 'cantine-soap.xsd'"));
    EXPECT_THAT(error.message, HasSubstr("prenoms"));  // found where ins:nom was expected

    // An unknown sex code is refused by the strict table before any schema check.
    dossier = dossierWith(relais::test::readSourceFile("tests/fixtures/bench/dossier.json"));
    dossier.fields["enfants"].arrayIf()->at(0).set("sexe", "X");
    EXPECT_EQ(applyError(*mapping, dossier).field, "enfants[0].sexe");
}

TEST_F(MappingXml, ASmallSchemaCheckWithAttributesAndNamespaces) {
    dir_.write("t.xsd", R"(<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
        targetNamespace="urn:t" xmlns:t="urn:t" elementFormDefault="qualified">
      <xs:element name="r"><xs:complexType><xs:sequence>
        <xs:element name="n" type="xs:integer"/></xs:sequence>
        <xs:attribute name="id" type="xs:string" use="required"/></xs:complexType></xs:element>
    </xs:schema>)");
    const auto mapping = mappingFrom(dir_, R"(
        <output format="xml" root="t:r" schema="t.xsd"><namespace prefix="t" uri="urn:t"/></output>
        <field from="id" to="@id"/><field from="n" to="t:n"/>)");
    ASSERT_TRUE(mapping->apply(dossierWith(R"({"id": "a", "n": 3})")).ok());
    const sdk::Error error = applyError(*mapping, dossierWith(R"({"id": "a", "n": "trois"})"));
    EXPECT_THAT(error.message, HasSubstr("'trois' is not a valid value"));
    EXPECT_THAT(applyError(*mapping, dossierWith(R"({"n": 3})")).message,
                HasSubstr("the attribute 'id' is required but missing"));
}

TEST_F(MappingXml, HonoursAContentTypeOverride) {
    const auto mapping = mappingFrom(
        dir_, R"(<output format="xml" root="r" content-type="text/xml; charset=utf-8"/>)");
    EXPECT_EQ(mapping->apply(dossierWith("{}"))->content_type, "text/xml; charset=utf-8");
}

}  // namespace
}  // namespace relais::mapping::test
