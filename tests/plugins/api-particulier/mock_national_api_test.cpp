// SPDX-License-Identifier: AGPL-3.0-or-later
// The mock national API (tests/doubles/mock-national-api) on its own: case loading, matching rules,
// FranceConnect tokens, API-style errors, /_stats. Over real HTTP on 127.0.0.1, port 0, with
// the copied upstream cases of tests/fixtures/national-apis.

#include "mock_national_api.h"

#include <chrono>
#include <csignal>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "relais/common/errors.h"
#include "relais/common/files.h"

#include "support/http_call.h"
#include "support/temp_dir.h"

namespace relais::mock_api {
namespace {

using test::bearer;
using test::httpCall;

const std::string kFixtures = std::string(RELAIS_SOURCE_DIR) + "/tests/fixtures/national-apis";
constexpr const char* kRecipient = "13002526500013";
constexpr const char* kQuotientFamilial = "/v3/dss/quotient_familial/identite";

// The CAF 2550 case's identity; the case has no birth day, so any day matches.
std::string cafQuery(const std::string& extra = "") {
    return std::string(kQuotientFamilial) + "?recipient=" + kRecipient +
           "&nomNaissance=LEFEBVRE&prenoms%5B%5D=ALEXIS&anneeDateNaissance=1982"
           "&moisDateNaissance=12&jourDateNaissance=27&sexeEtatCivil=F"
           "&codeCogInseeCommuneNaissance=08480&codeCogInseePaysNaissance=99100" +
           extra;
}

std::string errorCode(const test::HttpResult& result) {
    const sdk::Json body = result.json();
    const sdk::Json* code = body.path("errors[0].code");
    return code != nullptr ? code->asString() : std::string("(no errors[0].code)");
}

class MockNationalApiTest : public ::testing::Test {
protected:
    MockNationalApi api_{MockNationalApi::Options{{kFixtures}, "127.0.0.1", 0, {}}};
};

TEST_F(MockNationalApiTest, LoadsEveryCopiedCase) {
    EXPECT_GT(api_.port(), 0);
    EXPECT_EQ(api_.cases().caseCount(), 16U);
    EXPECT_EQ(api_.cases().tokenCount(), 1U);
    EXPECT_EQ(api_.cases().operations().size(), 8U);
}

TEST_F(MockNationalApiTest, AnswersTheMatchingCaseWhateverTheExtraParams) {
    const auto result =
        httpCall(api_.port(), "GET", cafQuery("&nomUsage=X&mois=3"), {bearer("any-token")});
    ASSERT_EQ(result.status, 200) << result.body;
    EXPECT_NE(result.content_type.find("application/json"), std::string::npos);
    const sdk::Json body = result.json();
    ASSERT_NE(body.path("data.quotient_familial.valeur"), nullptr) << result.body;
    EXPECT_EQ(body.path("data.quotient_familial.valeur")->asInt(), 2550);
    EXPECT_EQ(body.path("data.quotient_familial.fournisseur")->asString(), "CNAF");
}

TEST_F(MockNationalApiTest, RequiresEveryParamOfTheCase) {
    // Without the birth commune the CAF case cannot match, and neither can another.
    const std::string target = std::string(kQuotientFamilial) + "?recipient=" + kRecipient +
                               "&nomNaissance=LEFEBVRE&prenoms[]=ALEXIS&anneeDateNaissance=1982"
                               "&moisDateNaissance=12&sexeEtatCivil=F"
                               "&codeCogInseePaysNaissance=99100";
    const auto result = httpCall(api_.port(), "GET", target, {bearer("t")});
    EXPECT_EQ(result.status, 404) << result.body;
    EXPECT_EQ(errorCode(result), "00404");
    EXPECT_TRUE(result.json().path("errors[0].meta.mock")->asBool());
}

TEST_F(MockNationalApiTest, ComparesRepeatedNamesAsAnArrayAndNumbersAsDecimalText) {
    // Two given names do not equal the case's one-name array.
    auto result = httpCall(api_.port(), "GET", cafQuery("&prenoms%5B%5D=MARIE"), {bearer("t")});
    EXPECT_EQ(result.status, 404) << result.body;
    // `prenoms` without brackets is the same parameter.
    const std::string plain = std::string(kQuotientFamilial) + "?recipient=" + kRecipient +
                              "&nomNaissance=LEFEBVRE&prenoms=ALEXIS&anneeDateNaissance=1982"
                              "&moisDateNaissance=12&sexeEtatCivil=F"
                              "&codeCogInseeCommuneNaissance=08480"
                              "&codeCogInseePaysNaissance=99100";
    result = httpCall(api_.port(), "GET", plain, {bearer("t")});
    EXPECT_EQ(result.status, 200) << result.body;
    // `012` is not the decimal text of 12.
    std::string padded = plain;
    padded.replace(padded.find("moisDateNaissance=12"), 20, "moisDateNaissance=012");
    result = httpCall(api_.port(), "GET", padded, {bearer("t")});
    EXPECT_EQ(result.status, 404) << result.body;
}

TEST_F(MockNationalApiTest, AnswersUpstreamErrorCases) {
    // The 404 case needs only name, sex, commune and country: any given name or birth year.
    const std::string target = std::string(kQuotientFamilial) + "?recipient=" + kRecipient +
                               "&nomNaissance=LEFEBVRE&prenoms%5B%5D=ALEXIS"
                               "&anneeDateNaissance=1990&sexeEtatCivil=F"
                               "&codeCogInseeCommuneNaissance=00404"
                               "&codeCogInseePaysNaissance=99100";
    const auto result = httpCall(api_.port(), "GET", target, {bearer("t")});
    EXPECT_EQ(result.status, 404);
    EXPECT_EQ(errorCode(result), "37003") << "the upstream case answers, not the mock";
}

TEST_F(MockNationalApiTest, TakesPathParametersAsParams) {
    auto result = httpCall(api_.port(), "GET",
                           "/v3/insee/sirene/unites_legales/552049447?recipient=13002526500013"
                           "&context=Test&object=Dossier+1",
                           {bearer("t")});
    ASSERT_EQ(result.status, 200) << result.body;
    EXPECT_EQ(result.json().path("data.siren")->asString(), "552049447");
    result = httpCall(api_.port(), "GET",
                      "/v3/insee/sirene/etablissements/00000000000000?recipient=13002526500013"
                      "&context=Test&object=Dossier+1",
                      {bearer("t")});
    EXPECT_EQ(result.status, 404);
    EXPECT_EQ(errorCode(result), "04003");
}

TEST_F(MockNationalApiTest, RefusesCallsWithoutABearerToken) {
    auto result = httpCall(api_.port(), "GET", cafQuery());
    EXPECT_EQ(result.status, 401);
    EXPECT_EQ(errorCode(result), "00101");
    result = httpCall(api_.port(), "GET", cafQuery(), {{"Authorization", "Basic dXNlcjpwdw=="}});
    EXPECT_EQ(result.status, 401);
    result = httpCall(api_.port(), "GET", cafQuery(), {{"Authorization", "Bearer "}});
    EXPECT_EQ(result.status, 401);
}

TEST_F(MockNationalApiTest, RefusesCallsWithoutTheMandatoryParams) {
    auto result =
        httpCall(api_.port(), "GET", "/v3/dss/quotient_familial/identite?nomNaissance=LEFEBVRE",
                 {bearer("t")});
    EXPECT_EQ(result.status, 422);
    EXPECT_EQ(errorCode(result), "00203");
    EXPECT_EQ(result.json().path("errors[0].source.parameter")->asString(), "recipient");

    const std::string unit = "/v3/insee/sirene/unites_legales/552049447";
    result =
        httpCall(api_.port(), "GET", unit + "?recipient=13002526500013&object=x", {bearer("t")});
    EXPECT_EQ(result.status, 422);
    EXPECT_EQ(errorCode(result), "00201");
    result =
        httpCall(api_.port(), "GET", unit + "?recipient=13002526500013&context=x", {bearer("t")});
    EXPECT_EQ(errorCode(result), "00202");
    result = httpCall(api_.port(), "GET", unit + "?context=x&object=y", {bearer("t")});
    EXPECT_EQ(errorCode(result), "00203");
}

TEST_F(MockNationalApiTest, FranceConnectTokenGivesTheIdentity) {
    const std::string target =
        std::string("/v3/dss/quotient_familial/france_connect?recipient=") + kRecipient;
    auto result = httpCall(api_.port(), "GET", target, {bearer("cnaf_qfv2")});
    ASSERT_EQ(result.status, 200) << result.body;
    EXPECT_EQ(result.json().path("data.allocataires[0].nom_naissance")->asString(), "CNAF");

    result = httpCall(api_.port(), "GET", target, {bearer("not-a-known-token")});
    EXPECT_EQ(result.status, 401);
    EXPECT_EQ(errorCode(result), "00101");
}

TEST_F(MockNationalApiTest, UnknownRoutesAndMethodsAreApiShapedErrors) {
    auto result = httpCall(api_.port(), "GET", "/v3/nothing/here", {bearer("t")});
    EXPECT_EQ(result.status, 404);
    EXPECT_EQ(errorCode(result), "00404");
    // A known route without any case loaded.
    result =
        httpCall(api_.port(), "GET", "/v3/dss/prime_activite/identite?recipient=1", {bearer("t")});
    EXPECT_EQ(result.status, 404);
    result = httpCall(api_.port(), "POST", cafQuery(), {bearer("t")}, "{}");
    EXPECT_EQ(result.status, 405);
    EXPECT_EQ(result.header("Allow"), "GET");
}

TEST_F(MockNationalApiTest, CountsApiCallsButNotStats) {
    EXPECT_EQ(httpCall(api_.port(), "GET", "/_stats").body, R"({"requests":0})");
    (void)httpCall(api_.port(), "GET", cafQuery(), {bearer("t")});
    (void)httpCall(api_.port(), "GET", cafQuery());  // a 401 is a call too
    EXPECT_EQ(api_.requestCount(), 2U);
    const auto stats = httpCall(api_.port(), "GET", "/_stats");
    EXPECT_EQ(stats.status, 200);
    EXPECT_EQ(stats.json().find("requests")->asInt(), 2);
    EXPECT_EQ(api_.requestCount(), 2U);
}

TEST(MockNationalApiCases, ServesTestOnlyCasesWithStatusAndHeaders) {
    test::TempDir dir;
    (void)dir.write("api-entreprise/payloads/api_entreprise_v3_insee_unites_legales/451.json",
                    R"({"params": {"siren": "005572466"}, "status": 451,
                        "headers": {"X-Test": "yes"},
                        "payload": {"errors": [{"code": "03100", "title": "Non diffusible",
                                                "detail": "test", "source": null,
                                                "meta": {}}]}})");
    MockNationalApi api(MockNationalApi::Options{{dir.path(), kFixtures}, "127.0.0.1", 0, {}});
    auto result = httpCall(api.port(), "GET",
                           "/v3/insee/sirene/unites_legales/005572466?recipient=13002526500013"
                           "&context=c&object=o",
                           {bearer("t")});
    EXPECT_EQ(result.status, 451);
    EXPECT_EQ(result.header("X-Test"), "yes");
    // The second folder's cases are still there.
    result = httpCall(api.port(), "GET",
                      "/v3/insee/sirene/unites_legales/552049447?recipient=13002526500013"
                      "&context=c&object=o",
                      {bearer("t")});
    EXPECT_EQ(result.status, 200);
}

TEST(MockNationalApiCases, FirstMatchWinsInFolderThenFileOrder) {
    test::TempDir first;
    test::TempDir second;
    const std::string folder =
        "api-particulier/payloads/"
        "api_particulier_v3_france_travail_statut_with_identifiant/";
    const auto write = [&](const test::TempDir& dir, const std::string& name, int status) {
        (void)dir.write(folder + name, R"({"params": {"identifiant": "X1"}, "status": )" +
                                           std::to_string(status) + R"(, "payload": {}})");
    };
    write(first, "b.json", 201);
    write(first, "a.json", 202);   // sorted before b.json
    write(second, "0.json", 203);  // in a later folder
    MockNationalApi api(
        MockNationalApi::Options{{first.path(), second.path()}, "127.0.0.1", 0, {}});
    const std::string target =
        "/v3/france_travail/statut/identifiant?recipient=13002526500013&identifiant=X1";
    EXPECT_EQ(httpCall(api.port(), "GET", target, {bearer("t")}).status, 202);
}

TEST(MockNationalApiCases, LogsEachCallWithoutItsParams) {
    std::vector<RequestLogLine> lines;
    std::mutex mutex;  // guards lines
    MockNationalApi api(
        MockNationalApi::Options{{kFixtures}, "127.0.0.1", 0, [&](const RequestLogLine& line) {
                                     std::lock_guard lock(mutex);
                                     lines.push_back(line);
                                 }});
    (void)httpCall(api.port(), "GET", cafQuery(), {bearer("t")});
    std::lock_guard lock(mutex);
    ASSERT_EQ(lines.size(), 1U);
    EXPECT_EQ(lines[0].path, kQuotientFamilial);
    EXPECT_EQ(lines[0].status, 200);
    EXPECT_NE(lines[0].why.find("200-seul-sans_enfant-qf_caf_2550.json"), std::string::npos);
}

TEST(MockNationalApiCases, RefusesUnusableCasesNamingTheFile) {
    const auto refusal = [](const std::string& relative, const std::string& content) {
        test::TempDir dir;
        (void)dir.write(relative, content);
        try {
            (void)CaseBook::load({dir.path()});
            return std::string("(accepted)");
        } catch (const ConfigError& e) {
            return e.message();
        }
    };
    const std::string qf =
        "api-particulier/payloads/api_particulier_v3_cnav_quotient_familial_"
        "with_civility/";
    EXPECT_NE(refusal(qf + "bad.json", "{").find("bad.json"), std::string::npos);
    EXPECT_NE(refusal(qf + "obj.json", R"({"params": {"a": {"b": 1}}, "status": 200,
                                           "payload": {}})")
                  .find("param 'a'"),
              std::string::npos);
    EXPECT_NE(refusal(qf + "status.json", R"({"params": {}, "status": 42, "payload": {}})")
                  .find("'status'"),
              std::string::npos);
    EXPECT_NE(refusal("api-particulier/payloads/no_such_operation/x.json",
                      R"({"params": {}, "status": 200, "payload": {}})")
                  .find("no_such_operation"),
              std::string::npos);
    EXPECT_NE(refusal("api-particulier/payloads/api_entreprise_v3_insee_unites_legales/x.json",
                      R"({"params": {}, "status": 200, "payload": {}})")
                  .find("API Entreprise operation under api-particulier"),
              std::string::npos);
    EXPECT_NE(
        refusal("franceconnect/t.json", R"({"params": {}, "payload": {}})").find("params.token"),
        std::string::npos);
    EXPECT_NE(refusal("elsewhere/x.json", "{}").find("holds none of"), std::string::npos);
}

TEST(MockNationalApiCases, ParsesQueriesLikeTheApis) {
    const auto params = parseQuery("a=1&prenoms%5B%5D=Jean+Marie&prenoms[]=Ren%C3%A9&b=&c");
    ASSERT_TRUE(params);
    EXPECT_EQ(params->at("a"), std::vector<std::string>{"1"});
    EXPECT_EQ(params->at("prenoms"), (std::vector<std::string>{"Jean Marie", "René"}));
    EXPECT_EQ(params->at("b"), std::vector<std::string>{""});
    EXPECT_EQ(params->at("c"), std::vector<std::string>{""});
    EXPECT_FALSE(parseQuery("a=%G1"));
    EXPECT_FALSE(parseQuery("a=%4"));
}

// The executable, as the demo and scripts run it.
class MockCli {
public:
    MockCli(const test::TempDir& dir, const std::vector<std::string>& args)
        : out_(dir.file("out.txt")), err_(dir.file("err.txt")) {
        std::vector<std::string> all = {RELAIS_MOCK_NATIONAL_API};
        all.insert(all.end(), args.begin(), args.end());
        std::vector<char*> argv;
        for (auto& arg : all) argv.push_back(arg.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 1, out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                         0600);
        posix_spawn_file_actions_addopen(&actions, 2, err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                         0600);
        const int spawned =
            posix_spawn(&pid_, RELAIS_MOCK_NATIONAL_API, &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        if (spawned != 0) pid_ = -1;
    }
    ~MockCli() {
        if (pid_ > 0 && !exit_code_) {
            ::kill(pid_, SIGKILL);
            int status = 0;
            ::waitpid(pid_, &status, 0);
        }
    }
    MockCli(const MockCli&) = delete;
    MockCli& operator=(const MockCli&) = delete;

    // Waits (deadline 20 s) for the exit; its code, or nullopt on timeout.
    std::optional<int> waitExit() {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (pid_ > 0 && !exit_code_ && std::chrono::steady_clock::now() < deadline) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        return exit_code_;
    }
    // Waits (deadline 20 s) until stdout holds a whole line; the line, or "".
    std::string firstLine() const {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (std::chrono::steady_clock::now() < deadline) {
            const auto text = common::readFile(out_);
            if (text && text->find('\n') != std::string::npos) {
                return text->substr(0, text->find('\n'));
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        return {};
    }
    void terminate() const { ::kill(pid_, SIGTERM); }
    std::string out() const { return common::readFile(out_).valueOr(""); }
    std::string err() const { return common::readFile(err_).valueOr(""); }
    pid_t pid() const noexcept { return pid_; }

private:
    std::string out_;
    std::string err_;
    pid_t pid_ = -1;
    std::optional<int> exit_code_;
};

TEST(MockNationalApiCli, PrintsItsAddressServesAndStopsOnSigterm) {
    test::TempDir dir;
    MockCli cli(dir, {"--cases", kFixtures, "--port", "0", "--verbose"});
    ASSERT_GT(cli.pid(), 0);
    const std::string line = cli.firstLine();
    ASSERT_EQ(line.rfind("listening on 127.0.0.1:", 0), 0U) << line << cli.err();
    const int port = std::stoi(line.substr(line.rfind(':') + 1));
    EXPECT_EQ(httpCall(port, "GET", cafQuery(), {bearer("t")}).status, 200);
    EXPECT_EQ(httpCall(port, "GET", "/_stats").body, R"({"requests":1})");
    cli.terminate();
    EXPECT_EQ(cli.waitExit(), 0) << cli.err();
    EXPECT_NE(cli.err().find("16 cases for 8 operations, 1 FranceConnect tokens"),
              std::string::npos)
        << cli.err();
    EXPECT_NE(cli.err().find("GET /v3/dss/quotient_familial/identite 200 "), std::string::npos)
        << cli.err();
    EXPECT_EQ(cli.err().find("LEFEBVRE"), std::string::npos) << "no params in the log";
}

TEST(MockNationalApiCli, ExplainsBadCommandLinesAndBadCases) {
    test::TempDir dir;
    {
        MockCli help(dir, {"--help"});
        EXPECT_EQ(help.waitExit(), 0);
        EXPECT_NE(help.out().find("--cases DIR"), std::string::npos);
    }
    {
        MockCli none(dir, {});
        EXPECT_EQ(none.waitExit(), 2);
        EXPECT_NE(none.err().find("--cases DIR is required"), std::string::npos) << none.err();
    }
    {
        MockCli port(dir, {"--cases", kFixtures, "--port", "70000"});
        EXPECT_EQ(port.waitExit(), 2);
    }
    {
        const std::string bad = dir.write(
            "cases/api-particulier/payloads/"
            "api_particulier_v3_cnav_quotient_familial_with_civility/"
            "broken.json",
            "{");
        MockCli broken(dir, {"--cases", dir.file("cases")});
        EXPECT_EQ(broken.waitExit(), 1);
        EXPECT_NE(broken.err().find(bad), std::string::npos) << broken.err();
    }
}

}  // namespace
}  // namespace relais::mock_api
