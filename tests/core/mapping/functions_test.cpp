// SPDX-License-Identifier: AGPL-3.0-or-later
// Every rule kind and value step of the mapping language, on JSON output.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mapping_test_support.h"

namespace relais::mapping::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class MappingFunctions : public ::testing::Test {
protected:
    sdk::Json map(const std::string& rules, const std::string& fields) {
        return applyJson(*mappingFrom(dir_, rules), dossierWith(fields));
    }
    sdk::Error mapError(const std::string& rules, const std::string& fields) {
        return applyError(*mappingFrom(dir_, rules), dossierWith(fields));
    }

    relais::test::TempDir dir_;
};

// ------------------------------------------------------------------- fields, constants

TEST_F(MappingFunctions, RenamesIntoNestedTargetsInRuleOrder) {
    const sdk::Json out = map(R"(<field from="a.b" to="x.y.z"/><field from="c" to="x.w"/>)",
                              R"({"a": {"b": "B"}, "c": 3, "d": "not listed"})");
    EXPECT_EQ(out, json(R"({"x": {"y": {"z": "B"}, "w": 3}})"));
    EXPECT_EQ(out.dump(), R"({"x":{"y":{"z":"B"},"w":3}})");
}

TEST_F(MappingFunctions, ReadsConcreteIndicesAndCopiesObjectsAndArrays) {
    const sdk::Json out = map(R"(<field from="l[1].n" to="second"/><field from="o" to="copy"/>
               <field from="l" to="list"/>)",
                              R"({"l": [{"n": 1}, {"n": 2}], "o": {"k": [true, 0]}})");
    EXPECT_EQ(out, json(R"({"second": 2, "copy": {"k": [true, 0]},
                            "list": [{"n": 1}, {"n": 2}]})"));
}

TEST_F(MappingFunctions, ConstantsAreTypedAndComputedOnce) {
    const sdk::Json out = map(R"(<field value="v2" to="s"/>
                                 <field value="42" to="n" type="number"/>
                                 <field value="2,5" to="d" type="number" decimal-separator=","/>
                                 <field value="oui" to="b" type="boolean"/>
                                 <field value="abc" to="u" case="upper"/>)",
                              "{}");
    EXPECT_EQ(out, json(R"({"s": "v2", "n": 42, "d": 2.5, "b": true, "u": "ABC"})"));
}

TEST_F(MappingFunctions, DefaultsApplyToAbsentNullAndEmptyValues) {
    const std::string rules = R"(<field from="a" to="a" default="none"/>
                                 <field from="n" to="n" type="number" default="0"/>
                                 <field from="b" to="b" type="boolean" default="false"/>)";
    EXPECT_EQ(map(rules, "{}"), json(R"({"a": "none", "n": 0, "b": false})"));
    EXPECT_EQ(map(rules, R"({"a": null, "n": "", "b": null})"),
              json(R"({"a": "none", "n": 0, "b": false})"));
    EXPECT_EQ(map(rules, R"({"a": "x", "n": "7", "b": "non"})"),
              json(R"({"a": "x", "n": 7, "b": false})"));
}

TEST_F(MappingFunctions, StepElementsRunInDocumentOrderAfterTheAttributes) {
    const std::string fields = R"({"v": " ab-cd "})";
    EXPECT_EQ(*map(R"(<field from="v" to="x" trim="true"><replace pattern="-" with="_"/>
                      <upper/></field>)",
                   fields)
                   .find("x"),
              sdk::Json("AB_CD"));
    // Case first, then the replacement: the pattern no longer matches.
    EXPECT_EQ(*map(R"(<field from="v" to="x"><trim/><upper/><replace pattern="[a-z]" with="?"/>
                      </field>)",
                   fields)
                   .find("x"),
              sdk::Json("AB-CD"));
}

// -------------------------------------------------------------------------------- dates

TEST_F(MappingFunctions, ConvertsDatesBetweenPatterns) {
    const sdk::Json out = map(
        R"(<field from="fr" to="iso" date-from="DD/MM/YYYY"/>
           <field from="iso" to="fr" date-from="YYYY-MM-DD" date-to="DD/MM/YYYY"/>
           <field from="ts" to="day" date-from="RFC3339"/>
           <field from="ts" to="same" date-from="RFC3339" date-to="RFC3339"/>
           <field from="ts" to="time" date-from="RFC3339" date-to="HH'h'mm"/>
           <field from="fr" to="stamp" date-from="DD/MM/YYYY" date-to="RFC3339"/>
           <field from="compact" to="c" date-from="YYYYMMDDHHmmss" date-to="YYYY-MM-DDTHH:mm:ss"/>)",
        R"({"fr": "14/11/2026", "iso": "2026-01-05", "ts": "2026-11-14T00:30:00+01:00",
            "compact": "20261114094217"})");
    EXPECT_EQ(out, json(R"({"iso": "2026-11-14", "fr": "05/01/2026", "day": "2026-11-14",
                            "same": "2026-11-14T00:30:00+01:00", "time": "00h30",
                            "stamp": "2026-11-14T00:00:00Z", "c": "2026-11-14T09:42:17"})"));
}

TEST_F(MappingFunctions, EmptyDatesStayEmptyAndAreDropped) {
    EXPECT_EQ(map(R"(<field from="d" to="d" date-from="DD/MM/YYYY"/>)", R"({"d": ""})"),
              json("{}"));
    EXPECT_EQ(map(R"(<field from="d" to="d" date-from="DD/MM/YYYY"/>)", R"({"d": null})"),
              json("{}"));
}

TEST_F(MappingFunctions, ABadDateIsAnErrorNamingTheSourcePath) {
    const sdk::Error error = mapError(R"(<field from="p.d" to="d" date-from="DD/MM/YYYY"/>)",
                                      R"({"p": {"d": 14112026}})");
    EXPECT_EQ(error.code, sdk::ErrorCode::InvalidArgument);
    EXPECT_EQ(error.field, "p.d");
    EXPECT_THAT(error.message, HasSubstr("DD/MM/YYYY"));
    EXPECT_THAT(error.message, HasSubstr("got a number"));
    EXPECT_EQ(
        mapError(R"(<field from="t" to="t" date-from="RFC3339"/>)", R"({"t": "2026-11-14 10:00"})")
            .field,
        "t");
}

// ------------------------------------------------------------------------------ numbers

TEST_F(MappingFunctions, ParsesAndFormatsNumbers) {
    const sdk::Json out = map(
        R"(<field from="fr" to="n" type="number" decimal-separator=","/>
           <field from="int" to="i" type="number"/>
           <field from="neg" to="neg" type="number"/>
           <field from="fr" to="r0" type="number" decimal-separator="," decimals="0"/>
           <field from="q" to="s2" type="string" decimals="2"/>
           <field from="half" to="fr2" type="string" decimals="2" decimal-separator=","/>
           <field from="q" to="qs" type="string"/>
           <field from="flag" to="fs" type="string"/>
           <field from="half" to="keep"/>)",
        R"({"fr": " 742,6 ", "int": "0012", "neg": "-3.25", "q": 742, "half": 742.5,
            "flag": true})");
    EXPECT_EQ(out, json(R"({"n": 742.6, "i": 12, "neg": -3.25, "r0": 743, "s2": "742.00",
                            "fr2": "742,50", "qs": "742", "fs": "true", "keep": 742.5})"));
    EXPECT_TRUE(out.find("r0")->isInt());
}

TEST_F(MappingFunctions, ABadNumberIsAnErrorNamingTheSourcePath) {
    for (const char* bad :
         {"\"12a\"", "\"1.5\"", "\"\\u00a0\"", "\"1,\"", "\",5\"", "\"1e3\"", "true", "{}"}) {
        const sdk::Error error =
            mapError(R"(<field from="f.q" to="q" type="number" decimal-separator=","/>)",
                     std::string(R"({"f": {"q": )") + bad + "}}");
        EXPECT_EQ(error.field, "f.q") << bad;
        EXPECT_THAT(error.message, HasSubstr("expected a number")) << bad;
    }
}

TEST_F(MappingFunctions, ConvertsToBooleans) {
    const std::string rules = R"(<field from="v" to="b" type="boolean"/>)";
    for (const char* yes : {"true", "\"oui\"", "\"OUI\"", "\"1\"", "1", "\"yes\"", "\"on\""}) {
        EXPECT_EQ(map(rules, std::string(R"({"v": )") + yes + "}"), json(R"({"b": true})")) << yes;
    }
    for (const char* no : {"false", "\"non\"", "\"0\"", "0", "\"No\"", "\"off\""}) {
        EXPECT_EQ(map(rules, std::string(R"({"v": )") + no + "}"), json(R"({"b": false})")) << no;
    }
    const sdk::Error error = mapError(rules, R"({"v": "peut-être"})");
    EXPECT_EQ(error.field, "v");
    EXPECT_THAT(error.message, HasSubstr("expected a boolean"));
    EXPECT_EQ(mapError(rules, R"({"v": 2})").field, "v");
}

// ---------------------------------------------------------------------- string functions

TEST_F(MappingFunctions, TrimsAndChangesCaseOfUnicodeText) {
    const sdk::Json out = map(R"(<field from="n" to="up" trim="true" case="upper"/>
                                 <field from="n" to="low" case="lower" trim="true"/>
                                 <field from="num" to="num" trim="true" case="upper"/>)",
                              "{\"n\": \"\\u00a0 \\u00e9lodie Lef\\u00e8vre\\t\", \"num\": 5}");
    EXPECT_EQ(out, json(R"({"up": "ÉLODIE LEFÈVRE", "low": "élodie lefèvre", "num": 5})"));
}

TEST_F(MappingFunctions, TakesSubstringsInCharactersWithClampedBounds) {
    const sdk::Json out = map(R"(<field from="s" to="a" substring="0,1"/>
                                 <field from="s" to="b" substring="1,3"/>
                                 <field from="s" to="c" substring="4"/>
                                 <field from="s" to="d" substring="3,100"/>
                                 <field from="s" to="e" substring="100"/>
                                 <field from="insee" to="dep" substring="0,2"/>
                                 <field from="s" to="f"><substring start="2" length="0"/></field>
                                 <field from="s" to="g"><substring start="5"/></field>)",
                              R"({"s": "Élise", "insee": 35238})");
    EXPECT_EQ(out, json(R"({"a": "É", "b": "lis", "c": "e", "d": "se", "dep": "35"})"));
}

TEST_F(MappingFunctions, ReplacesWithRegularExpressions) {
    const sdk::Json out = map(
        R"m(<field from="tel" to="intl" replace="^0" with="+33"/>
           <field from="tel" to="spaced"><replace pattern="(\d\d)(?=\d)" with="$1 "/></field>
           <field from="date" to="swapped" replace="^(\d+)/(\d+)$" with="$2/$1"/>
           <field from="word" to="empty" replace="x*" with="-"/>
           <field from="word" to="dollar" replace="b" with="$$"/>
           <field from="word" to="gone" replace="[abc]"/>
           <field from="accents" to="ascii" replace="[éè]" with="e"/>
           <field from="num" to="num" replace="0" with="O"/>)m",
        R"({"tel": "0612345678", "date": "11/2026", "word": "abc", "accents": "Évènement",
            "num": 1020})");
    EXPECT_EQ(out, json(R"({"intl": "+33612345678", "spaced": "06 12 34 56 78",
                            "swapped": "2026/11", "empty": "-a-b-c-", "dollar": "a$c",
                            "ascii": "Évenement", "num": "1O2O"})"));
}

TEST_F(MappingFunctions, StringFunctionsRefuseObjects) {
    const sdk::Error error =
        mapError(R"(<field from="o" to="o" substring="0,1"/>)", R"({"o": {}})");
    EXPECT_EQ(error.field, "o");
    EXPECT_THAT(error.message, HasSubstr("got an object"));
}

// ------------------------------------------------------------------------------- concat

TEST_F(MappingFunctions, ConcatenatesTrimmedNonEmptyParts) {
    const std::string fields = R"({"a": " 1 ", "b": "", "c": null, "d": 4, "e": "  "})";
    EXPECT_EQ(*map(R"(<concat to="x" separator=", "><part from="a"/><part from="b"/>
                      <part from="c"/><part from="missing"/><part from="d"/><part from="e"/>
                      <part value="end"/></concat>)",
                   fields)
                   .find("x"),
              sdk::Json("1, 4, end"));
    EXPECT_EQ(*map(R"(<concat to="x" separator="|" skip-empty="false" trim="false">
                      <part from="a"/><part from="b"/><part from="d"/></concat>)",
                   fields)
                   .find("x"),
              sdk::Json(" 1 ||4"));
    EXPECT_EQ(
        *map(R"(<concat to="x" default="?"><part from="b"/><part from="e"/></concat>)", fields)
             .find("x"),
        sdk::Json("?"));
    EXPECT_EQ(map(R"(<concat to="x"><part from="b"/></concat>)", fields), json("{}"));
    EXPECT_EQ(*map(R"(<concat to="x" separator=" "><part from="a" when="d = 5"/>
                      <part from="d" type="string" decimals="1"/>
                      <part value="x" case="upper"/></concat>)",
                   fields)
                   .find("x"),
              sdk::Json("4.0 X"));
}

TEST_F(MappingFunctions, ConcatRefusesNonScalarParts) {
    const sdk::Error error =
        mapError(R"(<concat to="x"><part from="l"/></concat>)", R"({"l": [1]})");
    EXPECT_EQ(error.field, "l");
    EXPECT_THAT(error.message, HasSubstr("got an array"));
}

// --------------------------------------------------------------------------- code tables

TEST_F(MappingFunctions, LooksCodesUpWithADefault) {
    const std::string rules = R"(<table name="t" default="99"><entry code="A" value="01"/>
                                 <entry code="1" value="un"/></table>
                                 <field from="c" to="c" table="t"/>)";
    EXPECT_EQ(map(rules, R"({"c": "A"})"), json(R"({"c": "01"})"));
    EXPECT_EQ(map(rules, R"({"c": "Z"})"), json(R"({"c": "99"})"));
    EXPECT_EQ(map(rules, R"({"c": 1})"), json(R"({"c": "un"})"));
    EXPECT_EQ(map(rules, R"({"c": ""})"), json("{}"));
}

TEST_F(MappingFunctions, AStrictTableRefusesUnknownCodes) {
    const std::string rules = R"(<table name="sexes"><entry code="M" value="1"/></table>
                                 <group from="enfants" to="e"><field from="sexe" to="s"
                                   table="sexes"/></group>)";
    EXPECT_EQ(map(rules, R"({"enfants": [{"sexe": "M"}]})"), json(R"({"e": [{"s": "1"}]})"));
    const sdk::Error error = mapError(rules, R"({"enfants": [{"sexe": "M"}, {"sexe": "X"}]})");
    EXPECT_EQ(error.code, sdk::ErrorCode::InvalidArgument);
    EXPECT_EQ(error.field, "enfants[1].sexe");
    EXPECT_THAT(error.message, HasSubstr("unknown code 'X' in table 'sexes'"));
}

TEST_F(MappingFunctions, ReadsTablesFromCsvFilesNextToTheMapping) {
    dir_.write("tables/communes.csv",
               "\xEF\xBB\xBF"
               "code;libelle\r\n35238;Rennes\r\n\r\n\"29019\";\"Brest; \"\"Finistère\"\"\"\n"
               "22278;\"Saint-Brieuc\nCôtes-d'Armor\"\n");
    dir_.write("codes.csv", "A,1\nB,2");
    const std::string rules =
        R"(<table name="communes" file="tables/communes.csv" separator=";" header="true"/>
           <table name="codes" file="codes.csv" default="0"><entry code="C" value="3"/></table>
           <field from="a" to="a" table="communes"/><field from="b" to="b" table="communes"/>
           <field from="c" to="c" table="communes"/>
           <field from="x" to="x" table="codes"/><field from="y" to="y" table="codes"/>
           <field from="z" to="z" table="codes"/>)";
    EXPECT_EQ(map(rules, R"({"a": "35238", "b": 29019, "c": "22278", "x": "B", "y": "C",
                            "z": "D"})"),
              json(R"({"a": "Rennes", "b": "Brest; \"Finistère\"",
                       "c": "Saint-Brieuc\nCôtes-d'Armor", "x": "2", "y": "3", "z": "0"})"));
}

// ---------------------------------------------------------------------------- conditions

TEST_F(MappingFunctions, WhenSkipsRulesSectionsAndGroups) {
    const std::string rules = R"m(
        <field from="a" to="a" when="kind = 'x'"/>
        <section to="s" when="kind in ('x', 'y')"><field from="a" to="a"/>
          <field value="yes" to="c" when="n gt 3"/></section>
        <group from="l" to="l" when="kind = 'x'"><field from="." to="."/></group>)m";
    EXPECT_EQ(map(rules, R"({"kind": "x", "a": 1, "n": 4, "l": [1, 2]})"),
              json(R"({"a": 1, "s": {"a": 1, "c": "yes"}, "l": [1, 2]})"));
    EXPECT_EQ(map(rules, R"({"kind": "y", "a": 1, "n": 3, "l": [1]})"), json(R"({"s": {"a": 1}})"));
    EXPECT_EQ(map(rules, R"({"kind": "z", "a": 1})"), json("{}"));
}

TEST_F(MappingFunctions, TwoConditionalRulesMayShareATargetAndTheFirstWins) {
    const std::string rules = R"(<field from="mobile" to="phone" when="mobile present"/>
                                 <field from="home" to="phone" when="home present"/>)";
    EXPECT_EQ(map(rules, R"({"mobile": "06", "home": "02"})"), json(R"({"phone": "06"})"));
    EXPECT_EQ(map(rules, R"({"mobile": "", "home": "02"})"), json(R"({"phone": "02"})"));
}

// -------------------------------------------------------------------------------- groups

TEST_F(MappingFunctions, MapsNestedGroupsWithIndicesAndFilters) {
    const std::string rules = R"(
        <group from="enfants" to="children" filter="prenom present">
          <field from="$position" to="rank"/>
          <field from="$index" to="index"/>
          <field from="prenom" to="name"/>
          <field from="$fields.famille" to="family"/>
          <group from="jours" to="days"><field from="." to="." case="lower"/></group>
          <group from="activites" to="activities">
            <field from="code" to="code"/><field from="$index" to="i"/>
          </group>
        </group>)";
    const sdk::Json out = map(rules, R"({"famille": "MARTIN", "enfants": [
                        {"prenom": "Lucas", "jours": ["LUNDI", "MARDI"],
                         "activites": [{"code": "A"}, {"code": "B"}]},
                        {"prenom": ""},
                        {"prenom": "Jeanne", "jours": [], "activites": {"code": "C"}}]})");
    EXPECT_EQ(out, json(R"({"children": [
        {"rank": 1, "index": 0, "name": "Lucas", "family": "MARTIN", "days": ["lundi", "mardi"],
         "activities": [{"code": "A", "i": 0}, {"code": "B", "i": 1}]},
        {"rank": 3, "index": 2, "name": "Jeanne", "family": "MARTIN",
         "activities": [{"code": "C", "i": 2}]}]})"));
}

TEST_F(MappingFunctions, NamesErrorsInNestedGroupsWithEveryIndex) {
    const sdk::Error error = mapError(
        R"(<group from="a" to="a"><group from="b" to="b"><field from="d" to="d"
             date-from="DD/MM/YYYY"/></group></group>)",
        R"({"a": [{"b": []}, {"b": [{"d": "01/01/2026"}, {"d": "bad"}]}]})");
    EXPECT_EQ(error.field, "a[1].b[1].d");
    EXPECT_THAT(error.message, HasSubstr("dossier " + std::string(kDossierId) + ": a[1].b[1].d:"));
}

TEST_F(MappingFunctions, AGroupOverAScalarIsAnError) {
    const sdk::Error error =
        mapError(R"(<group from="l" to="l"><field from="x" to="x"/></group>)", R"({"l": "x"})");
    EXPECT_EQ(error.field, "l");
    EXPECT_THAT(error.message, HasSubstr("expected a list"));
}

TEST_F(MappingFunctions, SectionsScopeSourcesAndTargets) {
    const sdk::Json out =
        map(R"(<section from="demandeur" to="guardian">
                                   <field from="nom" to="name"/>
                                   <section from="adresse" to="address">
                                     <field from="cp" to="zip"/>
                                     <field from="$fields.id" to="ref"/>
                                   </section>
                                 </section>
                                 <section from="absent" to="x"><field from="y" to="y"/>
                                   <field value="c" to="c"/></section>)",
            R"({"id": "R1", "demandeur": {"nom": "N", "adresse": {"cp": "35000"}}})");
    EXPECT_EQ(out, json(R"({"guardian": {"name": "N", "address": {"zip": "35000", "ref": "R1"}},
                            "x": {"c": "c"}})"));
}

// ------------------------------------------------------------- metadata and attachments

TEST_F(MappingFunctions, ReadsCanonicalMetadataAndAttachments) {
    sdk::Dossier dossier = dossierWith(R"({"x": 1})");
    dossier.submitted_at = *sdk::Timestamp::parse("2026-11-14T09:42:17+01:00");
    dossier.status = sdk::Status::InReview;
    dossier.portal_status = "en_instruction";
    dossier.version = 3;
    sdk::Subject subject;
    subject.france_connect_sub = "b6048e95v1";
    subject.pivot.family_name = "MARTIN";
    subject.pivot.given_names = {"Anne", "Sophie"};
    dossier.subject = subject;
    dossier.attachments.push_back(sdk::Attachment{"facture.pdf", "application/pdf", 1234, "ab12",
                                                  "sha256:ab12", "", "JUSTIFICATIF"});
    dossier.attachments.push_back(
        sdk::Attachment{"photo.jpg", "image/jpeg", 99, "cd34", "sha256:cd34", "", ""});
    const auto mapping = mappingFrom(dir_, R"(
        <field from="$dossier.id" to="id"/>
        <field from="$dossier.source" to="source"/>
        <field from="$dossier.source_key" to="key"/>
        <field from="$dossier.procedure" to="procedure"/>
        <field from="$dossier.submitted_at" to="at"/>
        <field from="$dossier.submitted_at" to="day" date-from="RFC3339"/>
        <field from="$dossier.status" to="status"/>
        <field from="$dossier.portal_status" to="portal"/>
        <field from="$dossier.version" to="version"/>
        <field from="$subject.france_connect_sub" to="sub"/>
        <field from="$subject.given_names" to="given"/>
        <field from="$subject.kind" to="kind"/>
        <field from="$attachments[1].name" to="second"/>
        <group from="$attachments" to="files">
          <field from="name" to="name"/><field from="size" to="size"/>
          <field from="storage_ref" to="ref"/><field from="kind" to="kind"/>
          <field from="$position" to="n"/>
        </group>)");
    EXPECT_EQ(applyJson(*mapping, dossier), json(R"({
        "id": "5f0c8a52-3d3e-4f0b-9a55-1d2e3f4a5b6c", "source": "portail", "key": "RS-1",
        "procedure": "restauration-scolaire", "at": "2026-11-14T09:42:17+01:00",
        "day": "2026-11-14", "status": "in_review", "portal": "en_instruction", "version": 3,
        "sub": "b6048e95v1", "given": "Anne Sophie", "kind": "person", "second": "photo.jpg",
        "files": [{"name": "facture.pdf", "size": 1234, "ref": "sha256:ab12",
                   "kind": "JUSTIFICATIF", "n": 1},
                  {"name": "photo.jpg", "size": 99, "ref": "sha256:cd34", "n": 2}]})"));

    dossier.subject.reset();
    dossier.attachments.clear();
    const sdk::Json bare = applyJson(*mapping, dossier);
    EXPECT_EQ(bare.find("sub"), nullptr);
    EXPECT_EQ(bare.find("files"), nullptr);
}

TEST_F(MappingFunctions, ErrorsOnMetadataNameTheMetadataPath) {
    sdk::Dossier dossier = dossierWith("{}");
    dossier.procedure = "cantine";
    const auto mapping =
        mappingFrom(dir_, R"(<field from="$dossier.procedure" to="p" type="number"/>)");
    EXPECT_EQ(applyError(*mapping, dossier).field, "$dossier.procedure");
}

// ---------------------------------------------------------------------------- drop-empty

TEST_F(MappingFunctions, DropEmptyRemovesNullEmptyStringsAndEmptiedContainers) {
    const std::string rules = R"(<field from="o" to="o"/><field from="e" to="a.b.c"/>
                                 <field from="z" to="zero"/><field from="f" to="no"/>
                                 <field from="n" to="n"/><field from="l" to="l"/>)";
    const std::string fields = R"({"o": {"x": null, "y": "", "w": [null, "", {}, [], 0],
                                         "v": {"u": {}}},
                                   "e": "", "z": 0, "f": false, "n": null,
                                   "l": [{"a": ""}, {}]})";
    EXPECT_EQ(map(rules, fields), json(R"({"o": {"w": [0]}, "zero": 0, "no": false})"));
    EXPECT_EQ(map("<output drop-empty=\"false\"/>" + rules, fields),
              json(R"({"o": {"x": null, "y": "", "w": [null, "", {}, [], 0], "v": {"u": {}}},
                       "a": {"b": {"c": ""}}, "zero": 0, "no": false, "n": null,
                       "l": [{"a": ""}, {}]})"));
}

TEST_F(MappingFunctions, WithoutDropEmptyAbsentValuesAreStillNotWritten) {
    const sdk::Json out = map(R"(<output drop-empty="false"/>
                                 <field from="missing" to="m"/>
                                 <group from="none" to="g"><field from="x" to="x"/></group>
                                 <group from="empty" to="e"><field from="x" to="x"/></group>)",
                              R"({"empty": []})");
    EXPECT_EQ(out, json(R"({"e": []})"));
}

TEST_F(MappingFunctions, AnEmptyMappingGivesAnEmptyObject) {
    EXPECT_EQ(map("", R"({"a": 1})"), json("{}"));
}

}  // namespace
}  // namespace relais::mapping::test
