// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/config/rights.h"

#include <algorithm>

#include <gtest/gtest.h>

// Only the header's inline constants are used: the test does not link the HTTP module.
#include "relais/http/client.h"

namespace relais::config {
namespace {

TEST(KnownRights, MatchTheRightsTheHttpModuleChecks) {
    const std::vector<std::string_view> http_rights = {
        http::rights::kDossiersSubmit, http::rights::kDossiersRead,
        http::rights::kEventsWrite,    http::rights::kInboxRead,
        http::rights::kPrefillRead,    http::rights::kAttributesWrite,
        http::rights::kSubjectsAdmin,  http::rights::kConnectorsCall,
        http::rights::kConnectorsRead, http::rights::kJobsAdmin,
        http::rights::kMetricsRead,    http::rights::kAuditRead,
        http::rights::kAdmin,
    };
    EXPECT_EQ(knownRights(), http_rights);
    for (const std::string_view right : http_rights) EXPECT_TRUE(isKnownRight(right)) << right;
}

TEST(KnownRights, AreExactNames) {
    EXPECT_FALSE(isKnownRight(""));
    EXPECT_FALSE(isKnownRight("*"));
    EXPECT_FALSE(isKnownRight("Admin"));
    EXPECT_FALSE(isKnownRight("dossiers:submit "));
    EXPECT_FALSE(isKnownRight("dossiers"));
}

}  // namespace
}  // namespace relais::config
