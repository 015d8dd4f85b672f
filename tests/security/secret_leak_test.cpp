// SPDX-License-Identifier: AGPL-3.0-or-later
// "Secrets never logged", against the real daemon: the collection that feeds the suite-wide
// check (tests/support → RELAIS_TEST_LOG_DIR → secret_leak_test), and a daemon run that
// does its best to make relais write a secret (debug level, access log, refused and
// misplaced credentials, failing deliveries that carried credentials).

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "relais/common/crypto.h"

#include "security/secret_scan.h"
#include "support/daemon.h"
#include "support/http_call.h"
#include "support/mock_http_server.h"
#include "support/temp_dir.h"

namespace relais::test::security {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kPortalKey = "leak-portal-key-0123456789";     // NOLINT(cert-err58-cpp)
const std::string kReaderKey = "leak-reader-key-0123456789";     // NOLINT(cert-err58-cpp)
const std::string kAppKey = "leak-app-key-from-env-012345";      // NOLINT(cert-err58-cpp)
const std::string kPassword = "leak-basic-password-0123456";     // NOLINT(cert-err58-cpp)
const std::string kCallbackToken = "leak-callback-token-01234";  // NOLINT(cert-err58-cpp)

/// Sets an environment variable for the scope, then puts back what was there.
class ScopedEnv {
public:
    ScopedEnv(std::string name, const std::string& value) : name_(std::move(name)) {
        if (const char* old = std::getenv(name_.c_str())) old_ = old;  // NOLINT
        ::setenv(name_.c_str(), value.c_str(), 1);
    }
    ~ScopedEnv() {
        if (old_) {
            ::setenv(name_.c_str(), old_->c_str(), 1);
        } else {
            ::unsetenv(name_.c_str());
        }
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    std::string name_;
    std::optional<std::string> old_;
};

/// The collected files of `directory` with `extension`, sorted.
std::vector<std::string> collected(const std::string& directory, const std::string& extension) {
    std::vector<std::string> files;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(directory, ec)) {
        if (entry.path().extension() == extension) files.push_back(entry.path().string());
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::vector<std::string> labels(const std::vector<ConfiguredSecret>& secrets) {
    std::vector<std::string> out;
    for (const auto& secret : secrets) out.push_back(secret.label);
    return out;
}

/// Every configured secret of `config` searched for in `logs`; one line per finding.
std::string leaks(const std::string& config, const TempDir& dir,
                  const std::vector<std::string>& env, const std::string& logs) {
    SecretScanner scanner;
    for (const auto& secret : configuredSecrets(config, dir.path(), env)) {
        scanner.add(secret.value, secret.label, "this run");
    }
    std::vector<Finding> findings;
    scanner.scan("daemon log", logs, findings);
    std::string out;
    for (const auto& finding : findings) out += describe(finding) + "\n";
    return out;
}

std::string adapterAndClients() {
    return "<adapters><adapter name=\"portail\" plugin=\"json\">"
           "<param name=\"source-key\">numero_dossier</param>"
           "<param name=\"procedure\">restauration-scolaire</param>"
           "<param name=\"callback-url\">http://127.0.0.1:9/callback</param>"
           "<param name=\"callback-token\">file:callback.token</param>"
           "</adapter></adapters>\n"
           "<clients>\n" +
           clientElement("portail", kPortalKey, "dossiers:submit dossiers:read") +
           clientElement("lecteur", kReaderKey, "dossiers:read") +
           "<client name=\"metier\" key=\"env:RELAIS_TEST_LEAK_APP_KEY\"><rights>admin</rights>"
           "<procedures>*</procedures><instances>*</instances></client>\n"
           "</clients>\n";
}

TEST(SecretLeakCollection, ADaemonLeavesItsWholeLogAndItsSecretsForTheCheck) {
    TempDir logs;
    const std::string directory = logs.file("collected");
    const ScopedEnv collect(kTestLogDirVariable, directory);
    TempDir dir;
    dir.write("callback.token", kCallbackToken + "\n");
    const std::vector<std::string> env = {"RELAIS_TEST_LEAK_APP_KEY=" + kAppKey};
    const std::string config = wrapConfig(baseConfigElements(dir) + adapterAndClients());
    {
        Daemon daemon(dir, config, env);
        EXPECT_EQ(httpCall(daemon.port(), "GET", "/readyz", {bearer(kAppKey)}).status, 200);
        EXPECT_EQ(daemon.stop(), 0);
    }

    const auto log_files = collected(directory, ".log");
    const auto secrets_files = collected(directory, ".secrets");
    ASSERT_EQ(log_files.size(), 1U);
    ASSERT_EQ(secrets_files.size(), 1U);
    const std::string stem = log_files[0].substr(0, log_files[0].size() - 4);
    EXPECT_EQ(secrets_files[0], stem + ".secrets");
    EXPECT_THAT(fs::path(stem).filename().string(),
                ::testing::StartsWith("SecretLeakCollection."
                                      "ADaemonLeavesItsWholeLogAndItsSecretsForTheCheck-" +
                                      std::to_string(::getpid()) + "-"));
    struct stat st {};
    ASSERT_EQ(::stat(secrets_files[0].c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600U);

    const auto secrets = parseSecretsFile(readFileOrFail(secrets_files[0]));
    EXPECT_EQ(labels(secrets), (std::vector<std::string>{
                                   "file:callback.token", "client 'portail' bearer key",
                                   "client 'lecteur' bearer key", "env:RELAIS_TEST_LEAK_APP_KEY"}));
    const std::string log = readFileOrFail(log_files[0]);
    EXPECT_THAT(log, HasSubstr("relais stopped"));
    EXPECT_THAT(log, HasSubstr("\"/readyz\""));  // the access log line is in it

    const auto clean = scanDirectory(directory);
    EXPECT_TRUE(clean.findings.empty()) << describe(clean.findings.front());
    EXPECT_TRUE(clean.errors.empty());
    // The check reads this collection: a leaked line in it is found.
    {
        std::FILE* out = std::fopen(log_files[0].c_str(), "a");
        ASSERT_NE(out, nullptr);
        std::fputs(("{\"msg\":\"oops\",\"key\":\"" + kAppKey + "\"}\n").c_str(), out);
        std::fclose(out);
    }
    const auto leaked = scanDirectory(directory);
    ASSERT_EQ(leaked.findings.size(), 1U);
    EXPECT_EQ(leaked.findings[0].label, "env:RELAIS_TEST_LEAK_APP_KEY");
}

TEST(SecretLeakCollection, ARestartedDaemonLeavesOnlyItsOwnLinesAndAFailedStartIsCollected) {
    TempDir logs;
    const ScopedEnv collect(kTestLogDirVariable, logs.path());
    TempDir dir;
    dir.write("callback.token", kCallbackToken);
    const std::vector<std::string> env = {"RELAIS_TEST_LEAK_APP_KEY=" + kAppKey};
    const std::string config = wrapConfig(baseConfigElements(dir) + adapterAndClients());
    Daemon(dir, config, env).stop();
    Daemon(dir, config, env).kill();
    // Without the variable the client's key is missing: the start fails, and is collected.
    EXPECT_THROW(Daemon(dir, config), std::runtime_error);

    const auto log_files = collected(logs.path(), ".log");
    ASSERT_EQ(log_files.size(), 3U);
    const std::string first = readFileOrFail(log_files[0]);
    const std::string second = readFileOrFail(log_files[1]);
    const std::string failed = readFileOrFail(log_files[2]);
    EXPECT_THAT(first, HasSubstr("relais stopped"));
    EXPECT_THAT(second, Not(HasSubstr("relais stopped")));  // killed, and the first run's lines
    EXPECT_THAT(second, HasSubstr("relais ready"));         // are not repeated
    EXPECT_THAT(failed, HasSubstr("RELAIS_TEST_LEAK_APP_KEY"));
    EXPECT_TRUE(scanDirectory(logs.path()).findings.empty());
}

TEST(SecretLeakCollection, CommandLineRunsLeaveTheirStandardError) {
    TempDir logs;
    const ScopedEnv collect(kTestLogDirVariable, logs.path());
    TempDir dir;
    dir.write("callback.token", kCallbackToken);
    const std::string config =
        dir.write("relais.xml", wrapConfig(baseConfigElements(dir) + adapterAndClients()));
    // A key too short to be accepted: the error must name the reference, not the value.
    const auto refused =
        runRelais({"check-config", config}, {"RELAIS_TEST_LEAK_APP_KEY=short-key-12"});
    EXPECT_NE(refused.exit_code, 0);
    EXPECT_THAT(refused.err, HasSubstr("RELAIS_TEST_LEAK_APP_KEY"));
    EXPECT_THAT(refused.err, Not(HasSubstr("short-key-12")));
    const auto hashed = runRelais({"hash-key", kPortalKey});
    EXPECT_EQ(hashed.exit_code, 0) << hashed.err;

    const auto secrets_files = collected(logs.path(), ".secrets");
    ASSERT_EQ(secrets_files.size(), 2U);
    std::vector<std::string> all;
    for (const auto& file : secrets_files) {
        for (const auto& label : labels(parseSecretsFile(readFileOrFail(file)))) {
            all.push_back(label);
        }
    }
    EXPECT_THAT(all, ::testing::Contains("env:RELAIS_TEST_LEAK_APP_KEY"));
    EXPECT_THAT(all, ::testing::Contains("hash-key argument"));
    const auto report = scanDirectory(logs.path());
    EXPECT_EQ(report.logs, 2U);
    EXPECT_TRUE(report.findings.empty()) << describe(report.findings.front());
}

TEST(SecretLeakCollection, NothingIsCollectedWithoutTheVariable) {
    TempDir logs;
    const ScopedEnv collect(kTestLogDirVariable, logs.path());
    ::unsetenv(kTestLogDirVariable);
    EXPECT_EQ(collectTestLog("x", "log", {{"env:X", "value-0123456789"}}), "");
    const auto result = runRelais({"version"});
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_TRUE(fs::is_empty(logs.path()));
}

// The daemon at debug level with its access log, every kind of credential configured and
// used, and requests that put credentials where they do not belong: no configured secret
// may reach standard output, standard error or the log file, in any encoding.
TEST(SecretLeak, TheDaemonNeverWritesItsSecretsWhateverItIsSent) {
    TempDir dir;
    dir.write("callback.token", kCallbackToken + "\n");
    dir.write("app.password", kPassword + "\n");
    auto calls = std::make_shared<std::atomic<int>>(0);
    MockHttpServer app([calls](const ReceivedRequest& request) {
        // The first delivery is refused by an application that echoes what it received in its
        // error page (debug pages do), the retry accepted.
        if ((*calls)++ == 0) {
            return MockResponse{
                401,
                "text/plain",
                "invalid credentials: Authorization: " + request.header("Authorization"),
                {}};
        }
        return MockResponse{201, "application/json", R"({"id":"BO-1"})", {}};
    });
    const std::vector<std::string> env = {"RELAIS_TEST_LEAK_APP_KEY=" + kAppKey};
    std::string base = baseConfigElements(dir);
    base.replace(base.find("<log level=\"debug\""), 18, "<log level=\"trace\" access-log=\"true\"");
    const std::string config =
        wrapConfig(base + "<delivery workers=\"1\" idle-poll=\"20ms\"/>\n" + adapterAndClients() +
                   "<connectors><connector name=\"application\" plugin=\"rest\">"
                   "<param name=\"url\">" +
                   app.url("/api/inscriptions") +
                   "</param>"
                   "<param name=\"auth\">basic</param>"
                   "<param name=\"username\">agent-cantine</param>"
                   "<param name=\"password\">file:app.password</param>"
                   "<param name=\"retry-codes\">401,503</param>"
                   "<retry initial=\"20ms\" max=\"50ms\" give-up-after=\"1h\"/>"
                   "</connector></connectors>\n"
                   "<routes><route name=\"r\" procedure=\"restauration-scolaire\" "
                   "connector=\"application\"/></routes>\n");
    Daemon daemon(dir, config, env);
    const int port = daemon.port();
    const std::string basic_password =
        "Basic " + common::base64Encode("agent-cantine:" + kPassword);

    // Accepted and delivered: the password travels to the application.
    const auto stored = httpCall(port, "POST", "/v1/adapters/portail/inbound", {bearer(kPortalKey)},
                                 R"({"numero_dossier":"RS-LEAK-1","demandeur":{"nom":"Martin"}})");
    ASSERT_EQ(stored.status, 202) << stored.body;
    ASSERT_TRUE(app.waitForCount(2, std::chrono::seconds(15)));
    EXPECT_EQ(app.requests()[1].header("Authorization"), basic_password);

    // Refused credentials, in every place a client may put them.
    EXPECT_EQ(httpCall(port, "GET", "/metrics", {bearer(kPortalKey)}).status, 403);
    EXPECT_EQ(httpCall(port, "GET", "/metrics", {bearer(kPortalKey + "x")}).status, 401);
    EXPECT_EQ(httpCall(port, "GET", "/metrics",
                       {{"Authorization", "Basic " + common::base64Encode("x:" + kAppKey)}})
                  .status,
              401);
    EXPECT_EQ(httpCall(port, "GET", "/metrics", {{"X-Api-Key", kAppKey}}).status, 401);
    EXPECT_EQ(httpCall(port, "GET", "/v1/dossiers/unknown?access_token=" + kReaderKey,
                       {bearer(kReaderKey)})
                  .status,
              404);
    EXPECT_EQ(httpCall(port, "POST", "/v1/adapters/portail/inbound", {bearer(kPortalKey)},
                       "{\"numero_dossier\":\"" + kAppKey + "\",")
                  .status,
              400);
    EXPECT_EQ(httpCall(port, "GET", "/readyz", {bearer(kAppKey)}).status, 200);
    EXPECT_EQ(daemon.stop(), 0);

    const std::string logs = daemon.logs() + readFileOrFail(dir.file("daemon.stdout"));
    EXPECT_THAT(logs, HasSubstr("\"/metrics\""));  // the access log was on
    EXPECT_EQ(leaks(config, dir, env, logs), "");
}

}  // namespace
}  // namespace relais::test::security
