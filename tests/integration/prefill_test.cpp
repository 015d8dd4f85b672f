// SPDX-License-Identifier: AGPL-3.0-or-later
// "Tell us once" end to end: the real daemon, the real api-particulier plugin, and the mock
// national API (in this process, 127.0.0.1, port 0) answering the upstream sandbox's cases
// from tests/fixtures/national-apis.

#include <string>

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "mock_national_api.h"
#include "support/daemon.h"
#include "support/http_call.h"
#include "support/temp_dir.h"

namespace relais::test {
namespace {

using ::testing::HasSubstr;

const std::string kPortalKey = "portal-key-0123456789abcdef";
const std::string kOtherKey = "other-portal-key-0123456789";
const std::string kAppKey = "application-key-0123456789";
const std::string kDpoKey = "dpo-key-0123456789abcdefghij";
const std::string kElsewhereKey = "elsewhere-key-0123456789abcd";

/// The CAF case of the sandbox: Alexis LEFEBVRE, QF 2550 (see the fixture's README).
const std::string kPivot =
    "family_name=Lefebvre&given_names=Alexis&birth_date=27/12/1982&gender=F"
    "&birth_place=08480&birth_country=99100";
/// The sandbox's rate-limit case (429).
const std::string kRateLimitedPivot =
    "family_name=DESFOUIN&given_names=Ren%C3%A9&birth_date=2002-12-05&gender=M"
    "&birth_place=08480&birth_country=99100";
/// Nobody: no case matches, the mock answers 404 as the API does.
const std::string kUnknownPivot =
    "family_name=PERSONNE&given_names=Jean&birth_date=1990-01-01&gender=M"
    "&birth_place=75056&birth_country=99100";

class PrefillTest : public ::testing::Test {
protected:
    void SetUp() override {
        mock_ = std::make_unique<mock_api::MockNationalApi>(mock_api::MockNationalApi::Options{
            {RELAIS_SOURCE_DIR "/tests/fixtures/national-apis"}, "127.0.0.1", 0, {}});
        dir_.write("particulier.token", "sandbox-token-0123456789");
        const std::string key = dir_.write("attributes.key", std::string(64, 'a') + "\n");
        ::chmod(key.c_str(), 0600);
        config_ = wrapConfig(
            baseConfigElements(dir_) +
            "<connectors>\n"
            "  <connector name=\"particulier\" plugin=\"api-particulier\">\n"
            "    <param name=\"base-url\">" +
            mock_->url() +
            "</param>\n"
            "    <param name=\"token\">file:" +
            dir_.file("particulier.token") +
            "</param>\n"
            "    <param name=\"recipient\">13002526500013</param>\n"
            "  </connector>\n"
            "</connectors>\n"
            "<clients>\n" +
            clientElement("portail", kPortalKey, "prefill:read subjects:access-log") +
            clientElement("autre-portail", kOtherKey, "prefill:read subjects:access-log") +
            "<client name=\"metier\" key=\"env:APP_KEY\"><rights>attributes:write</rights>"
            "<procedures>*</procedures><certify max-level=\"500\">email</certify></client>\n" +
            clientElement("dpo", kDpoKey, "subjects:admin subjects:access-log") +
            clientElement("ailleurs", kElsewhereKey, "prefill:read", "etat-civil") +
            "</clients>\n"
            "<attributes current-key=\"k1\">\n"
            "  <key id=\"k1\" file=\"" +
            key +
            "\"/>\n"
            "  <attribute name=\"quotient_familial\" validity=\"month\"/>\n"
            "  <attribute name=\"composition_familiale\" validity=\"month\"/>\n"
            "  <attribute name=\"email\" validity=\"365d\"/>\n"
            "</attributes>\n"
            "<contracts>\n"
            "  <contract name=\"cantine\" procedure=\"restauration-scolaire\" "
            "clients=\"portail\" purpose=\"Tarif de la cantine\" legal-basis=\"RGPD 6.1.e\" "
            "retention=\"31d\">\n"
            "    <attribute name=\"quotient_familial\" min-level=\"600\" required=\"true\" "
            "provider=\"particulier\"/>\n"
            "    <attribute name=\"email\" min-level=\"200\"/>\n"
            "  </contract>\n"
            "</contracts>\n");
        start();
    }

    void start() {
        daemon_ =
            std::make_unique<Daemon>(dir_, config_, std::vector<std::string>{"APP_KEY=" + kAppKey});
    }

    HttpResult get(const std::string& key, const std::string& target,
                   std::vector<std::pair<std::string, std::string>> headers = {}) {
        headers.push_back(bearer(key));
        return httpCall(daemon_->port(), "GET", target, headers);
    }

    /// The audit trail as the store holds it, newest first.
    std::vector<std::vector<std::string>> auditRows() {
        Poco::Data::SQLite::Connector::registerConnector();
        Poco::Data::Session session("SQLite", dir_.file("relais.db"));
        std::vector<std::string> clients, actions, outcomes, attributes;
        session << "SELECT client, action, outcome, attributes FROM audit ORDER BY seq DESC",
            Poco::Data::Keywords::into(clients), Poco::Data::Keywords::into(actions),
            Poco::Data::Keywords::into(outcomes), Poco::Data::Keywords::into(attributes),
            Poco::Data::Keywords::now;
        std::vector<std::vector<std::string>> rows;
        for (std::size_t i = 0; i < clients.size(); ++i) {
            rows.push_back({clients[i], actions[i], outcomes[i], attributes[i]});
        }
        return rows;
    }

    TempDir dir_;
    std::string config_;
    std::unique_ptr<mock_api::MockNationalApi> mock_;
    std::unique_ptr<Daemon> daemon_;
};

TEST_F(PrefillTest, FetchesFromTheProviderOnceThenServesFromTheStore) {
    const auto first = get(kPortalKey, "/v1/prefill/restauration-scolaire?" + kPivot);
    ASSERT_EQ(first.status, 200) << first.body << daemon_->logs();
    const sdk::Json body = first.json();
    EXPECT_EQ(body.find("contract")->asString(), "cantine");
    EXPECT_EQ(body.find("purpose")->asString(), "Tarif de la cantine");
    EXPECT_TRUE(body.find("coverage")->asBool());
    const sdk::Json* qf = body.path("attributes.quotient_familial");
    ASSERT_NE(qf, nullptr) << first.body;
    EXPECT_EQ(qf->find("level")->asInt(), 600);
    EXPECT_EQ(qf->find("level_name")->asString(), "trusted-registry");
    EXPECT_EQ(qf->find("source")->asString(), "particulier");
    EXPECT_EQ(qf->path("value.valeur")->asInt(), 2550);
    EXPECT_EQ(qf->path("value.mois")->asInt(), 6);
    EXPECT_EQ(qf->path("value.annee")->asInt(), 2023);
    EXPECT_FALSE(qf->find("valid_until")->isNull());
    // email is in the contract but nobody holds it: said so, not silently dropped.
    ASSERT_EQ(body.find("missing")->size(), 1U);
    EXPECT_EQ(body.find("missing")->at(0)->find("name")->asString(), "email");
    EXPECT_EQ(body.find("missing")->at(0)->find("reason")->asString(), "unknown");
    const std::string subject = body.find("subject")->asString();
    EXPECT_FALSE(subject.empty());
    EXPECT_EQ(mock_->requestCount(), 1U);

    // The same call again (the pivot written differently): from the store.
    const auto second = get(kPortalKey,
                            "/v1/prefill/restauration-scolaire?family_name=LEFEBVRE&given_names="
                            "ALEXIS&birth_date=1982-12-27&gender=female&birth_place=08480"
                            "&birth_country=99100");
    ASSERT_EQ(second.status, 200) << second.body;
    EXPECT_EQ(second.json().find("subject")->asString(), subject);
    EXPECT_EQ(second.json().path("attributes.quotient_familial.value.valeur")->asInt(), 2550);
    EXPECT_EQ(mock_->requestCount(), 1U) << "the second call must not reach the provider";

    const auto reads = auditRows();
    ASSERT_GE(reads.size(), 2U);
    EXPECT_EQ(reads[0][0], "portail");
    EXPECT_EQ(reads[0][1], "prefill.read");
    EXPECT_EQ(reads[0][3], "quotient_familial");
}

TEST_F(PrefillTest, NoContractNoDataAndTheRefusalIsAudited) {
    const auto refused = get(kOtherKey, "/v1/prefill/restauration-scolaire?" + kPivot);
    EXPECT_EQ(refused.status, 403) << refused.body;
    EXPECT_EQ(refused.content_type, "application/problem+json");
    EXPECT_THAT(refused.json().find("detail")->asString(), HasSubstr("no contract"));
    EXPECT_EQ(mock_->requestCount(), 0U);
    const auto rows = auditRows();
    ASSERT_EQ(rows.size(), 1U);
    EXPECT_EQ(rows[0][0], "autre-portail");
    EXPECT_EQ(rows[0][1], "prefill.read");
    EXPECT_THAT(rows[0][2], HasSubstr("refused"));
}

TEST_F(PrefillTest, AProcedureOutsideTheClientsIsRefusedAndAudited) {
    const auto refused = get(kElsewhereKey, "/v1/prefill/restauration-scolaire?" + kPivot);
    EXPECT_EQ(refused.status, 403) << refused.body;
    EXPECT_EQ(refused.json().find("field")->asString(), "procedure");
    EXPECT_EQ(mock_->requestCount(), 0U);
    const auto rows = auditRows();
    ASSERT_EQ(rows.size(), 1U);
    EXPECT_EQ(rows[0][0], "ailleurs");
    EXPECT_THAT(rows[0][2], HasSubstr("refused"));
}

TEST_F(PrefillTest, AttributesOutsideTheContractAreRefusedByName) {
    const auto refused = get(kPortalKey,
                             "/v1/prefill/restauration-scolaire?attributes=quotient_familial,"
                             "composition_familiale&" +
                                 kPivot);
    EXPECT_EQ(refused.status, 403) << refused.body;
    EXPECT_EQ(refused.json().find("field")->asString(), "attributes");
    EXPECT_THAT(refused.json().find("detail")->asString(), HasSubstr("composition_familiale"));
    EXPECT_EQ(mock_->requestCount(), 0U);
    EXPECT_THAT(auditRows().at(0)[2], HasSubstr("refused"));
}

TEST_F(PrefillTest, BadQueriesAreProblemsNamingTheField) {
    const auto incomplete =
        get(kPortalKey, "/v1/prefill/restauration-scolaire?family_name=LEFEBVRE&gender=F");
    EXPECT_EQ(incomplete.status, 400) << incomplete.body;
    EXPECT_THAT(incomplete.json().find("detail")->asString(), HasSubstr("birth_date"));
    const auto nothing = get(kPortalKey, "/v1/prefill/restauration-scolaire");
    EXPECT_EQ(nothing.status, 400);
    EXPECT_EQ(nothing.json().find("field")->asString(), "subject");
    const auto unknown_param = get(kPortalKey, "/v1/prefill/restauration-scolaire?nom=X");
    EXPECT_EQ(unknown_param.status, 400);
    EXPECT_EQ(unknown_param.json().find("field")->asString(), "nom");
    EXPECT_EQ(mock_->requestCount(), 0U);
}

TEST_F(PrefillTest, UnknownEverywhereIsNotFound) {
    const auto missing = get(kPortalKey, "/v1/prefill/restauration-scolaire?" + kUnknownPivot);
    EXPECT_EQ(missing.status, 404) << missing.body;
    EXPECT_EQ(mock_->requestCount(), 1U);
    const auto unknown_sub =
        get(kPortalKey, "/v1/prefill/restauration-scolaire?subject=00000000-0000-4000-8000-0000");
    EXPECT_EQ(unknown_sub.status, 404);
}

TEST_F(PrefillTest, ProviderFailuresDegradeGracefully) {
    const auto limited = get(kPortalKey, "/v1/prefill/restauration-scolaire?" + kRateLimitedPivot);
    ASSERT_EQ(limited.status, 200) << limited.body;
    const sdk::Json body = limited.json();
    EXPECT_FALSE(body.find("coverage")->asBool());
    EXPECT_EQ(body.find("attributes")->size(), 0U);
    const sdk::Json* gap = body.find("missing")->at(0);
    EXPECT_EQ(gap->find("name")->asString(), "quotient_familial");
    EXPECT_EQ(gap->find("reason")->asString(), "provider_failed");
    EXPECT_THAT(gap->find("detail")->asString(), HasSubstr("particulier"));
}

TEST_F(PrefillTest, FranceConnectTokenIsIntrospectedByTheProvider) {
    const auto answer = get(kPortalKey, "/v1/prefill/restauration-scolaire",
                            {{"X-FranceConnect-Token", "cnaf_qfv2"}});
    ASSERT_EQ(answer.status, 200) << answer.body << daemon_->logs();
    EXPECT_EQ(answer.json().path("attributes.quotient_familial.value.valeur")->asInt(), 2550);
    EXPECT_EQ(answer.json().path("attributes.quotient_familial.value.mois")->asInt(), 2);
    // Named by a token only, the subject cannot be keyed: served once, not kept.
    EXPECT_TRUE(answer.json().find("subject")->isNull());
}

TEST_F(PrefillTest, CertifiedBackValuesAreServedAndTheCitizenSeesWhoReadThem) {
    const auto first = get(kPortalKey, "/v1/prefill/restauration-scolaire?" + kPivot);
    ASSERT_EQ(first.status, 200) << first.body;
    const std::string subject = first.json().find("subject")->asString();
    const std::string target = "/v1/subjects/" + subject + "/attributes";

    const auto too_high =
        httpCall(daemon_->port(), "PUT", target, {bearer(kAppKey)},
                 R"({"attributes":[{"name":"email","value":"alexis@example.fr","level":600}]})");
    EXPECT_EQ(too_high.status, 403) << too_high.body;
    EXPECT_EQ(too_high.json().find("field")->asString(), "attributes[0].level");
    const auto not_allowed =
        httpCall(daemon_->port(), "PUT", target, {bearer(kAppKey)},
                 R"({"attributes":[{"name":"quotient_familial","value":1,"level":400}]})");
    EXPECT_EQ(not_allowed.status, 403) << not_allowed.body;
    const auto certified =
        httpCall(daemon_->port(), "PUT", target, {bearer(kAppKey)},
                 R"({"attributes":[{"name":"email","value":"alexis@example.fr","level":200,)"
                 R"("process":"courriel de confirmation"}]})");
    ASSERT_EQ(certified.status, 200) << certified.body;
    EXPECT_EQ(certified.json().path("attributes")->at(0)->find("outcome")->asString(), "current");

    const auto second = get(kPortalKey, "/v1/prefill/restauration-scolaire?subject=" + subject);
    ASSERT_EQ(second.status, 200) << second.body;
    EXPECT_EQ(second.json().path("attributes.email.value")->asString(), "alexis@example.fr");
    EXPECT_EQ(second.json().path("attributes.email.source")->asString(), "metier");
    EXPECT_EQ(second.json().find("missing")->size(), 0U);

    const auto log = get(kDpoKey, "/v1/subjects/" + subject + "/access-log");
    ASSERT_EQ(log.status, 200) << log.body;
    const sdk::Json log_body = log.json();
    const sdk::Json* entries = log_body.find("entries");
    ASSERT_GE(entries->size(), 3U);
    EXPECT_EQ(entries->at(0)->find("client")->asString(), "portail");
    EXPECT_EQ(entries->at(0)->find("purpose")->asString(), "Tarif de la cantine");
    EXPECT_EQ(entries->at(0)->find("attributes")->size(), 2U);
}

TEST_F(PrefillTest, PortalReadsTheAccessLogOfSubjectsItServedOnly) {
    const auto first = get(kPortalKey, "/v1/prefill/restauration-scolaire?" + kPivot);
    ASSERT_EQ(first.status, 200) << first.body;
    const std::string subject = first.json().find("subject")->asString();
    const std::string target = "/v1/subjects/" + subject + "/access-log";

    const auto own = get(kPortalKey, target);
    ASSERT_EQ(own.status, 200) << own.body;
    // Another portal knowing the id has not served this citizen: refused, and audited.
    const auto other = get(kOtherKey, target);
    EXPECT_EQ(other.status, 403) << other.body;
    EXPECT_EQ(other.content_type, "application/problem+json");
    const auto log = get(kDpoKey, target);
    ASSERT_EQ(log.status, 200) << log.body;
    const sdk::Json body = log.json();
    const sdk::Json* newest = body.find("entries")->at(0);
    EXPECT_EQ(newest->find("client")->asString(), "autre-portail");
    EXPECT_EQ(newest->find("outcome")->asString().rfind("refused", 0), 0U);
}

TEST_F(PrefillTest, ExportThenErasure) {
    const auto first = get(kPortalKey, "/v1/prefill/restauration-scolaire?" + kPivot);
    ASSERT_EQ(first.status, 200) << first.body;
    const std::string subject = first.json().find("subject")->asString();

    const auto exported = get(kDpoKey, "/v1/subjects/" + subject + "/export");
    ASSERT_EQ(exported.status, 200) << exported.body;
    EXPECT_EQ(exported.json().path("subject.id")->asString(), subject);
    ASSERT_EQ(exported.json().find("attributes")->size(), 1U);
    EXPECT_EQ(exported.json().find("attributes")->at(0)->path("value.valeur")->asInt(), 2550);
    EXPECT_GE(exported.json().find("access_log")->size(), 1U);
    EXPECT_EQ(get(kPortalKey, "/v1/subjects/" + subject + "/export").status, 403);

    const auto erased =
        httpCall(daemon_->port(), "DELETE", "/v1/subjects/" + subject, {bearer(kDpoKey)});
    ASSERT_EQ(erased.status, 200) << erased.body;
    EXPECT_EQ(erased.json().find("attributes_deleted")->asInt(), 1);
    EXPECT_EQ(get(kDpoKey, "/v1/subjects/" + subject + "/export").status, 404);
    // Erased means forgotten: the next prefill asks the provider again.
    ASSERT_EQ(get(kPortalKey, "/v1/prefill/restauration-scolaire?" + kPivot).status, 200);
    EXPECT_EQ(mock_->requestCount(), 2U);
    bool erasure_audited = false;
    for (const auto& row : auditRows())
        erasure_audited = erasure_audited || row[1] == "subject.erase";
    EXPECT_TRUE(erasure_audited);
}

TEST_F(PrefillTest, AuditVerifyPassesOnAnIntactTrailAndFailsOnATamperedOne) {
    ASSERT_EQ(get(kPortalKey, "/v1/prefill/restauration-scolaire?" + kPivot).status, 200);
    ASSERT_EQ(get(kPortalKey, "/v1/prefill/restauration-scolaire?" + kPivot).status, 200);
    ASSERT_EQ(get(kOtherKey, "/v1/prefill/restauration-scolaire?" + kPivot).status, 403);
    daemon_->stop();
    const auto intact =
        runRelais({"audit", "verify", "--config", daemon_->configPath()}, {"APP_KEY=" + kAppKey});
    EXPECT_EQ(intact.exit_code, 0) << intact.err;
    EXPECT_THAT(intact.out, HasSubstr("intact: 3 entries"));

    {
        // What an intruder with the database file would do: drop the append-only trigger
        // and rewrite who read the data.
        Poco::Data::SQLite::Connector::registerConnector();
        Poco::Data::Session session("SQLite", dir_.file("relais.db"));
        session << "DROP TRIGGER audit_append_only", Poco::Data::Keywords::now;
        session << "UPDATE audit SET client = 'quelquun' WHERE seq = 2", Poco::Data::Keywords::now;
    }
    const auto tampered =
        runRelais({"audit", "verify", "--config", daemon_->configPath()}, {"APP_KEY=" + kAppKey});
    EXPECT_EQ(tampered.exit_code, 65);
    EXPECT_THAT(tampered.err, HasSubstr("entry 2"));
}

TEST_F(PrefillTest, UserinfoFormatForImportedSubjects) {
    daemon_->stop();
    const std::string sub = std::string(64, 'e') + "v1";
    dir_.write("subjects.json", "{\"" + sub + "\": {\"sub\": \"" + sub +
                                    "\", \"email\": \"jerome@example.fr\", \"quotient_familial\": "
                                    "{\"valeur\": 900, \"mois\": 11, \"annee\": 2026}}}");
    const auto imported =
        runRelais({"subjects", "import", dir_.file("subjects.json"), "--source", "franceconnect",
                   "--level", "600", "--config", daemon_->configPath()},
                  {"APP_KEY=" + kAppKey});
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
    EXPECT_THAT(imported.out, HasSubstr("imported 1 subjects, 2 attribute values"));
    const auto refused = runRelais({"subjects", "import", dir_.file("subjects.json"), "--source",
                                    "x", "--level", "601", "--config", daemon_->configPath()},
                                   {"APP_KEY=" + kAppKey});
    EXPECT_EQ(refused.exit_code, 64);

    start();
    const auto known =
        get(kPortalKey, "/v1/prefill/restauration-scolaire?fc_sub=" + sub + "&format=userinfo");
    ASSERT_EQ(known.status, 200) << known.body;
    const auto expected =
        sdk::Json::parse("{\"sub\": \"" + sub +
                         "\", \"email\": \"jerome@example.fr\", \"quotient_familial\": "
                         "{\"valeur\": 900, \"mois\": 11, \"annee\": 2026}}");
    EXPECT_EQ(known.json(), expected.value()) << known.body;
    EXPECT_EQ(mock_->requestCount(), 0U);
    const auto unknown =
        get(kPortalKey, "/v1/prefill/restauration-scolaire?fc_sub=" + std::string(64, 'f') +
                            "v1&format=userinfo");
    // The contract may call the provider, but a FranceConnect sub alone gives it nothing
    // to search with: unknown.
    EXPECT_EQ(unknown.status, 404) << unknown.body;
}

}  // namespace
}  // namespace relais::test
