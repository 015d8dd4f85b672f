// SPDX-License-Identifier: AGPL-3.0-or-later
// validateSettings: every config type, every error, and what the messages say (and never
// say: a secret's text).

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "relais/common/errors.h"
#include "relais/plugin/instance.h"
#include "relais/sdk/abi.h"
#include "relais/sdk/descriptor.h"

#include "core/plugin/host_services.h"

namespace relais::plugin {
namespace {

using test::instanceConfig;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using Params = std::vector<std::pair<std::string, std::string>>;

constexpr const char* kFile = "/etc/relais/relais.xml";
constexpr const char* kBaseDir = "/etc/relais";

constexpr relais_config_key kKeys[] = {
    {"name", sdk::ConfigType::String, true, nullptr, "", nullptr},
    {"count", sdk::ConfigType::Integer, false, "3", "", nullptr},
    {"enabled", sdk::ConfigType::Boolean, false, "true", "", nullptr},
    {"timeout", sdk::ConfigType::Duration, false, "30s", "", nullptr},
    {"url", sdk::ConfigType::Url, false, nullptr, "", nullptr},
    {"dir", sdk::ConfigType::Path, false, "var/out", "", nullptr},
    {"token", sdk::ConfigType::Secret, false, nullptr, "", nullptr},
    {"tags", sdk::ConfigType::List, false, "a, b", "", nullptr},
    {"mode", sdk::ConfigType::Enum, false, "safe", "", "fast|safe"},
};

sdk::Component* noCreate(sdk::Host* /*host*/, sdk::Error* /*error*/) noexcept { return nullptr; }
void noDestroy(sdk::Component* /*component*/) noexcept {}

relais_plugin_descriptor descriptorWith(const relais_config_key* keys, std::uint32_t count) {
    return relais_plugin_descriptor{sdk::kAbiVersion,
                                    RELAIS_TOOLCHAIN_FINGERPRINT,
                                    sdk::PluginKind::Connector,
                                    "typed",
                                    "1.0.0",
                                    "",
                                    keys,
                                    count,
                                    nullptr,
                                    0,
                                    sdk::operation::kDeliver,
                                    0,
                                    &noCreate,
                                    &noDestroy};
}

const relais_plugin_descriptor kTyped = descriptorWith(kKeys, 9);

// Validates `name` plus the given params (name first, on line 11; the rest from line 12).
sdk::Settings validate(const Params& params, const std::string& base_dir = kBaseDir) {
    Params all{{"name", "x"}};
    all.insert(all.end(), params.begin(), params.end());
    return validateSettings(kTyped, instanceConfig("inst", "typed", all), base_dir);
}

// The ConfigError message of validating `params`, or "" (and a failure) when accepted.
std::string errorOf(const Params& params, const std::string& base_dir = kBaseDir) {
    try {
        (void)validate(params, base_dir);
    } catch (const ConfigError& e) {
        return e.message();
    }
    ADD_FAILURE() << "accepted: " << (params.empty() ? "" : params[0].second);
    return {};
}

std::string prefix(int line) {
    return std::string(kFile) + ":" + std::to_string(line) + ": instance 'inst' (plugin 'typed'): ";
}

const sdk::Setting& settingOf(const sdk::Settings& settings, const char* name) {
    const sdk::Setting* s = settings.find(name);
    if (s == nullptr) throw std::runtime_error(std::string("no setting ") + name);
    return *s;
}

TEST(ValidateSettings, FillsDefaultsInDeclarationOrder) {
    const sdk::Settings settings = validate({});
    std::vector<std::string> names;
    for (const auto& s : settings.all()) names.push_back(s.name);
    // url and token have no default and are not given: absent.
    EXPECT_THAT(names, ElementsAre("name", "count", "enabled", "timeout", "dir", "tags", "mode"));
    EXPECT_FALSE(settingOf(settings, "name").from_default);
    EXPECT_TRUE(settingOf(settings, "count").from_default);
    EXPECT_EQ(settings.integer("count"), 3);
    EXPECT_TRUE(settings.boolean("enabled"));
    EXPECT_EQ(settings.duration("timeout"), std::chrono::seconds(30));
    EXPECT_EQ(settings.string("dir"), "/etc/relais/var/out");
    EXPECT_THAT(settings.list("tags"), ElementsAre("a", "b"));
    EXPECT_EQ(settings.string("mode"), "safe");
    EXPECT_FALSE(settings.has("url"));
    EXPECT_FALSE(settings.has("token"));
}

TEST(ValidateSettings, ParsesEveryTypeAndKeepsTheTypeAndText) {
    const sdk::Settings settings = validate({{"count", " -42 "},
                                             {"enabled", "false"},
                                             {"timeout", "250ms"},
                                             {"url", "https://api.example.org:8443/v1?x=1"},
                                             {"dir", "/srv/out/"},
                                             {"token", "env:FIXTURE_TOKEN"},
                                             {"tags", " a ,b,, c ,"},
                                             {"mode", "fast"}});
    EXPECT_EQ(settings.integer("count"), -42);
    EXPECT_EQ(settingOf(settings, "count").text, "-42");
    EXPECT_EQ(settingOf(settings, "count").type, sdk::ConfigType::Integer);
    EXPECT_FALSE(settings.boolean("enabled", true));
    EXPECT_EQ(settings.duration("timeout"), std::chrono::milliseconds(250));
    EXPECT_EQ(settings.string("url"), "https://api.example.org:8443/v1?x=1");
    EXPECT_EQ(settings.string("dir"), "/srv/out/");
    EXPECT_EQ(settings.string("token"), "env:FIXTURE_TOKEN");
    EXPECT_EQ(settingOf(settings, "token").type, sdk::ConfigType::Secret);
    EXPECT_THAT(settings.list("tags"), ElementsAre("a", "b", "c"));
    EXPECT_EQ(settings.string("mode"), "fast");
    for (const auto& s : settings.all()) EXPECT_FALSE(s.from_default) << s.name;
}

TEST(ValidateSettings, KeepsStringsExactly) {
    EXPECT_EQ(
        validateSettings(kTyped, instanceConfig("inst", "typed", {{"name", "  a b  "}}), kBaseDir)
            .string("name"),
        "  a b  ");
}

TEST(ValidateSettings, Integers) {
    EXPECT_EQ(validate({{"count", "+7"}}).integer("count"), 7);
    EXPECT_EQ(validate({{"count", "0"}}).integer("count"), 0);
    EXPECT_EQ(validate({{"count", "9223372036854775807"}}).integer("count"),
              std::numeric_limits<std::int64_t>::max());
    EXPECT_EQ(validate({{"count", "-9223372036854775808"}}).integer("count"),
              std::numeric_limits<std::int64_t>::min());
    EXPECT_EQ(errorOf({{"count", "12a"}}),
              prefix(12) + "key 'count' must be an integer, got '12a'");
    for (const char* bad : {"", "1.5", "0x10", "--1", "+", "1 000", "one"}) {
        EXPECT_THAT(errorOf({{"count", bad}}), HasSubstr("key 'count' must be an integer")) << bad;
    }
    EXPECT_EQ(errorOf({{"count", "9223372036854775808"}}),
              prefix(12) +
                  "key 'count' must be an integer, got '9223372036854775808' (out of "
                  "range for a signed 64-bit integer)");
}

TEST(ValidateSettings, Booleans) {
    EXPECT_TRUE(validate({{"enabled", "true"}}).boolean("enabled"));
    for (const char* bad : {"yes", "TRUE", "1", "on", ""}) {
        EXPECT_EQ(errorOf({{"enabled", bad}}),
                  prefix(12) + "key 'enabled' must be 'true' or 'false', got '" + bad + "'");
    }
}

TEST(ValidateSettings, Durations) {
    const std::pair<const char*, std::int64_t> good[] = {
        {"250ms", 250},    {"30s", 30'000},     {"30", 30'000}, {"5m", 300'000},
        {"2h", 7'200'000}, {"7d", 604'800'000}, {"0", 0},       {" 1s ", 1000},
    };
    for (const auto& [text, millis] : good) {
        EXPECT_EQ(validate({{"timeout", text}}).duration("timeout").count(), millis) << text;
    }
    for (const char* bad : {"1.5s", "5 min", "-1s", "s", "", "10us", "1h30m"}) {
        EXPECT_EQ(errorOf({{"timeout", bad}}),
                  prefix(12) +
                      "key 'timeout' must be a duration (a number followed by ms, s, m, "
                      "h or d; bare: seconds), got '" +
                      std::string(bad) + "'")
            << bad;
    }
    EXPECT_EQ(errorOf({{"timeout", "9999999999999999d"}}),
              prefix(12) +
                  "key 'timeout' must be a duration, got '9999999999999999d' (out of "
                  "range)");
}

TEST(ValidateSettings, Urls) {
    for (const char* good : {"http://127.0.0.1:9/", "https://example.org", "HTTPS://Example.org/a",
                             "http://[::1]:8080/x", "https://user@example.org/path?q=1#f"}) {
        EXPECT_NO_THROW((void)validate({{"url", good}})) << good;
    }
    for (const char* bad : {"ftp://example.org/", "http://", "example.org", "/relative/path",
                            "http://exa mple.org/", "https:///path", "http:example.org",
                            "http://host:99999/", "mailto:someone@example.org"}) {
        EXPECT_THAT(errorOf({{"url", bad}}),
                    HasSubstr(prefix(12) +
                              "key 'url' must be an absolute http:// or https:// "
                              "URL with a host, got '" +
                              bad + "'"))
            << bad;
    }
}

TEST(ValidateSettings, PathsAreResolvedAgainstTheConfigDirectory) {
    EXPECT_EQ(validate({{"dir", "outbox"}}).string("dir"), "/etc/relais/outbox");
    EXPECT_EQ(validate({{"dir", "../var/./outbox"}}).string("dir"), "/etc/var/outbox");
    EXPECT_EQ(validate({{"dir", "/srv/relais"}}).string("dir"), "/srv/relais");
    EXPECT_EQ(validate({{"dir", "/srv/relais"}}, "").string("dir"), "/srv/relais");
    EXPECT_EQ(errorOf({{"dir", "outbox"}}, ""),
              prefix(12) +
                  "key 'dir' must be an absolute path, got 'outbox' (there is no config "
                  "file directory to resolve it against)");
    EXPECT_EQ(errorOf({{"dir", " "}}),
              prefix(12) + "key 'dir' must be a file system path, got ' '");
    // The default is resolved the same way.
    EXPECT_EQ(validate({}, "/opt/site").string("dir"), "/opt/site/var/out");
}

TEST(ValidateSettings, SecretsMustBeReferencesAndAreNeverEchoed) {
    EXPECT_EQ(validate({{"token", "file:/run/secrets/token"}}).string("token"),
              "file:/run/secrets/token");
    EXPECT_EQ(validate({{"token", "file:token.txt"}}).string("token"), "file:token.txt");
    const std::string refused = prefix(12) +
                                "key 'token' must be a secret reference 'env:NAME' "
                                "or 'file:/path', not an inline value";
    for (const char* bad :
         {"hunter2-very-secret", "env:", "env:1ABC", "file:", "ENV:TOKEN", "env:TOKEN extra"}) {
        EXPECT_EQ(errorOf({{"token", bad}}), refused) << bad;
    }
    // The same holds for every message about a secret key, whatever else is wrong.
    const relais_config_key secret_only[] = {
        {"token", sdk::ConfigType::Secret, true, nullptr, "", nullptr}};
    config::InstanceConfig twice =
        instanceConfig("inst", "typed", {{"token", "env:A"}, {"token", "hunter2-again"}});
    try {
        (void)validateSettings(descriptorWith(secret_only, 1), twice, kBaseDir);
        FAIL() << "accepted";
    } catch (const ConfigError& e) {
        EXPECT_THAT(e.message(), HasSubstr("duplicate key 'token'"));
        EXPECT_THAT(e.message(), Not(HasSubstr("hunter2")));
    }
}

TEST(ValidateSettings, Lists) {
    EXPECT_THAT(validate({{"tags", "one"}}).list("tags"), ElementsAre("one"));
    EXPECT_TRUE(validate({{"tags", ""}}).list("tags").empty());
    EXPECT_TRUE(validate({{"tags", " , ,"}}).list("tags").empty());
    EXPECT_EQ(settingOf(validate({{"tags", " x, y "}}), "tags").text, "x, y");
}

TEST(ValidateSettings, Enums) {
    EXPECT_EQ(validate({{"mode", " safe "}}).string("mode"), "safe");
    EXPECT_EQ(errorOf({{"mode", "FAST"}}),
              prefix(12) + "key 'mode' must be one of 'fast', 'safe', got 'FAST'");
    EXPECT_EQ(errorOf({{"mode", ""}}),
              prefix(12) + "key 'mode' must be one of 'fast', 'safe', got ''");
}

TEST(ValidateSettings, RejectsAnUnknownKeyListingTheKnownOnes) {
    EXPECT_EQ(errorOf({{"count", "1"}, {"colour", "blue"}}),
              prefix(13) +
                  "unknown key 'colour' (known: name, count, enabled, timeout, url, dir, "
                  "token, tags, mode)");
    const relais_plugin_descriptor bare = descriptorWith(nullptr, 0);
    try {
        (void)validateSettings(bare, instanceConfig("inst", "typed", {{"x", "1"}}), kBaseDir);
        FAIL() << "accepted";
    } catch (const ConfigError& e) {
        EXPECT_EQ(e.message(), prefix(11) + "unknown key 'x' (this plugin takes no keys)");
    }
}

TEST(ValidateSettings, RejectsADuplicateKeyNamingBothLines) {
    EXPECT_EQ(errorOf({{"count", "1"}, {"enabled", "true"}, {"count", "2"}}),
              prefix(14) + "duplicate key 'count' (first given at /etc/relais/relais.xml:12)");
}

TEST(ValidateSettings, RejectsAMissingRequiredKeyAtTheInstancesLine) {
    try {
        (void)validateSettings(kTyped, instanceConfig("inst", "typed", {{"count", "1"}}, 40),
                               kBaseDir);
        FAIL() << "accepted";
    } catch (const ConfigError& e) {
        EXPECT_EQ(e.message(), std::string(kFile) +
                                   ":40: instance 'inst' (plugin 'typed'): missing required key "
                                   "'name'");
    }
}

TEST(ValidateSettings, ReportsTheFirstProblemInFileOrder) {
    EXPECT_THAT(errorOf({{"count", "x"}, {"colour", "blue"}}),
                HasSubstr("key 'count' must be an integer"));
    EXPECT_THAT(errorOf({{"colour", "blue"}, {"count", "x"}}), HasSubstr("unknown key 'colour'"));
}

TEST(ValidateSettings, NamesTheConfigWhenTheLocationIsUnknown) {
    config::InstanceConfig instance;
    instance.name = "inst";
    instance.params.push_back({"count", "x", {}});
    instance.params.push_back({"name", "x", {}});
    try {
        (void)validateSettings(kTyped, instance, kBaseDir);
        FAIL() << "accepted";
    } catch (const ConfigError& e) {
        EXPECT_EQ(e.message(),
                  "<config>: instance 'inst' (plugin 'typed'): key 'count' must be "
                  "an integer, got 'x'");
    }
}

TEST(ValidateSettings, ShortensVeryLongValuesInMessages) {
    const std::string long_value(500, '9');
    const std::string message = errorOf({{"enabled", long_value}});
    EXPECT_THAT(message, HasSubstr("got '" + long_value.substr(0, 120) + "...'"));
    EXPECT_LT(message.size(), 300U);
}

}  // namespace
}  // namespace relais::plugin
