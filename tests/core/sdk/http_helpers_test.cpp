// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/sdk/http_helpers.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace relais::sdk::http {
namespace {

const Timestamp kNow = Timestamp::fromUnixSeconds(1'445'412'480);  // 2015-10-21T07:28:00Z

TEST(RetryAfter, ReadsDelaySecondsWithOptionalWhiteSpace) {
    EXPECT_EQ(retryAfterSeconds("120", kNow), 120);
    EXPECT_EQ(retryAfterSeconds(" \t7 ", kNow), 7);
    EXPECT_EQ(retryAfterSeconds("0", kNow), 0);
    EXPECT_EQ(retryAfterSeconds("99999999999999999999999", kNow), kMaxRetryAfterSeconds);
    EXPECT_EQ(retryAfterSeconds("999999999", kNow), kMaxRetryAfterSeconds);
    EXPECT_EQ(retryAfterSeconds("500", kNow, 60), 60);
}

TEST(RetryAfter, ReadsImfFixdateRelativeToNow) {
    EXPECT_EQ(retryAfterSeconds("Wed, 21 Oct 2015 07:30:30 GMT", kNow), 150);
    EXPECT_EQ(retryAfterSeconds("Wed, 21 Oct 2015 07:00:00 GMT", kNow), 0);  // past
    EXPECT_EQ(retryAfterSeconds("Thu, 01 Jan 2099 00:00:00 GMT", kNow), kMaxRetryAfterSeconds);
}

TEST(RetryAfter, RefusesMalformedValues) {
    for (const char* bad : {"", "soon", "-5", "1.5", "+5", "Wed, 21 Oct 2015 07:30:30 CET",
                            "Wednesday, 21-Oct-15 07:30:30 GMT", "Wed Oct 21 07:30:30 2015",
                            "Wed, 32 Oct 2015 07:30:30 GMT", "Wed, 21 Oct 2015 24:00:00 GMT"}) {
        EXPECT_EQ(retryAfterSeconds(bad, kNow), 0) << bad;
    }
}

TEST(RetryAfter, RefusesThirtyFirstOfApril) {
    // 31 April 2016 would be Sunday 1 May: the month length is checked, not rolled over.
    EXPECT_FALSE(parseImfFixdate("Sun, 31 Apr 2016 00:00:00 GMT"));
    EXPECT_TRUE(parseImfFixdate("Sat, 30 Apr 2016 00:00:00 GMT"));
}

TEST(RetryAfter, AcceptsTwentyNinthOfFebruaryInLeapYearsOnly) {
    EXPECT_TRUE(parseImfFixdate("Mon, 29 Feb 2016 00:00:00 GMT"));
    EXPECT_TRUE(parseImfFixdate("Tue, 29 Feb 2000 00:00:00 GMT"));
    EXPECT_FALSE(parseImfFixdate("Mon, 29 Feb 2100 00:00:00 GMT"));
    EXPECT_FALSE(parseImfFixdate("Sun, 29 Feb 2015 00:00:00 GMT"));
}

TEST(RetryAfter, RefusesAWeekdayThatIsNotTheDates) {
    EXPECT_EQ(parseImfFixdate("Sun, 06 Nov 1994 08:49:37 GMT"), 784'111'777);
    EXPECT_FALSE(parseImfFixdate("Mon, 06 Nov 1994 08:49:37 GMT"));
    EXPECT_FALSE(parseImfFixdate("Xyz, 06 Nov 1994 08:49:37 GMT"));
    EXPECT_EQ(retryAfterSeconds("Thu, 21 Oct 2015 07:30:30 GMT", kNow), 0);
}

TEST(StatusClasses, TellSuccessFromRetryableFromFinal) {
    EXPECT_TRUE(isSuccessStatus(200));
    EXPECT_TRUE(isSuccessStatus(204));
    EXPECT_FALSE(isSuccessStatus(301));
    for (const int status : {408, 425, 429, 500, 502, 503, 504, 599}) {
        EXPECT_TRUE(isRetryableStatus(status)) << status;
    }
    for (const int status : {200, 400, 401, 403, 404, 409, 422, 451, 600}) {
        EXPECT_FALSE(isRetryableStatus(status)) << status;
    }
    EXPECT_EQ(statusClass(204), "2xx");
    EXPECT_EQ(statusClass(503), "5xx");
    EXPECT_EQ(statusClass(99), "other");
    EXPECT_EQ(statusClass(600), "other");
}

TEST(SafeExcerpt, CollapsesControlsAndMasksSecrets) {
    EXPECT_EQ(safeExcerpt("{\"error\":\r\n\t\"x\"}\x01\x7f", {}), "{\"error\": \"x\"}");
    EXPECT_EQ(safeExcerpt("token tok-123 refused", {"tok-123"}), "token *** refused");
    EXPECT_EQ(safeExcerpt("bad \xff byte, C1 \xc2\x85 gone", {}), "bad ? byte, C1 gone");
    EXPECT_EQ(safeExcerpt("", {}), "");
    EXPECT_EQ(safeExcerpt("a", {""}), "a");
}

TEST(SafeExcerpt, TurnsUnicodeLineSeparatorsIntoSpaces) {
    EXPECT_EQ(safeExcerpt("one\xe2\x80\xa8two\xe2\x80\xa9three", {}), "one two three");
}

TEST(SafeExcerpt, RefusesOverlongAndSurrogateSequences) {
    EXPECT_EQ(safeExcerpt("a\xc0\xafz", {}), "a??z");
    EXPECT_EQ(safeExcerpt("a\xed\xa0\x80z", {}), "a???z");
}

TEST(SafeExcerpt, CutsOnACharacterBoundaryWithinTheLimit) {
    std::string body;
    for (int i = 0; i < 300; ++i) body += "é";
    const std::string excerpt = safeExcerpt(body, {}, 200);
    EXPECT_LE(excerpt.size(), 200U);
    EXPECT_TRUE(excerpt.ends_with("..."));
    EXPECT_EQ((excerpt.size() - 3) % 2, 0U);
    const std::string secret = "SECRETSECRETSECRET";
    EXPECT_EQ(safeExcerpt(std::string(190, 'a') + secret, {secret}).find("SECRET"),
              std::string::npos);
}

TEST(SafeExcerpt, DropsInvalidBytesAndUsesTheGivenEllipsis) {
    const ExcerptStyle soap_style{"", "\xe2\x80\xa6"};  // …
    EXPECT_EQ(safeExcerpt("ab\xff"
                          "cd",
                          {}, 8, soap_style),
              "abcd");
    EXPECT_EQ(safeExcerpt("abcdefghijkl", {}, 8, soap_style), "abcde\xe2\x80\xa6");
}

TEST(SafeExcerpt, NeverExceedsTheLimitEvenWithoutRoomForTheEllipsis) {
    EXPECT_EQ(safeExcerpt("abcdef", {}, 2), "");
    EXPECT_EQ(safeExcerpt("abcdef", {}, 4), "a...");
}

Settings tlsSettings(const std::string& ca, const std::string& cert, const std::string& key) {
    std::vector<Setting> settings;
    for (const auto& [name, value] : {std::pair<std::string, std::string>{"ca-file", ca},
                                      {"client-certificate", cert},
                                      {"client-key", key}}) {
        if (value.empty()) continue;
        Setting setting;
        setting.name = name;
        setting.type = ConfigType::Path;
        setting.text = value;
        settings.push_back(setting);
    }
    return Settings(std::move(settings));
}

TEST(ReadTlsFiles, IsEmptyWhenNothingIsGiven) {
    auto tls = readTlsFiles(Settings{});
    ASSERT_TRUE(tls);
    EXPECT_TRUE(tls->ca_file.empty());
    EXPECT_TRUE(tls->client_cert_file.empty());
    EXPECT_TRUE(tls->verify_peer);
}

TEST(ReadTlsFiles, KeepsReadableFilesAndRefusesMissingOnes) {
    const auto file = std::filesystem::temp_directory_path() / "relais-sdk-tls-test.pem";
    std::ofstream(file) << "PEM";
    auto tls = readTlsFiles(tlsSettings(file.string(), file.string(), file.string()));
    ASSERT_TRUE(tls) << tls.error().message;
    EXPECT_EQ(tls->ca_file, file.string());
    EXPECT_EQ(tls->client_key_file, file.string());
    auto missing = readTlsFiles(tlsSettings("/nonexistent/ca.pem", "", ""));
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().field, "ca-file");
    EXPECT_EQ(missing.error().message.rfind("ca-file: cannot read /nonexistent/ca.pem", 0), 0U);
    auto alone = readTlsFiles(tlsSettings("", file.string(), ""));
    ASSERT_FALSE(alone);
    EXPECT_EQ(alone.error().field, "client-key");
    std::filesystem::remove(file);
}

}  // namespace
}  // namespace relais::sdk::http
