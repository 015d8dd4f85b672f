// SPDX-License-Identifier: AGPL-3.0-or-later
// Logic tests of the API Particulier provider against the mock national API (in process,
// 127.0.0.1, port 0) loaded with the upstream sandbox cases of tests/fixtures/national-apis,
// with the real host services (HTTP client, secrets, clock, logs). A plain MockHttpServer
// stands in where a test must see the exact request or misbehave.

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <gtest/gtest.h>

#include "relais/common/errors.h"
#include "relais/config/config.h"
#include "relais/plugin/instance.h"
#include "relais/plugin/library.h"
#include "relais/sdk/host.h"
#include "relais/sdk/plugin.h"

#include "api_particulier_connector.h"
#include "config_keys.h"
#include "mock_national_api.h"
#include "plugins/support/instance_config.h"
#include "support/mock_http_server.h"
#include "support/temp_dir.h"
#include "support/test_host.h"

namespace relais::plugins::api_particulier {
namespace {

using sdk::ErrorCode;
using Params = std::vector<std::pair<std::string, std::string>>;
namespace chrono = std::chrono;

constexpr sdk::PluginInfo kTestInfo{
    .id = "api-particulier",
    .version = "1.0.0",
    .summary = "API Particulier provider (logic tests)",
    .config_keys = kConfigKeys,
    .endpoints = {},
    .flags = sdk::plugin_flag::kReentrant | sdk::plugin_flag::kPersonalData};
constexpr relais_plugin_descriptor kDescriptor =
    sdk::detail::makeDescriptor<ApiParticulierConnector, kTestInfo>();

const std::string kFixtures = std::string(RELAIS_SOURCE_DIR) + "/tests/fixtures/national-apis";
constexpr const char* kToken = "eyJhbGciOiJIUzI1NiJ9.particulier-secret-token";
constexpr const char* kRecipient = "13002526500013";

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// The CAF 2550 case: LEFEBVRE ALEXIS, F, born December 1982 in 08480 (France).
sdk::IdentityPivot cafPivot() {
    return {"LEFEBVRE", {"ALEXIS"}, "1982-12-27", "female", "08480", "99100"};
}

// The MSA couple case: Martin Pierre, M, born 1987-06-27 in 51108.
sdk::IdentityPivot msaPivot() {
    return {"Martin", {"Pierre"}, "1987-06-27", "male", "51108", "99100"};
}

sdk::AttributeQuery personQuery(sdk::IdentityPivot pivot, std::vector<std::string> names) {
    sdk::AttributeQuery query;
    query.subject.pivot = std::move(pivot);
    query.names = std::move(names);
    query.procedure = "restauration-scolaire";
    query.purpose = "tarif de la cantine";
    query.legal_basis = "CRPA L114-8";
    return query;
}

const sdk::Attribute* findAttribute(const std::vector<sdk::Attribute>& attributes,
                                    const std::string& name) {
    for (const auto& attribute : attributes) {
        if (attribute.name == name) return &attribute;
    }
    return nullptr;
}

// Independent of the plugin's arithmetic: the last second (UTC) of the month / of 31 August.
sdk::Timestamp expectedEndOfMonth(sdk::Timestamp at) {
    const auto day =
        chrono::floor<chrono::days>(chrono::sys_seconds(chrono::seconds(at.micros / 1'000'000)));
    const chrono::year_month_day date(day);
    const chrono::sys_days last =
        chrono::year_month_day_last(date.year(), chrono::month_day_last(date.month()));
    return sdk::Timestamp::fromUnixSeconds(last.time_since_epoch().count() * 86'400 + 86'399);
}

sdk::Timestamp expectedEndOfSchoolYear(sdk::Timestamp at) {
    const auto day =
        chrono::floor<chrono::days>(chrono::sys_seconds(chrono::seconds(at.micros / 1'000'000)));
    const chrono::year_month_day date(day);
    const int year = static_cast<int>(date.year()) + (date.month() >= chrono::September ? 1 : 0);
    const chrono::sys_days end = chrono::year(year) / chrono::August / 31;
    return sdk::Timestamp::fromUnixSeconds(end.time_since_epoch().count() * 86'400 + 86'399);
}

class ApiParticulierTest : public ::testing::Test {
protected:
    void SetUp() override {
        (void)services_.dir().write("secrets/token", std::string(kToken) + "\n");
        host_ = services_.host("caf-quotient");
        connector_ = std::make_unique<ApiParticulierConnector>(*host_);
    }

    // The instance as relais.xml would declare it, with these <param>s.
    config::InstanceConfig instance(const Params& params) const {
        return test::instanceConfig("caf-quotient", "api-particulier", params,
                                    services_.dir().file("relais.xml"));
    }

    // The settings the host would build from these <param>s; a ConfigError fails the test.
    sdk::Settings settings(const Params& params) const {
        try {
            return plugin::validateSettings(kDescriptor, instance(params), services_.dir().path());
        } catch (const ConfigError& e) {
            ADD_FAILURE() << e.message();
            return {};
        }
    }

    // base-url (the mock unless given), token and recipient, then `extra` (which wins).
    sdk::Result<void> configure(Params extra = {}, const std::string& base_url = "") {
        Params params = {{"base-url", base_url.empty() ? api_.url() : base_url},
                         {"token", "file:secrets/token"},
                         {"recipient", kRecipient}};
        for (auto& [name, value] : extra) {
            std::erase_if(params, [&](const auto& p) { return p.first == name; });
            params.emplace_back(name, value);
        }
        return connector_->configure(settings(params));
    }

    void configureOrFail(Params extra = {}, const std::string& base_url = "") {
        auto configured = configure(std::move(extra), base_url);
        ASSERT_TRUE(configured) << configured.error().message;
    }

    test::TestServices services_;
    mock_api::MockNationalApi api_{
        mock_api::MockNationalApi::Options{{kFixtures}, "127.0.0.1", 0, {}}};
    std::unique_ptr<sdk::Host> host_;
    std::unique_ptr<ApiParticulierConnector> connector_;
};

TEST(ApiParticulierDescriptor, IsValidAndDeclaresFetchAttributes) {
    EXPECT_EQ(plugin::validateDescriptor(kDescriptor), "");
    EXPECT_EQ(kDescriptor.operations, sdk::operation::kFetchAttributes);
}

TEST_F(ApiParticulierTest, ReadsTheFamilyQuotientByIdentityPivot) {
    configureOrFail();
    const sdk::Timestamp before = host_->clock().now();
    auto result = connector_->fetchAttributes(personQuery(cafPivot(), {"quotient_familial"}));
    ASSERT_TRUE(result) << result.error().message;
    ASSERT_EQ(result->size(), 1U);
    const sdk::Attribute& qf = result->front();
    EXPECT_EQ(qf.name, "quotient_familial");
    EXPECT_EQ(qf.value, *sdk::Json::parse(R"({"valeur": 2550, "mois": 6, "annee": 2023,
        "fournisseur": "CNAF", "mois_calcul": 12, "annee_calcul": 2024})"));
    EXPECT_EQ(qf.level, 600);
    EXPECT_EQ(qf.source, "caf-quotient");
    EXPECT_EQ(qf.process, "api-particulier/v3/dss/quotient_familial/identite");
    EXPECT_EQ(qf.legal_basis, "CRPA L114-8");
    EXPECT_GE(qf.verified_at, before);
    EXPECT_LE(qf.verified_at, host_->clock().now());
    ASSERT_TRUE(qf.valid_until.has_value());
    EXPECT_EQ(*qf.valid_until, expectedEndOfMonth(qf.verified_at)) << qf.valid_until->toUtcString();
    EXPECT_EQ(api_.requestCount(), 1U);
}

TEST_F(ApiParticulierTest, ServesTheThreeFamilyAttributesFromOneCall) {
    configureOrFail();
    auto result = connector_->fetchAttributes(personQuery(
        msaPivot(), {"composition_familiale", "quotient_familial", "adresse_caf", "unknown"}));
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_EQ(api_.requestCount(), 1U);
    ASSERT_EQ(result->size(), 3U);
    const auto* qf = findAttribute(*result, "quotient_familial");
    ASSERT_NE(qf, nullptr);
    EXPECT_EQ(qf->value.find("valeur")->asInt(), 200);
    EXPECT_EQ(qf->value.find("fournisseur")->asString(), "MSA");
    EXPECT_EQ(qf->value.size(), 6U);
    const auto* family = findAttribute(*result, "composition_familiale");
    ASSERT_NE(family, nullptr);
    EXPECT_EQ(family->value.size(), 2U) << family->value.dump();
    EXPECT_EQ(family->value.find("allocataires")->size(), 2U);
    EXPECT_EQ(family->value.find("enfants")->size(), 2U);
    EXPECT_EQ(family->value.path("enfants[1].prenoms")->asString(), "FLEUR EDITH");
    const auto* address = findAttribute(*result, "adresse_caf");
    ASSERT_NE(address, nullptr);
    EXPECT_EQ(address->value.find("code_postal_ville")->asString(), "51000 CHÂLONS-EN-CHAMPAGNE");
    for (const auto& attribute : *result) {
        EXPECT_EQ(attribute.level, 600);
        EXPECT_EQ(*attribute.valid_until, expectedEndOfMonth(attribute.verified_at));
    }
}

TEST_F(ApiParticulierTest, UnknownFileIsNotFound) {
    configureOrFail();
    sdk::IdentityPivot pivot = cafPivot();
    pivot.birth_place = "00404";
    auto result = connector_->fetchAttributes(personQuery(pivot, {"quotient_familial"}));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::NotFound);
    EXPECT_TRUE(contains(result.error().message, "404")) << result.error().message;
    EXPECT_TRUE(contains(result.error().message, "37003 Dossier allocataire absent CNAV"))
        << result.error().message;
    EXPECT_TRUE(contains(result.error().message, "n'a pas été trouvé")) << result.error().message;
    // Never the parameters (personal data) nor the token.
    EXPECT_FALSE(contains(result.error().message, "LEFEBVRE")) << result.error().message;
    EXPECT_FALSE(contains(result.error().message, kToken));
}

TEST_F(ApiParticulierTest, RateLimitAndProviderFailureAreTransient) {
    configureOrFail();
    auto limited = connector_->fetchAttributes(personQuery(
        {"DESFOUIN", {"René"}, "2002-12-05", "male", "08480", "99100"}, {"quotient_familial"}));
    ASSERT_FALSE(limited);
    EXPECT_EQ(limited.error().code, ErrorCode::Retryable);
    EXPECT_TRUE(sdk::isTransient(limited.error().code));
    EXPECT_TRUE(contains(limited.error().message, "00429 Trop de requêtes"))
        << limited.error().message;

    auto failed = connector_->fetchAttributes(
        personQuery({"DELANOUE", {"Jean-Marie"}, "2002-12-05", "male", "08480", "99100"},
                    {"quotient_familial"}));
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().code, ErrorCode::Retryable);
    EXPECT_TRUE(contains(failed.error().message, "502")) << failed.error().message;
    EXPECT_TRUE(contains(failed.error().message, "37999")) << failed.error().message;
    EXPECT_EQ(api_.requestCount(), 2U);
}

TEST_F(ApiParticulierTest, RateLimitWithRetryAfterSaysWhen) {
    test::TempDir cases;
    (void)cases.write(
        "api-particulier/payloads/api_particulier_v3_cnav_quotient_familial_with_civility/"
        "429.json",
        R"({"params": {"nomNaissance": "LEFEBVRE"}, "status": 429,
            "headers": {"Retry-After": "30"},
            "payload": {"errors": [{"code": "00429", "title": "Trop de requêtes",
                                    "detail": "Vous avez effectué trop de requêtes",
                                    "source": null, "meta": {}}]}})");
    mock_api::MockNationalApi limited(
        mock_api::MockNationalApi::Options{{cases.path()}, "127.0.0.1", 0, {}});
    configureOrFail({}, limited.url());
    auto result = connector_->fetchAttributes(personQuery(cafPivot(), {"quotient_familial"}));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::Retryable);
    EXPECT_EQ(result.error().retry_after_seconds, 30);
    EXPECT_TRUE(contains(result.error().message, "Retry-After: 30 s")) << result.error().message;
}

TEST_F(ApiParticulierTest, ReadsTheFamilyQuotientWithAFranceConnectToken) {
    configureOrFail();
    sdk::AttributeQuery query = personQuery({}, {"quotient_familial", "composition_familiale"});
    query.access_token = "cnaf_qfv2";
    auto result = connector_->fetchAttributes(query);
    ASSERT_TRUE(result) << result.error().message;
    const auto* qf = findAttribute(*result, "quotient_familial");
    ASSERT_NE(qf, nullptr);
    EXPECT_EQ(qf->value.find("valeur")->asInt(), 2550);
    EXPECT_EQ(qf->value.find("mois")->asInt(), 2);
    EXPECT_EQ(qf->process, "api-particulier/v3/dss/quotient_familial/france_connect");
    const auto* family = findAttribute(*result, "composition_familiale");
    ASSERT_NE(family, nullptr);
    EXPECT_EQ(family->value.path("allocataires[0].nom_naissance")->asString(), "CNAF");
    EXPECT_EQ(api_.requestCount(), 1U);
}

TEST_F(ApiParticulierTest, UnknownFranceConnectTokenIsRefusedForGood) {
    configureOrFail();
    sdk::AttributeQuery query = personQuery({}, {"quotient_familial"});
    query.access_token = "expired-or-forged-token";
    auto result = connector_->fetchAttributes(query);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::Permanent);
    EXPECT_TRUE(contains(result.error().message, "401")) << result.error().message;
    EXPECT_TRUE(contains(result.error().message, "00101")) << result.error().message;
    EXPECT_FALSE(contains(result.error().message, "expired-or-forged-token"));
}

TEST_F(ApiParticulierTest, MissingPivotPartsAreNamedAndNoCallIsMade) {
    configureOrFail();
    struct Case {
        void (*strip)(sdk::IdentityPivot&);
        std::string field;
    };
    const std::vector<Case> cases = {
        {[](sdk::IdentityPivot& p) { p.family_name.clear(); }, "subject.pivot.family_name"},
        {[](sdk::IdentityPivot& p) { p.given_names.clear(); }, "subject.pivot.given_names"},
        {[](sdk::IdentityPivot& p) { p.birth_date.clear(); }, "subject.pivot.birth_date"},
        {[](sdk::IdentityPivot& p) { p.birth_date = "27/12/1982"; }, "subject.pivot.birth_date"},
        {[](sdk::IdentityPivot& p) { p.gender.clear(); }, "subject.pivot.gender"},
        {[](sdk::IdentityPivot& p) { p.gender = "x"; }, "subject.pivot.gender"},
        {[](sdk::IdentityPivot& p) { p.birth_country.clear(); }, "subject.pivot.birth_country"},
        {[](sdk::IdentityPivot& p) { p.birth_place.clear(); }, "subject.pivot.birth_place"},
    };
    for (const Case& c : cases) {
        sdk::IdentityPivot pivot = cafPivot();
        c.strip(pivot);
        auto result = connector_->fetchAttributes(
            personQuery(pivot, {"quotient_familial", "revenu_solidarite_active"}));
        ASSERT_FALSE(result) << c.field;
        EXPECT_EQ(result.error().code, ErrorCode::InvalidArgument) << c.field;
        EXPECT_EQ(result.error().field, c.field);
        EXPECT_TRUE(contains(result.error().message, c.field)) << result.error().message;
    }
    EXPECT_EQ(api_.requestCount(), 0U);
}

TEST_F(ApiParticulierTest, ReadsTheRsaStatus) {
    configureOrFail();
    auto result = connector_->fetchAttributes(
        personQuery({"MARTIN", {"SAMUEL"}, "1980-09-20", "male", "08480", "99100"},
                    {"revenu_solidarite_active"}));
    ASSERT_TRUE(result) << result.error().message;
    ASSERT_EQ(result->size(), 1U);
    EXPECT_EQ(result->front().value, *sdk::Json::parse(R"({"est_beneficiaire": true,
        "avec_majoration": true, "date_debut_droit": "1992-11-20"})"));
    EXPECT_EQ(result->front().process, "api-particulier/v3/dss/revenu_solidarite_active/identite");
    EXPECT_EQ(*result->front().valid_until, expectedEndOfMonth(result->front().verified_at));

    result = connector_->fetchAttributes(
        personQuery({"LAGAFFE", {"GASTON"}, "1980-09-20", "male", "08480", "99100"},
                    {"revenu_solidarite_active"}));
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_FALSE(result->front().value.find("est_beneficiaire")->asBool(true));
}

TEST_F(ApiParticulierTest, ReadsTheStudentStatusByIneUntilTheEndOfTheSchoolYear) {
    configureOrFail();
    sdk::AttributeQuery query = personQuery({}, {"statut_etudiant"});
    query.identifiers["ine"] = "1234567890A";
    auto result = connector_->fetchAttributes(query);
    ASSERT_TRUE(result) << result.error().message;
    ASSERT_EQ(result->size(), 1U);
    const sdk::Attribute& status = result->front();
    EXPECT_EQ(status.process, "api-particulier/v3/mesri/statut_etudiant/ine");
    EXPECT_EQ(status.value.path("admissions[0].etablissement_etudes.uai")->asString(), "0332870R");
    EXPECT_EQ(status.value.path("identite.nom_naissance")->asString(), "Dupont");
    EXPECT_EQ(*status.valid_until, expectedEndOfSchoolYear(status.verified_at))
        << status.valid_until->toUtcString();

    query.identifiers["ine"] = "1234567404G";
    result = connector_->fetchAttributes(query);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::NotFound);

    query.identifiers.clear();
    result = connector_->fetchAttributes(query);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(result.error().field, "identifiers.ine");
    EXPECT_TRUE(contains(result.error().message, "ine")) << result.error().message;
}

TEST_F(ApiParticulierTest, ReadsTheJobSeekerStatusByFranceTravailId) {
    configureOrFail();
    sdk::AttributeQuery query = personQuery({}, {"statut_france_travail"});
    query.identifiers["identifiant_france_travail"] = "default";
    auto result = connector_->fetchAttributes(query);
    ASSERT_TRUE(result) << result.error().message;
    ASSERT_EQ(result->size(), 1U);
    EXPECT_EQ(result->front().value.path("inscription.categorie.code")->asInt(), 1);
    EXPECT_EQ(result->front().process, "api-particulier/v3/france_travail/statut/identifiant");
    EXPECT_EQ(*result->front().valid_until, expectedEndOfMonth(result->front().verified_at));

    query.identifiers.clear();
    result = connector_->fetchAttributes(query);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().field, "identifiers.identifiant_france_travail");
}

TEST_F(ApiParticulierTest, OneEndpointNotKnowingThePersonLeavesOnlyItsNamesOut) {
    configureOrFail();
    sdk::AttributeQuery query = personQuery(cafPivot(), {"quotient_familial", "statut_etudiant"});
    query.identifiers["ine"] = "1234567404G";  // unknown student
    auto result = connector_->fetchAttributes(query);
    ASSERT_TRUE(result) << result.error().message;
    ASSERT_EQ(result->size(), 1U);
    EXPECT_EQ(result->front().name, "quotient_familial");
    EXPECT_EQ(api_.requestCount(), 2U);
}

TEST_F(ApiParticulierTest, NamesItDoesNotServeCostNoCall) {
    configureOrFail();
    auto result = connector_->fetchAttributes(personQuery({}, {"birth_date", "unite_legale"}));
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_TRUE(result->empty());
    EXPECT_EQ(api_.requestCount(), 0U);
}

TEST_F(ApiParticulierTest, SendsThePivotAndTheTokenAsTheApiExpects) {
    test::MockHttpServer server([](const test::ReceivedRequest&) {
        return test::MockResponse{200,
                                  "application/json",
                                  R"({"data": {"est_beneficiaire": false, "avec_majoration": null,
                         "date_debut_droit": null}, "links": {}, "meta": {}})",
                                  {}};
    });
    configureOrFail({}, server.url("/base/"));
    // Born abroad (Belgium, 99131): the commune is not sent. Four given names: three are.
    auto result = connector_->fetchAttributes(personQuery(
        {"DE LA FONTAINE", {"Jean Marie", "René", "Paul"}, "1975-03-00", "male", "75056", "99131"},
        {"revenu_solidarite_active"}));
    ASSERT_TRUE(result) << result.error().message;
    ASSERT_EQ(server.count(), 1U);
    const test::ReceivedRequest request = server.requests().front();
    EXPECT_EQ(request.method, "GET");
    EXPECT_EQ(request.uri,
              "/base/v3/dss/revenu_solidarite_active/identite?recipient=13002526500013"
              "&nomNaissance=DE%20LA%20FONTAINE&prenoms%5B%5D=Jean&prenoms%5B%5D=Marie"
              "&prenoms%5B%5D=Ren%C3%A9&anneeDateNaissance=1975&moisDateNaissance=3"
              "&sexeEtatCivil=M&codeCogInseePaysNaissance=99131");
    EXPECT_EQ(request.header("Authorization"), std::string("Bearer ") + kToken);
    EXPECT_EQ(request.header("Accept"), "application/json");
}

TEST_F(ApiParticulierTest, NeverQuotesTheTokenEvenWhenTheApiEchoesIt) {
    test::MockHttpServer server([](const test::ReceivedRequest& request) {
        return test::MockResponse{
            403,
            "application/json",
            R"({"errors": [{"code": "00100", "title": "Privilèges insuffisants",
                "detail": "jeton )" +
                request.header("Authorization") + R"("}]})",
            {}};
    });
    configureOrFail({}, server.url());
    auto result = connector_->fetchAttributes(personQuery(cafPivot(), {"quotient_familial"}));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::Permanent);
    EXPECT_TRUE(contains(result.error().message, "00100 Privilèges insuffisants"))
        << result.error().message;
    EXPECT_TRUE(contains(result.error().message, "***")) << result.error().message;
    EXPECT_FALSE(contains(result.error().message, kToken)) << result.error().message;
    EXPECT_FALSE(contains(services_.logs(), kToken));
}

TEST_F(ApiParticulierTest, ApiUnreachableIsUnavailable) {
    int closed_port = 0;
    {
        Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
        closed_port = socket.address().port();
    }
    configureOrFail({}, "http://127.0.0.1:" + std::to_string(closed_port));
    auto result = connector_->fetchAttributes(personQuery(cafPivot(), {"quotient_familial"}));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::Unavailable) << result.error().message;
    EXPECT_TRUE(contains(result.error().message, "API Particulier GET")) << result.error().message;
}

TEST_F(ApiParticulierTest, SlowApiIsATimeout) {
    std::mutex mutex;  // guards released
    std::condition_variable release;
    bool released = false;
    test::MockHttpServer server([&](const test::ReceivedRequest&) {
        std::unique_lock lock(mutex);
        release.wait_for(lock, chrono::seconds(10), [&] { return released; });
        return test::MockResponse{200, "application/json", "{}", {}};
    });
    configureOrFail({{"timeout", "300ms"}}, server.url());
    auto result = connector_->fetchAttributes(personQuery(cafPivot(), {"quotient_familial"}));
    {
        std::lock_guard lock(mutex);
        released = true;
    }
    release.notify_all();
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::Timeout) << result.error().message;
}

TEST_F(ApiParticulierTest, AnswerWithoutTheExpectedDataIsPermanent) {
    test::MockHttpServer server([](const test::ReceivedRequest&) {
        return test::MockResponse{200, "application/json", R"({"data": {"enfants": []}})", {}};
    });
    configureOrFail({}, server.url());
    auto result = connector_->fetchAttributes(personQuery(cafPivot(), {"quotient_familial"}));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::Permanent);
    EXPECT_TRUE(contains(result.error().message, "data.quotient_familial"))
        << result.error().message;
}

TEST_F(ApiParticulierTest, RefusesABadConfiguration) {
    auto result = configure({{"recipient", "13002526500014"}});  // Luhn check fails
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().field, "recipient");
    result = configure({{"recipient", "1300252650001"}});
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().field, "recipient");
    result = configure({{"token", "file:secrets/missing"}});
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().field, "token");
    (void)services_.dir().write("secrets/spaced", "two words");
    result = configure({{"token", "file:secrets/spaced"}});
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().field, "token");
    EXPECT_FALSE(contains(result.error().message, "two words"));
    result = configure({}, "http://127.0.0.1:9/?x=1");
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().field, "base-url");
    // La Poste's establishments follow their own rule.
    EXPECT_TRUE(configure({{"recipient", "35600000000001"}}));
}

TEST_F(ApiParticulierTest, TheHostRefusesMissingRequiredKeys) {
    for (const char* key : {"base-url", "token", "recipient"}) {
        Params params = {
            {"base-url", api_.url()}, {"token", "file:secrets/token"}, {"recipient", kRecipient}};
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

}  // namespace
}  // namespace relais::plugins::api_particulier
