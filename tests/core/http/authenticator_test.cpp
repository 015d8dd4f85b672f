// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/http/authenticator.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "relais/common/crypto.h"
#include "relais/common/errors.h"

namespace relais::http {
namespace {

config::ClientConfig clientConfig(std::string name, const std::string& key,
                                  std::vector<std::string> client_rights,
                                  std::vector<std::string> procedures = {},
                                  std::vector<std::string> instances = {}) {
    config::ClientConfig config;
    config.name = std::move(name);
    config.key_sha256 = common::sha256Hex(key);
    config.rights = std::move(client_rights);
    config.procedures = std::move(procedures);
    config.instances = std::move(instances);
    config.where = {"/etc/relais/relais.xml", 12};
    return config;
}

Authenticator standardAuthenticator() {
    return Authenticator({
        clientConfig("portal", "portal-key", {"dossiers:submit", "dossiers:read"},
                     {"cantine", "etat-civil"}, {"wcs"}),
        clientConfig("ops", "ops-key", {"admin"}, {"*"}, {"*"}),
        clientConfig("app", "app-key", {"events:write"}),
    });
}

TEST(AuthenticatorTest, FindsTheClientOfABearerKey) {
    const auto auth = standardAuthenticator();
    const Caller* client = auth.authenticate("Bearer portal-key");
    ASSERT_NE(client, nullptr);
    EXPECT_EQ(client->name(), "portal");
    ASSERT_NE(auth.authenticate("Bearer app-key"), nullptr);
    EXPECT_EQ(auth.authenticate("Bearer app-key")->name(), "app");
    EXPECT_EQ(auth.authenticate("Bearer ops-key")->name(), "ops");
}

TEST(AuthenticatorTest, AcceptsTheSchemeInAnyCaseAndSurroundingSpaces) {
    const auto auth = standardAuthenticator();
    EXPECT_NE(auth.authenticate("bearer portal-key"), nullptr);
    EXPECT_NE(auth.authenticate("BEARER   portal-key  "), nullptr);
    EXPECT_NE(auth.authenticate("  Bearer\tportal-key"), nullptr);
}

TEST(AuthenticatorTest, RefusesWrongMissingOrMalformedCredentials) {
    const auto auth = standardAuthenticator();
    EXPECT_EQ(auth.authenticate("Bearer portal-kez"), nullptr);
    EXPECT_EQ(auth.authenticate("Bearer PORTAL-KEY"), nullptr);
    EXPECT_EQ(auth.authenticate(""), nullptr);
    EXPECT_EQ(auth.authenticate("Bearer"), nullptr);
    EXPECT_EQ(auth.authenticate("Bearer "), nullptr);
    EXPECT_EQ(auth.authenticate("portal-key"), nullptr);
    EXPECT_EQ(auth.authenticate("Basic portal-key"), nullptr);
    EXPECT_EQ(auth.authenticate("Bearer portal-key extra"), nullptr);
    EXPECT_EQ(auth.authenticate("Bearerportal-key"), nullptr);
    EXPECT_EQ(auth.authenticate("Bearer " + std::string(5000, 'k')), nullptr);
    // The digest itself is not a key.
    EXPECT_EQ(auth.authenticate("Bearer " + common::sha256Hex("portal-key")), nullptr);
}

// A caller that can only be given a URL (a Démarches Simplifiées webhook) sends the key as
// the password of Basic credentials, with the client's name or no name as the user.
TEST(AuthenticatorTest, TakesTheKeyAsTheBasicPasswordForTheClientItNames) {
    const auto auth = standardAuthenticator();
    const Caller* named = auth.authenticate("Basic " + common::base64Encode("portal:portal-key"));
    ASSERT_NE(named, nullptr);
    EXPECT_EQ(named->name(), "portal");
    const Caller* anonymous = auth.authenticate("Basic " + common::base64Encode(":app-key"));
    ASSERT_NE(anonymous, nullptr);
    EXPECT_EQ(anonymous->name(), "app");
    EXPECT_EQ(auth.authenticate("Basic " + common::base64Encode("ops:portal-key")), nullptr);
    EXPECT_EQ(auth.authenticate("Basic " + common::base64Encode("portal:portal-kez")), nullptr);
    EXPECT_EQ(auth.authenticate("Basic " + common::base64Encode("portal-key")), nullptr);
    EXPECT_EQ(auth.authenticate("Basic " + common::base64Encode("portal:")), nullptr);
}

TEST(AuthenticatorTest, FindsClientsByName) {
    const auto auth = standardAuthenticator();
    ASSERT_NE(auth.find("app"), nullptr);
    EXPECT_EQ(auth.find("app")->name(), "app");
    EXPECT_EQ(auth.find("nobody"), nullptr);
    EXPECT_EQ(Authenticator({}).authenticate("Bearer portal-key"), nullptr);
}

TEST(AuthenticatorTest, AcceptsUppercaseDigests) {
    auto config = clientConfig("portal", "k-1234", {"dossiers:read"});
    std::transform(config.key_sha256.begin(), config.key_sha256.end(), config.key_sha256.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    const Authenticator auth({config});
    EXPECT_NE(auth.authenticate("Bearer k-1234"), nullptr);
}

TEST(AuthenticatorTest, RefusesInconsistentClientsNamingFileLineAndClient) {
    const auto expect_error = [](const std::vector<config::ClientConfig>& clients,
                                 const std::string& fragment) {
        try {
            Authenticator auth(clients);
            ADD_FAILURE() << "no error for " << fragment;
        } catch (const ConfigError& e) {
            EXPECT_NE(e.message().find(fragment), std::string::npos) << e.message();
            EXPECT_NE(e.message().find("/etc/relais/relais.xml:12"), std::string::npos)
                << e.message();
        }
    };
    auto bad_digest = clientConfig("a", "k", {});
    bad_digest.key_sha256 = "abc";
    expect_error({bad_digest}, "client 'a': key-sha256");
    expect_error({clientConfig("a", "k1", {}), clientConfig("a", "k2", {})}, "client 'a'");
    expect_error({clientConfig("a", "k", {}), clientConfig("b", "k", {})}, "client 'b'");
    expect_error({clientConfig("a", "k", {"dossiers:delete"})}, "unknown right 'dossiers:delete'");
    expect_error({clientConfig("", "k", {})}, "name is empty");
}

TEST(ClientTest, HoldsOnlyItsRights) {
    const auto auth = standardAuthenticator();
    const Caller& portal = *auth.find("portal");
    EXPECT_TRUE(portal.hasRight(rights::kDossiersSubmit));
    EXPECT_TRUE(portal.hasRight(rights::kDossiersRead));
    EXPECT_FALSE(portal.hasRight(rights::kEventsWrite));
    EXPECT_FALSE(portal.hasRight(rights::kJobsAdmin));
    EXPECT_FALSE(portal.hasRight(""));
}

TEST(ClientTest, AdminImpliesOperatorRightsOnly) {
    const auto auth = standardAuthenticator();
    const Caller& ops = *auth.find("ops");
    EXPECT_TRUE(ops.hasRight(rights::kAdmin));
    EXPECT_TRUE(ops.hasRight(rights::kJobsAdmin));
    EXPECT_TRUE(ops.hasRight(rights::kConnectorsRead));
    EXPECT_TRUE(ops.hasRight(rights::kMetricsRead));
    EXPECT_TRUE(ops.hasRight(rights::kAuditRead));
    // Data rights stay least-privilege: an operator key does not submit or read dossiers.
    EXPECT_FALSE(ops.hasRight(rights::kDossiersSubmit));
    EXPECT_FALSE(ops.hasRight(rights::kDossiersRead));
    EXPECT_FALSE(ops.hasRight(rights::kPrefillRead));
    EXPECT_FALSE(ops.hasRight(rights::kSubjectsAdmin));
}

TEST(ClientTest, ChecksProceduresAndInstancesWithWildcards) {
    const auto auth = standardAuthenticator();
    const Caller& portal = *auth.find("portal");
    EXPECT_TRUE(portal.mayUseProcedure("cantine"));
    EXPECT_FALSE(portal.mayUseProcedure("urbanisme"));
    EXPECT_FALSE(portal.mayUseProcedure(""));
    EXPECT_TRUE(portal.mayUseInstance("wcs"));
    EXPECT_FALSE(portal.mayUseInstance("ds"));
    const Caller& ops = *auth.find("ops");
    EXPECT_TRUE(ops.mayUseProcedure("urbanisme"));
    EXPECT_TRUE(ops.mayUseInstance("anything"));
    EXPECT_FALSE(ops.mayUseInstance(""));
    const Caller& app = *auth.find("app");
    EXPECT_FALSE(app.mayUseProcedure("cantine"));
    EXPECT_FALSE(app.mayUseInstance("wcs"));
}

TEST(RightsTest, ListsEveryNamedRightOnce) {
    const auto& all = rights::all();
    EXPECT_EQ(all.size(), 14u);
    for (const auto right :
         {rights::kDossiersSubmit, rights::kDossiersRead, rights::kEventsWrite, rights::kInboxRead,
          rights::kPrefillRead, rights::kAttributesWrite, rights::kSubjectsAdmin,
          rights::kAccessLogRead, rights::kConnectorsCall, rights::kConnectorsRead,
          rights::kJobsAdmin, rights::kMetricsRead, rights::kAuditRead, rights::kAdmin}) {
        EXPECT_EQ(std::count(all.begin(), all.end(), right), 1) << right;
    }
}

}  // namespace
}  // namespace relais::http
