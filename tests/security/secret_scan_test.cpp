// SPDX-License-Identifier: AGPL-3.0-or-later
// The secret-leak check itself: synthetic logs with secrets in them must give findings
// (the check can fail), clean ones none; the collection format and the config reading of
// tests/support; the check executable that CTest runs after every other test.

#include "security/secret_scan.h"

#include <cstdlib>
#include <filesystem>

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "relais/common/crypto.h"

#include "support/daemon.h"
#include "support/temp_dir.h"

extern char** environ;  // NOLINT(readability-identifier-naming)

namespace relais::test::security {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kAppKey = "app-key-0123456789abcdef";  // NOLINT(cert-err58-cpp)

/// A collection directory as tests/support writes it.
class CollectedRuns {
public:
    void run(const std::string& name, const std::vector<ConfiguredSecret>& secrets,
             const std::string& log) {
        dir_.write(name + ".secrets", formatSecretsFile(secrets));
        dir_.write(name + ".log", log);
    }
    std::string write(const std::string& name, const std::string& content) {
        return dir_.write(name, content);
    }
    std::string log(const std::string& name) const { return dir_.file(name + ".log"); }
    const std::string& path() const { return dir_.path(); }

private:
    TempDir dir_;
};

std::vector<Finding> scanText(std::string_view secret, std::string_view text) {
    SecretScanner scanner;
    scanner.add(secret, "env:SECRET", "run.secrets");
    std::vector<Finding> findings;
    scanner.scan("log", text, findings);
    return findings;
}

TEST(SecretScan, FindsASecretAndNamesTheFileLineAndReferenceNeverTheSecret) {
    CollectedRuns runs;
    runs.run("DaemonTest.X-1-0", {{"env:APP_KEY", kAppKey}},
             "{\"msg\":\"relais started\"}\n"
             "{\"msg\":\"request\",\"authorization\":\"Bearer " +
                 kAppKey +
                 "\"}\n"
                 "{\"msg\":\"relais stopped\"}\n");
    const auto report = scanDirectory(runs.path());
    EXPECT_TRUE(report.errors.empty());
    EXPECT_EQ(report.logs, 1U);
    EXPECT_EQ(report.lines, 3U);
    EXPECT_EQ(report.secrets, 1U);
    ASSERT_EQ(report.findings.size(), 1U);
    const Finding& finding = report.findings[0];
    EXPECT_EQ(finding.log, runs.log("DaemonTest.X-1-0"));
    EXPECT_EQ(finding.line, 2U);
    EXPECT_EQ(finding.label, "env:APP_KEY");
    EXPECT_EQ(finding.origin, "DaemonTest.X-1-0.secrets");
    EXPECT_EQ(finding.form, "raw");
    const std::string text = describe(finding);
    EXPECT_THAT(text, HasSubstr(runs.log("DaemonTest.X-1-0") + ":2: secret 'env:APP_KEY'"));
    EXPECT_THAT(text, Not(HasSubstr(kAppKey)));
    EXPECT_THAT(text, Not(HasSubstr(common::toHex(kAppKey))));
}

TEST(SecretScan, CleanLogsGiveNoFinding) {
    CollectedRuns runs;
    runs.run("a", {{"env:APP_KEY", kAppKey}, {"file:token", "sandbox-token-0123456789"}},
             "{\"msg\":\"dossier stored\",\"key_sha256\":\"" + common::sha256Hex(kAppKey) +
                 "\"}\n{\"msg\":\"app-key-0123456789abcdeX is unknown\"}\n");
    const auto report = scanDirectory(runs.path());
    EXPECT_TRUE(report.findings.empty()) << describe(report.findings.front());
    EXPECT_TRUE(report.errors.empty());
    EXPECT_EQ(report.secrets, 2U);
}

TEST(SecretScan, ASecretOfOneRunIsFoundInTheLogOfAnother) {
    CollectedRuns runs;
    runs.run("first", {{"file:/run/secrets/dsn", "host=db password=correct-horse"}}, "nothing\n");
    runs.run("second", {}, "line one\nconnecting with host=db password=correct-horse\n");
    const auto report = scanDirectory(runs.path());
    ASSERT_EQ(report.findings.size(), 1U);
    EXPECT_EQ(report.findings[0].log, runs.log("second"));
    EXPECT_EQ(report.findings[0].line, 2U);
    EXPECT_EQ(report.findings[0].label, "file:/run/secrets/dsn");
    EXPECT_EQ(report.findings[0].origin, "first.secrets");
}

TEST(SecretScan, FindsTheEncodedForms) {
    const std::string secret = "pa\"ss/w+rd\\0123";
    // JSON-escaped, as a JSON log line holds it.
    auto json = scanText(secret, R"({"msg":"x","v":"pa\"ss/w+rd\\0123"})");
    ASSERT_EQ(json.size(), 1U);
    EXPECT_EQ(json[0].form, "json");
    // Percent-encoded, as in a URL or a form body.
    auto url = scanText(secret, "GET /x?token=pa%22ss%2Fw%2Brd%5C0123 HTTP/1.1");
    ASSERT_EQ(url.size(), 1U);
    EXPECT_EQ(url[0].form, "percent");
    // Hex, both cases.
    EXPECT_EQ(scanText(secret, "dump " + common::toHex(secret)).at(0).form, "hex");
    auto upper_hex = common::toHex(secret);
    for (char& c : upper_hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_EQ(scanText(secret, "dump " + upper_hex).at(0).form, "HEX");
}

TEST(SecretScan, FindsBase64AtEveryAlignmentInsideALongerText) {
    const std::string password = "correct-horse-battery";
    // A Basic authorization header: the secret after 0, 1 and 2 bytes modulo 3.
    for (const std::string user : {"abc:", "abcd:", "abcde:"}) {
        const std::string header = "Authorization: Basic " + common::base64Encode(user + password);
        const auto findings = scanText(password, header);
        ASSERT_EQ(findings.size(), 1U) << user;
        EXPECT_EQ(findings[0].form, "base64") << user;
    }
    // URL-safe base64 (JWT segments): a secret whose encoding has '+' or '/'.
    const std::string binary = "\xfb\xff\xbf-secret-\xfb\xff\xbf";
    std::string url_safe = common::base64Encode(binary);
    ASSERT_NE(url_safe.find_first_of("+/"), std::string::npos);
    for (char& c : url_safe) c = c == '+' ? '-' : c == '/' ? '_' : c;
    EXPECT_EQ(scanText(binary, "jwt " + url_safe).at(0).form, "base64url");
}

TEST(SecretScan, SkipsSecretsShorterThanEightBytes) {
    CollectedRuns runs;
    runs.run("a", {{"env:SHORT", "abc1234"}, {"env:LONG", "abcd12345"}},
             "abc1234 appears here\nand abcd12345 here\n");
    const auto report = scanDirectory(runs.path());
    EXPECT_EQ(report.skipped_short, 1U);
    EXPECT_EQ(report.secrets, 1U);
    ASSERT_EQ(report.findings.size(), 1U);
    EXPECT_EQ(report.findings[0].label, "env:LONG");
    EXPECT_EQ(report.findings[0].line, 2U);
}

TEST(SecretScan, ReportsEachSecretOncePerLineAndEveryLineItIsOn) {
    const auto findings = scanText(
        kAppKey, kAppKey + " " + kAppKey + " " + common::toHex(kAppKey) + "\n\n" + kAppKey);
    ASSERT_EQ(findings.size(), 2U);
    EXPECT_EQ(findings[0].line, 1U);
    EXPECT_EQ(findings[1].line, 3U);
}

TEST(SecretScan, SearchesEachLineOfAMultiLineSecret) {
    const std::string pem =
        "-----BEGIN PRIVATE KEY-----\n"
        "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n"
        "VJTUt9Us8cKjMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDu\n"
        "-----END PRIVATE KEY-----\n";
    const auto findings =
        scanText(pem, "tls: VJTUt9Us8cKjMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDu");
    ASSERT_EQ(findings.size(), 1U);
    EXPECT_EQ(findings[0].form, "raw, line 3");
    EXPECT_TRUE(scanText(pem, "-----BEGIN PRIVATE KEY----- is armour, not a secret").empty());
}

TEST(SecretScan, AMalformedSecretsFileIsAnErrorNamingIt) {
    CollectedRuns runs;
    const std::string path =
        runs.write("broken.secrets", "env:APP_KEY\t61626364656667686970\nno tab\n");
    const auto report = scanDirectory(runs.path());
    ASSERT_EQ(report.errors.size(), 1U);
    EXPECT_THAT(report.errors[0], HasSubstr(path + ": line 2"));
}

TEST(SecretsFile, KeepsEveryByteOfTheValueAndCleansLabels) {
    const std::vector<ConfiguredSecret> secrets = {
        {"env:A", std::string("tab\there\nnewline\0nul", 20)}, {"label\twith\ntab", "plain-value"}};
    const std::string text = formatSecretsFile(secrets);
    EXPECT_THAT(text, Not(HasSubstr("plain-value")));
    const auto back = parseSecretsFile(text);
    ASSERT_EQ(back.size(), 2U);
    EXPECT_EQ(back[0].label, "env:A");
    EXPECT_EQ(back[0].value, secrets[0].value);
    EXPECT_EQ(back[1].label, "label with tab");
    EXPECT_EQ(back[1].value, "plain-value");
    EXPECT_THROW(parseSecretsFile("env:A\tnot-hex\n"), std::runtime_error);
}

TEST(ConfiguredSecrets, ReadsEveryReferenceKeyFileAndKnownBearerKey) {
    TempDir dir;
    dir.write("secrets/token", "file-token-0123456789\n");
    dir.write("secrets/windows", "crlf-secret-0123\r\n");
    dir.write("attributes.key", std::string(64, 'b') + "\n");
    ::setenv("RELAIS_TEST_SCAN_FROM_PROCESS", "from-process-0123456789", 1);
    const std::string config = wrapConfig(
        "<!-- env:RELAIS_TEST_SCAN_IN_COMMENT is not read -->\n"
        "<store engine=\"postgresql\" dsn=\"env:RELAIS_TEST_SCAN_DSN\" blobs=\"b\"/>\n"
        "<clients>\n" +
        clientElement("portail", "portal-key-from-helper-0123", "dossiers:submit") +
        "<client name=\"metier\" key=\"env:RELAIS_TEST_SCAN_FROM_PROCESS\"/>\n"
        "<client name=\"autre\" key-sha256=\"" +
        common::sha256Hex("a key no helper made") +
        "\"/>\n</clients>\n"
        "<connectors><connector name=\"c\" plugin=\"rest\">"
        "<param name=\"token\"> file:secrets/token </param>"
        "<param name=\"password\">file:secrets/windows</param>"
        "<param name=\"other\">file:secrets/absent</param>"
        "<param name=\"unset\">env:RELAIS_TEST_SCAN_NOT_SET</param>"
        "<param name=\"same\">env:RELAIS_TEST_SCAN_SAME</param>"
        "</connector></connectors>\n"
        "<attributes current-key=\"k1\"><key id=\"k1\" file=\"attributes.key\"/></attributes>\n");
    const auto secrets = configuredSecrets(config, dir.path(),
                                           {"RELAIS_TEST_SCAN_DSN=host=db password=pg-0123456789",
                                            "RELAIS_TEST_SCAN_SAME=file-token-0123456789",
                                            "RELAIS_TEST_SCAN_IN_COMMENT=never-read-0123456789"});
    ::unsetenv("RELAIS_TEST_SCAN_FROM_PROCESS");
    std::vector<std::pair<std::string, std::string>> got;
    for (const auto& s : secrets) got.emplace_back(s.label, s.value);
    EXPECT_EQ(got, (std::vector<std::pair<std::string, std::string>>{
                       {"env:RELAIS_TEST_SCAN_DSN", "host=db password=pg-0123456789"},
                       {"client 'portail' bearer key", "portal-key-from-helper-0123"},
                       {"env:RELAIS_TEST_SCAN_FROM_PROCESS", "from-process-0123456789"},
                       {"file:secrets/token", "file-token-0123456789"},
                       {"file:secrets/windows", "crlf-secret-0123"},
                       {"key file=attributes.key", std::string(64, 'b')}}));
}

/// Runs the check executable that CTest runs; returns its exit code and what it printed.
struct CheckRun {
    int code = -1;
    std::string output;
};

CheckRun runCheck(const std::vector<std::string>& args) {
    TempDir out;
    const std::string output = out.file("output");
    std::vector<std::string> storage{RELAIS_SECRET_LEAK_CHECK};
    storage.insert(storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : storage) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, output.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        ADD_FAILURE() << "cannot start " << argv[0];
        return {};
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return CheckRun{WIFEXITED(status) ? WEXITSTATUS(status) : -1, readFileOrFail(output)};
}

TEST(SecretLeakCheck, FailsOnALeakNamingFileLineAndReferenceButNotTheSecret) {
    CollectedRuns runs;
    runs.run("PrefillTest.X-77-0", {{"env:APP_KEY", kAppKey}}, "ok\nok\nleaked " + kAppKey + "\n");
    const auto run = runCheck({runs.path()});
    EXPECT_EQ(run.code, 1) << run.output;
    EXPECT_THAT(run.output, HasSubstr(runs.log("PrefillTest.X-77-0") + ":3: secret 'env:APP_KEY'"));
    EXPECT_THAT(run.output, HasSubstr("1 findings"));
    EXPECT_THAT(run.output, Not(HasSubstr(kAppKey)));
}

TEST(SecretLeakCheck, PassesOnCleanLogsAndWhenNothingWasCollected) {
    CollectedRuns runs;
    runs.run("a", {{"env:APP_KEY", kAppKey}}, "clean\n");
    const auto clean = runCheck({runs.path()});
    EXPECT_EQ(clean.code, 0) << clean.output;
    EXPECT_THAT(clean.output, HasSubstr("1 logs (1 lines, 6 bytes) searched for 1 secrets"));
    const auto none = runCheck({runs.path() + "/never-created"});
    EXPECT_EQ(none.code, 0) << none.output;
    EXPECT_THAT(none.output, HasSubstr("no relais run was collected"));
    EXPECT_EQ(runCheck({}).code, 64);
}

TEST(SecretLeakCheck, ResetRemovesOnlyCollectedFiles) {
    CollectedRuns runs;
    runs.run("a", {{"env:APP_KEY", kAppKey}}, "leaked " + kAppKey + "\n");
    const std::string other = runs.write("README", "kept");
    const auto reset = runCheck({"--reset", runs.path()});
    EXPECT_EQ(reset.code, 0) << reset.output;
    EXPECT_THAT(reset.output, HasSubstr("2 collected files removed"));
    EXPECT_TRUE(fs::exists(other));
    EXPECT_FALSE(fs::exists(runs.log("a")));
    EXPECT_EQ(runCheck({runs.path()}).code, 0);
}

}  // namespace
}  // namespace relais::test::security
