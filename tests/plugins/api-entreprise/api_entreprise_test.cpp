// SPDX-License-Identifier: AGPL-3.0-or-later
// Logic tests of the API Entreprise provider against the mock national API (in process,
// 127.0.0.1, port 0) loaded with the upstream sandbox cases of tests/fixtures/national-apis,
// with the real host services. Cases the sandbox does not have (a 451) are written by the
// test in its own temporary directory.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "relais/common/errors.h"
#include "relais/config/config.h"
#include "relais/plugin/instance.h"
#include "relais/plugin/library.h"
#include "relais/sdk/host.h"
#include "relais/sdk/plugin.h"

#include "api_entreprise_connector.h"
#include "config_keys.h"
#include "mock_national_api.h"
#include "plugins/support/instance_config.h"
#include "support/mock_http_server.h"
#include "support/temp_dir.h"
#include "support/test_host.h"

namespace relais::plugins::api_entreprise {
namespace {

using sdk::ErrorCode;
using Params = std::vector<std::pair<std::string, std::string>>;

constexpr sdk::PluginInfo kTestInfo{
    .id = "api-entreprise",
    .version = "1.0.0",
    .summary = "API Entreprise provider (logic tests)",
    .config_keys = kConfigKeys,
    .endpoints = {},
    .flags = sdk::plugin_flag::kReentrant | sdk::plugin_flag::kPersonalData};
constexpr relais_plugin_descriptor kDescriptor =
    sdk::detail::makeDescriptor<ApiEntrepriseConnector, kTestInfo>();

const std::string kFixtures = std::string(RELAIS_SOURCE_DIR) + "/tests/fixtures/national-apis";
constexpr const char* kToken = "eyJhbGciOiJIUzI1NiJ9.entreprise-secret-token";
constexpr const char* kRecipient = "13002526500013";
constexpr std::int64_t kDay = 86'400'000'000;  // in microseconds

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

sdk::AttributeQuery companyQuery(std::string siren, std::string siret,
                                 std::vector<std::string> names) {
    sdk::AttributeQuery query;
    query.subject.kind = sdk::SubjectKind::Company;
    query.subject.siren = std::move(siren);
    query.subject.siret = std::move(siret);
    query.names = std::move(names);
    query.procedure = "marche-2026-17";
    query.purpose = "candidature à un marché public";
    query.legal_basis = "Code de la commande publique R2143-7";
    return query;
}

class ApiEntrepriseTest : public ::testing::Test {
protected:
    void SetUp() override {
        (void)services_.dir().write("secrets/token", std::string(kToken) + "\n");
        host_ = services_.host("entreprises");
        connector_ = std::make_unique<ApiEntrepriseConnector>(*host_);
    }

    config::InstanceConfig instance(const Params& params) const {
        return test::instanceConfig("entreprises", "api-entreprise", params,
                                    services_.dir().file("relais.xml"));
    }

    Params baseParams(const std::string& base_url) const {
        return {{"base-url", base_url.empty() ? api_.url() : base_url},
                {"token", "file:secrets/token"},
                {"recipient", kRecipient},
                {"context", "Marchés publics"},
                {"object", "Candidature {procedure}"}};
    }

    // base-url (the mock unless given), token, recipient, context, object, then `extra`.
    sdk::Result<void> configure(Params extra = {}, const std::string& base_url = "") {
        Params params = baseParams(base_url);
        for (auto& [name, value] : extra) {
            std::erase_if(params, [&](const auto& p) { return p.first == name; });
            params.emplace_back(name, value);
        }
        try {
            return connector_->configure(
                plugin::validateSettings(kDescriptor, instance(params), services_.dir().path()));
        } catch (const ConfigError& e) {
            ADD_FAILURE() << e.message();
            return sdk::fail(ErrorCode::Internal, e.message());
        }
    }

    void configureOrFail(Params extra = {}, const std::string& base_url = "") {
        auto configured = configure(std::move(extra), base_url);
        ASSERT_TRUE(configured) << configured.error().message;
    }

    test::TestServices services_;
    mock_api::MockNationalApi api_{
        mock_api::MockNationalApi::Options{{kFixtures}, "127.0.0.1", 0, {}}};
    std::unique_ptr<sdk::Host> host_;
    std::unique_ptr<ApiEntrepriseConnector> connector_;
};

TEST(ApiEntrepriseDescriptor, IsValidAndDeclaresFetchAttributes) {
    EXPECT_EQ(plugin::validateDescriptor(kDescriptor), "");
    EXPECT_EQ(kDescriptor.operations, sdk::operation::kFetchAttributes);
}

TEST_F(ApiEntrepriseTest, ReadsTheUniteLegale) {
    configureOrFail();
    auto result = connector_->fetchAttributes(companyQuery("552049447", "", {"unite_legale"}));
    ASSERT_TRUE(result) << result.error().message;
    ASSERT_EQ(result->size(), 1U);
    const sdk::Attribute& unit = result->front();
    EXPECT_EQ(unit.name, "unite_legale");
    EXPECT_EQ(unit.value.find("siren")->asString(), "552049447");
    EXPECT_EQ(unit.value.path("personne_morale_attributs.raison_sociale")->asString(),
              "SOCIETE NATIONALE SNCF");
    EXPECT_EQ(unit.value.find("links"), nullptr) << "the value is `data`, not the envelope";
    EXPECT_EQ(unit.level, 600);
    EXPECT_EQ(unit.source, "entreprises");
    EXPECT_EQ(unit.process, "api-entreprise/v3/insee/sirene/unites_legales/{siren}");
    EXPECT_EQ(unit.legal_basis, "Code de la commande publique R2143-7");
    ASSERT_TRUE(unit.valid_until);
    EXPECT_EQ(unit.valid_until->micros - unit.verified_at.micros, kDay);
}

TEST_F(ApiEntrepriseTest, TakesTheSirenFromTheSiretWhenItIsAlone) {
    configureOrFail();
    auto result = connector_->fetchAttributes(companyQuery("", "55204944776279", {"unite_legale"}));
    ASSERT_TRUE(result) << result.error().message;
    ASSERT_EQ(result->size(), 1U);
    EXPECT_EQ(result->front().value.find("siren")->asString(), "552049447");
}

TEST_F(ApiEntrepriseTest, ReadsTheEtablissementOrSaysItIsUnknown) {
    configureOrFail();
    auto result = connector_->fetchAttributes(
        companyQuery("", "306 138 900 01294", {"etablissement", "unknown_name"}));
    ASSERT_TRUE(result) << result.error().message;
    ASSERT_EQ(result->size(), 1U);
    EXPECT_EQ(result->front().name, "etablissement");
    EXPECT_EQ(result->front().value.find("siret")->asString(), "30613890001294");
    EXPECT_EQ(result->front().process, "api-entreprise/v3/insee/sirene/etablissements/{siret}");

    result = connector_->fetchAttributes(companyQuery("", "00000000000000", {"etablissement"}));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::NotFound);
    EXPECT_TRUE(contains(result.error().message, "04003 Entité non trouvée"))
        << result.error().message;
    EXPECT_FALSE(contains(result.error().message, kToken));
}

TEST_F(ApiEntrepriseTest, DeliveredAttestationHoldsUntilItsEndOfValidity) {
    configureOrFail();
    auto result =
        connector_->fetchAttributes(companyQuery("000000001", "", {"attestation_vigilance"}));
    ASSERT_TRUE(result) << result.error().message;
    ASSERT_EQ(result->size(), 1U);
    const sdk::Attribute& attestation = result->front();
    EXPECT_EQ(attestation.value.path("entity_status.code")->asString(), "ok");
    EXPECT_EQ(attestation.value.find("code_securite")->asString(), "YAB458G1B2T8IZW");
    EXPECT_EQ(attestation.process,
              "api-entreprise/v4/urssaf/unites_legales/{siren}/attestation_vigilance");
    ASSERT_TRUE(attestation.valid_until);
    EXPECT_EQ(*attestation.valid_until, *sdk::Timestamp::parse("2023-07-31T23:59:59Z"));
}

TEST_F(ApiEntrepriseTest, RefusedAttestationIsServedAsSuch) {
    configureOrFail();
    auto result =
        connector_->fetchAttributes(companyQuery("000000002", "", {"attestation_vigilance"}));
    ASSERT_TRUE(result) << result.error().message;
    ASSERT_EQ(result->size(), 1U);
    const sdk::Attribute& attestation = result->front();
    EXPECT_EQ(attestation.value.path("entity_status.code")->asString(), "refus_de_delivrance");
    EXPECT_TRUE(attestation.value.find("document_url")->isNull());
    ASSERT_TRUE(attestation.valid_until);
    EXPECT_EQ(attestation.valid_until->micros - attestation.verified_at.micros, kDay);
}

TEST_F(ApiEntrepriseTest, NonDiffusibleEntityIsRefusedForGood) {
    test::TempDir cases;
    (void)cases.write("api-entreprise/payloads/api_entreprise_v3_insee_unites_legales/451.json",
                      R"({"params": {"siren": "005572466"}, "status": 451,
            "payload": {"errors": [{"code": "03100", "title": "Entité non diffusible",
                                    "detail": "Le SIREN ou SIRET est non diffusible",
                                    "source": null, "meta": {"provider": "INSEE"}}]}})");
    mock_api::MockNationalApi api(
        mock_api::MockNationalApi::Options{{cases.path()}, "127.0.0.1", 0, {}});
    configureOrFail({}, api.url());
    auto result = connector_->fetchAttributes(companyQuery("005572466", "", {"unite_legale"}));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::Permanent);
    EXPECT_FALSE(sdk::isTransient(result.error().code));
    EXPECT_TRUE(contains(result.error().message, "451")) << result.error().message;
    EXPECT_TRUE(contains(result.error().message, "not open to disclosure"))
        << result.error().message;
    EXPECT_TRUE(contains(result.error().message, "03100 Entité non diffusible"))
        << result.error().message;
}

TEST_F(ApiEntrepriseTest, SendsRecipientContextAndObjectOnEveryCall) {
    test::MockHttpServer server([](const test::ReceivedRequest&) {
        return test::MockResponse{200,
                                  "application/json",
                                  R"({"data": {"siren": "552049447"}, "links": {}, "meta": {}})",
                                  {}};
    });
    configureOrFail({}, server.url());
    auto result = connector_->fetchAttributes(
        companyQuery("552049447", "55204944776279", {"unite_legale", "etablissement"}));
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_EQ(result->size(), 2U);
    const auto requests = server.requests();
    ASSERT_EQ(requests.size(), 2U);
    const std::string query =
        "?recipient=13002526500013&context=March%C3%A9s%20publics"
        "&object=Candidature%20marche-2026-17";
    EXPECT_EQ(requests[0].uri, "/v3/insee/sirene/unites_legales/552049447" + query);
    EXPECT_EQ(requests[1].uri, "/v3/insee/sirene/etablissements/55204944776279" + query);
    for (const auto& request : requests) {
        EXPECT_EQ(request.header("Authorization"), std::string("Bearer ") + kToken);
    }
}

TEST_F(ApiEntrepriseTest, MissingOrInconsistentIdentifiersAreNamed) {
    configureOrFail();
    struct Case {
        std::string siren;
        std::string siret;
        std::string name;
        std::string field;
    };
    const std::vector<Case> cases = {
        {"", "", "unite_legale", "subject.siren"},
        {"", "", "attestation_vigilance", "subject.siren"},
        {"552049447", "", "etablissement", "subject.siret"},
        {"55204944", "", "unite_legale", "subject.siren"},
        {"", "5520494477627", "etablissement", "subject.siret"},
        {"130025265", "55204944776279", "etablissement", "subject.siret"},
    };
    for (const Case& c : cases) {
        auto result = connector_->fetchAttributes(companyQuery(c.siren, c.siret, {c.name}));
        ASSERT_FALSE(result) << c.name << " " << c.siren << " " << c.siret;
        EXPECT_EQ(result.error().code, ErrorCode::InvalidArgument);
        EXPECT_EQ(result.error().field, c.field) << result.error().message;
        EXPECT_TRUE(contains(result.error().message, c.field)) << result.error().message;
    }
    EXPECT_EQ(api_.requestCount(), 0U);
}

TEST_F(ApiEntrepriseTest, ObjectNeedingAProcedureRefusesAQueryWithout) {
    configureOrFail();
    sdk::AttributeQuery query = companyQuery("552049447", "", {"unite_legale"});
    query.procedure.clear();
    auto result = connector_->fetchAttributes(query);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(result.error().field, "procedure");
    EXPECT_EQ(api_.requestCount(), 0U);
}

TEST_F(ApiEntrepriseTest, TheHostRefusesMissingRecipientContextOrObject) {
    for (const char* key : {"recipient", "context", "object", "token", "base-url"}) {
        Params params = baseParams("");
        std::erase_if(params, [&](const auto& p) { return p.first == key; });
        try {
            (void)plugin::validateSettings(kDescriptor, instance(params), services_.dir().path());
            ADD_FAILURE() << key << " was not required";
        } catch (const ConfigError& e) {
            EXPECT_TRUE(contains(e.message(), std::string("missing required key '") + key))
                << e.message();
        }
    }
}

TEST_F(ApiEntrepriseTest, ConfigureRefusesUnusableValues) {
    const std::vector<std::pair<Params, std::string>> cases = {
        {{{"context", "  "}}, "context"},
        {{{"object", "Dossier {dossier}"}}, "object"},
        {{{"object", "ligne\nsuivante"}}, "object"},
        {{{"recipient", "12345678901234"}}, "recipient"},
        {{{"timeout", "0s"}}, "timeout"},
    };
    for (const auto& [params, field] : cases) {
        auto result = configure(params);
        ASSERT_FALSE(result) << field;
        EXPECT_EQ(result.error().code, ErrorCode::InvalidArgument);
        EXPECT_EQ(result.error().field, field) << result.error().message;
    }
    EXPECT_TRUE(configure({{"object", "Dossier 123"}, {"context", "{purpose}"}}));
}

TEST(ApiEntrepriseExpand, ReplacesProcedureAndPurpose) {
    sdk::AttributeQuery query;
    query.procedure = "aides-2026";
    query.purpose = "aide aux associations";
    auto text = expand("{purpose} / {procedure} / {procedure}", query);
    ASSERT_TRUE(text) << text.error().message;
    EXPECT_EQ(*text, "aide aux associations / aides-2026 / aides-2026");
    query.purpose.clear();
    text = expand("{purpose}", query);
    ASSERT_FALSE(text);
    EXPECT_EQ(text.error().field, "purpose");
}

}  // namespace
}  // namespace relais::plugins::api_entreprise
