// SPDX-License-Identifier: AGPL-3.0-or-later
// Config: the verified-attribute catalogue, its keys and levels, contracts, certify rights.
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "relais/common/errors.h"
#include "relais/config/config.h"

#include "support/daemon.h"
#include "support/temp_dir.h"

namespace relais::config {
namespace {

using ::testing::HasSubstr;

const std::string kCatalogue =
    "<attributes current-key=\"k2\" purge-interval=\"10m\">\n"
    "  <key id=\"k1\" file=\"keys/k1.key\"/>\n"
    "  <key id=\"k2\" file=\"keys/k2.key\"/>\n"
    "  <attribute name=\"quotient_familial\" validity=\"month\"/>\n"
    "  <attribute name=\"statut_etudiant\" validity=\"school-year\"/>\n"
    "  <attribute name=\"email\" validity=\"365d\"/>\n"
    "  <attribute name=\"unite_legale\" subject=\"company\"/>\n"
    "</attributes>\n";

const std::string kConnectors =
    "<connectors>\n"
    "  <connector name=\"particulier\" plugin=\"api-particulier\"/>\n"
    "</connectors>\n";

std::string clients(const std::string& certify = "") {
    return "<clients>\n"
           "  <client name=\"portail\" key-sha256=\"" +
           std::string(64, 'a') +
           "\"><rights>prefill:read</rights></client>\n"
           "  <client name=\"metier\" key-sha256=\"" +
           std::string(64, 'b') + "\"><rights>attributes:write</rights>" + certify +
           "</client>\n"
           "</clients>\n";
}

const std::string kContract =
    "<contracts>\n"
    "  <contract name=\"cantine\" procedure=\"restauration-scolaire\" clients=\"portail\"\n"
    "            purpose=\"Tarif de la cantine\" legal-basis=\"RGPD 6.1.e\" retention=\"31d\">\n"
    "    <attribute name=\"quotient_familial\" min-level=\"600\" required=\"true\" "
    "provider=\"particulier\"/>\n"
    "    <attribute name=\"email\"/>\n"
    "  </contract>\n"
    "</contracts>\n";

std::string configWith(const std::string& inner) {
    return test::wrapConfig("<store path=\"var/relais.db\"/>\n<plugins directory=\"p\"/>\n" +
                            inner);
}

class AttributesConfigTest : public ::testing::Test {
protected:
    std::shared_ptr<const Config> load(const std::string& xml) {
        return loadConfig(dir_.write("relais.xml", xml));
    }
    std::string errorOf(const std::string& xml) {
        try {
            load(xml);
        } catch (const ConfigError& error) {
            return error.message();
        }
        ADD_FAILURE() << "loaded without error:\n" << xml;
        return {};
    }
    test::TempDir dir_;
};

TEST_F(AttributesConfigTest, ReadsCatalogueContractsAndCertifyRights) {
    const auto config = load(configWith(
        kCatalogue + kConnectors +
        clients("<certify max-level=\"500\">quotient_familial, email</certify>") + kContract));
    const AttributesConfig& attributes = config->attributes;
    EXPECT_TRUE(attributes.enabled);
    EXPECT_EQ(attributes.current_key, "k2");
    ASSERT_EQ(attributes.keys.size(), 2U);
    EXPECT_EQ(attributes.keys[0].file, dir_.path() + "/keys/k1.key");
    EXPECT_EQ(attributes.purge_interval_ms, 600'000);
    // No <level>: the default scale after the Lutece identity store.
    ASSERT_EQ(attributes.levels.size(), 5U);
    EXPECT_EQ(attributes.levels.back().value, 600);
    EXPECT_EQ(attributes.levels.back().name, "trusted-registry");
    ASSERT_NE(attributes.findKind("quotient_familial"), nullptr);
    EXPECT_EQ(attributes.findKind("quotient_familial")->validity, "month");
    EXPECT_EQ(attributes.findKind("statut_etudiant")->validity, "school-year");
    EXPECT_EQ(attributes.findKind("email")->validity, "duration");
    EXPECT_EQ(attributes.findKind("email")->validity_ms, 365LL * 86'400'000);
    EXPECT_EQ(attributes.findKind("unite_legale")->subject, "company");

    const ContractConfig* contract = config->findContract("restauration-scolaire", "portail");
    ASSERT_NE(contract, nullptr);
    EXPECT_EQ(contract->purpose, "Tarif de la cantine");
    EXPECT_EQ(contract->retention_ms, 31LL * 86'400'000);
    ASSERT_EQ(contract->attributes.size(), 2U);
    EXPECT_EQ(contract->attributes[0].min_level, 600);
    EXPECT_TRUE(contract->attributes[0].required);
    EXPECT_EQ(contract->attributes[0].provider, "particulier");
    EXPECT_EQ(contract->attributes[1].min_level, 1);
    EXPECT_FALSE(contract->attributes[1].required);
    EXPECT_EQ(config->findContract("restauration-scolaire", "metier"), nullptr);
    EXPECT_EQ(config->findContract("autre", "portail"), nullptr);

    EXPECT_EQ(config->clients[1].certify, (std::vector<std::string>{"quotient_familial", "email"}));
    EXPECT_EQ(config->clients[1].certify_max_level, 500);
}

TEST_F(AttributesConfigTest, CustomLevelsMustIncrease) {
    const auto config = load(configWith(
        "<attributes current-key=\"k\"><key id=\"k\" file=\"k.key\"/>"
        "<level value=\"10\" name=\"low\"/><level value=\"20\" name=\"high\"/></attributes>"));
    ASSERT_EQ(config->attributes.levels.size(), 2U);
    EXPECT_NE(config->attributes.findLevel(20), nullptr);
    EXPECT_EQ(config->attributes.findLevel(600), nullptr);
    EXPECT_THAT(errorOf(configWith("<attributes current-key=\"k\"><key id=\"k\" file=\"k.key\"/>"
                                   "<level value=\"20\" name=\"a\"/><level value=\"10\" "
                                   "name=\"b\"/></attributes>")),
                HasSubstr("increasing order"));
}

TEST_F(AttributesConfigTest, CurrentKeyMustBeDeclared) {
    const std::string error = errorOf(configWith(
        "<attributes current-key=\"k9\">\n  <key id=\"k1\" file=\"k1.key\"/>\n</attributes>"));
    EXPECT_THAT(error, HasSubstr("relais.xml:"));
    EXPECT_THAT(error, HasSubstr("current-key"));
    EXPECT_THAT(error, HasSubstr("k9"));
}

TEST_F(AttributesConfigTest, DuplicateKeysAndAttributesAreRefused) {
    EXPECT_THAT(errorOf(configWith("<attributes current-key=\"k\"><key id=\"k\" file=\"a\"/>"
                                   "<key id=\"k\" file=\"b\"/></attributes>")),
                HasSubstr("key 'k': already declared"));
    EXPECT_THAT(errorOf(configWith("<attributes current-key=\"k\"><key id=\"k\" file=\"a\"/>"
                                   "<attribute name=\"email\"/><attribute name=\"email\"/>"
                                   "</attributes>")),
                HasSubstr("attribute 'email': already declared"));
}

TEST_F(AttributesConfigTest, ContractsNeedTheCatalogue) {
    EXPECT_THAT(errorOf(configWith(kConnectors + clients() + kContract)),
                HasSubstr("contracts need an <attributes> element"));
}

TEST_F(AttributesConfigTest, ContractErrorsNameFileLineAndWhat) {
    const auto contract = [&](const std::string& attributes, const std::string& extra = "") {
        return configWith(kCatalogue + kConnectors + clients() +
                          "<contracts>\n<contract name=\"c\" procedure=\"p\" clients=\"portail" +
                          extra + "\" purpose=\"x\" legal-basis=\"y\" retention=\"1d\">\n" +
                          attributes + "</contract>\n</contracts>\n");
    };
    std::string error = contract("<attribute name=\"revenu\"/>\n");
    error = errorOf(error);
    EXPECT_THAT(error, HasSubstr("relais.xml:"));
    EXPECT_THAT(error, HasSubstr("attribute 'revenu': not declared in <attributes>"));
    EXPECT_THAT(errorOf(contract("<attribute name=\"email\" provider=\"nulle-part\"/>\n")),
                HasSubstr("no connector named 'nulle-part'"));
    EXPECT_THAT(errorOf(contract("<attribute name=\"email\"/>\n", " inconnu")),
                HasSubstr("no client named 'inconnu'"));
    EXPECT_THAT(errorOf(contract("<attribute name=\"email\"/><attribute name=\"email\"/>\n")),
                HasSubstr("listed twice"));
    // The schema: min-level outside 1..1000, a contract without attributes.
    EXPECT_THAT(errorOf(contract("<attribute name=\"email\" min-level=\"5000\"/>\n")),
                HasSubstr("min-level"));
    EXPECT_THAT(errorOf(contract("")), HasSubstr("contract"));
}

TEST_F(AttributesConfigTest, OneContractPerProcedureAndClient) {
    const std::string one =
        "<contract name=\"%\" procedure=\"p\" clients=\"portail\" purpose=\"x\" "
        "legal-basis=\"y\" retention=\"1d\"><attribute name=\"email\"/></contract>\n";
    std::string a = one;
    std::string b = one;
    a.replace(a.find('%'), 1, "a");
    b.replace(b.find('%'), 1, "b");
    EXPECT_THAT(errorOf(configWith(kCatalogue + kConnectors + clients() + "<contracts>\n" + a + b +
                                   "</contracts>\n")),
                HasSubstr("client 'portail' already has a contract for procedure 'p'"));
}

TEST_F(AttributesConfigTest, NoContractForEveryProcedure) {
    EXPECT_THAT(errorOf(configWith(kCatalogue + clients() +
                                   "<contracts><contract name=\"c\" procedure=\"*\" "
                                   "clients=\"portail\" purpose=\"x\" legal-basis=\"y\" "
                                   "retention=\"1d\"><attribute name=\"email\"/></contract>"
                                   "</contracts>")),
                HasSubstr("purpose limitation"));
}

TEST_F(AttributesConfigTest, CertifiedAttributesMustBeDeclared) {
    EXPECT_THAT(
        errorOf(configWith(kCatalogue + clients("<certify max-level=\"400\">revenu</certify>"))),
        HasSubstr("attribute 'revenu' is not declared in <attributes>"));
    EXPECT_THAT(errorOf(configWith(kCatalogue + clients("<certify>email</certify>"))),
                HasSubstr("max-level"));
}

}  // namespace
}  // namespace relais::config
