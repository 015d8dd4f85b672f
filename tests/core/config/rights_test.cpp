// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/config/rights.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace relais::config {
namespace {

TEST(KnownRights, AreUniqueAndWellFormed) {
    const auto& known = knownRights();
    EXPECT_EQ(known.size(), 14U);
    for (std::size_t i = 0; i < known.size(); ++i) {
        EXPECT_TRUE(isKnownRight(known[i])) << known[i];
        EXPECT_EQ(std::count(known.begin(), known.end(), known[i]), 1) << known[i];
        EXPECT_EQ(known[i].find_first_not_of("abcdefghijklmnopqrstuvwxyz:-"), std::string::npos)
            << known[i];
    }
}

TEST(KnownRights, AreAllDocumented) {
    const std::string docs = test::readSourceFile("docs/configuration.md");
    for (const std::string_view right : knownRights()) {
        EXPECT_NE(docs.find("| `" + std::string(right) + "` |"), std::string::npos) << right;
    }
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
