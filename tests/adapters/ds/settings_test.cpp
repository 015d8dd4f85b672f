// SPDX-License-Identifier: AGPL-3.0-or-later
// The DS adapter's settings, read through the host's validation of its config keys.

#include "settings.h"

#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "ds_test_support.h"

namespace relais::adapters::ds {
namespace {

using test::Params;

sdk::Result<DsSettings> read(Params params) {
    params.emplace(params.begin(), "token", "env:DS_TOKEN");
    auto settings = test::validated(params, "/tmp");
    if (!settings) return std::move(settings).error();
    return settingsFrom(*settings);
}

std::string fieldOf(const Params& params) {
    auto settings = read(params);
    EXPECT_FALSE(settings) << "accepted";
    return settings ? std::string() : settings.error().field;
}

TEST(DsSettings, DefaultsAreTheRealApiAHundredPerPageAndDsDashNumberCodes) {
    auto settings = read({{"demarches", "4242, 777"}});
    ASSERT_TRUE(settings) << settings.error().message;
    EXPECT_EQ(settings->endpoint, "https://demarche.numerique.gouv.fr/api/v2/graphql");
    EXPECT_EQ(settings->token_reference, "env:DS_TOKEN");
    EXPECT_EQ(settings->demarches, (std::vector<std::int64_t>{4242, 777}));
    EXPECT_EQ(settings->page_size, 100);
    EXPECT_EQ(settings->timeout_ms, 30'000);
    EXPECT_FALSE(settings->disable_notification);
    EXPECT_EQ(settings->procedureOf(777), "ds-777");
}

TEST(DsSettings, ReadsEveryKey) {
    auto settings = read({{"endpoint", "http://127.0.0.1:9/api/v2/graphql"},
                          {"instructeur-id", "SW5zdHJ1Y3RldXItMQ=="},
                          {"demarches", "4242,777"},
                          {"procedure", "4242:periscolaire"},
                          {"page-size", "20"},
                          {"disable-notification", "true"},
                          {"timeout", "5s"}});
    ASSERT_TRUE(settings) << settings.error().message;
    EXPECT_EQ(settings->endpoint, "http://127.0.0.1:9/api/v2/graphql");
    EXPECT_EQ(settings->instructeur_id, "SW5zdHJ1Y3RldXItMQ==");
    EXPECT_EQ(settings->procedureOf(4242), "periscolaire");
    EXPECT_EQ(settings->procedureOf(777), "ds-777");
    EXPECT_EQ(settings->page_size, 20);
    EXPECT_TRUE(settings->disable_notification);
    EXPECT_EQ(settings->timeout_ms, 5'000);
}

TEST(DsSettings, ErrorsNameTheKey) {
    EXPECT_EQ(fieldOf({{"demarches", "4242, abc"}}), "demarches");
    EXPECT_EQ(fieldOf({{"demarches", "4242, 4242"}}), "demarches");
    EXPECT_EQ(fieldOf({{"demarches", "-3"}}), "demarches");
    EXPECT_EQ(fieldOf({{"demarches", "4242"}, {"procedure", "periscolaire"}}), "procedure");
    EXPECT_EQ(fieldOf({{"demarches", "4242"}, {"procedure", "777:autre"}}), "procedure");
    EXPECT_EQ(fieldOf({{"demarches", "4242"}, {"procedure", "4242:a, 4242:b"}}), "procedure");
    EXPECT_EQ(fieldOf({{"demarches", "4242"}, {"page-size", "101"}}), "page-size");
    EXPECT_EQ(fieldOf({{"demarches", "4242"}, {"page-size", "0"}}), "page-size");
    EXPECT_EQ(fieldOf({{"demarches", "4242"}, {"timeout", "2h"}}), "timeout");
    EXPECT_EQ(fieldOf({{"demarches", "4242"}, {"ca-file", "/nonexistent/ca.pem"}}), "ca-file");
}

TEST(DsSettings, AMissingDemarchesListIsAConfigError) {
    auto settings = read({});
    ASSERT_FALSE(settings);
    EXPECT_NE(settings.error().message.find("demarches"), std::string::npos)
        << settings.error().message;
}

}  // namespace
}  // namespace relais::adapters::ds
