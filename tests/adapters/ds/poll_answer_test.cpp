// SPDX-License-Identifier: AGPL-3.0-or-later
// What the poll makes of answers DS should never give: a list member sent as an object is an
// error naming it, never a read past the end (an object's size is its member count).

#include <string>

#include <gtest/gtest.h>

#include "ds_test_support.h"
#include "inbound.h"

namespace relais::adapters::ds {
namespace {

DsSettings settings() {
    auto validated = test::validated({{"token", "env:DS_TOKEN"}, {"demarches", "4242"}}, "/tmp");
    EXPECT_TRUE(validated) << validated.error().message;
    auto read = settingsFrom(*validated);
    EXPECT_TRUE(read) << read.error().message;
    return *read;
}

// A GraphqlCall that answers `data` whatever it is asked.
GraphqlCall answering(const std::string& data) {
    return [data](std::string_view, const sdk::Json&) { return sdk::Json::parse(data); };
}

TEST(DsPollAnswer, DossierNodesThatAreNotAListAreRefusedByName) {
    auto polled =
        pollDemarches(settings(),
                      answering(R"({"demarche": {"dossiers": {"nodes": {"a": 1, "b": 2},)"
                                R"( "pageInfo": {"hasNextPage": false, "endCursor": null}},)"
                                R"( "deletedDossiers": {"nodes": [],)"
                                R"( "pageInfo": {"hasNextPage": false, "endCursor": null}}}})"),
                      "", "ds-ville");
    ASSERT_FALSE(polled);
    EXPECT_EQ(polled.error().code, sdk::ErrorCode::InvalidArgument);
    EXPECT_EQ(polled.error().field, "dossiers.nodes");
}

TEST(DsPollAnswer, DeletedNodesThatAreNotAListAreRefusedByName) {
    auto polled =
        pollDemarches(settings(),
                      answering(R"({"demarche": {"dossiers": {"nodes": [],)"
                                R"( "pageInfo": {"hasNextPage": false, "endCursor": null}},)"
                                R"( "deletedDossiers": {"nodes": {"x": {}},)"
                                R"( "pageInfo": {"hasNextPage": false, "endCursor": null}}}})"),
                      "", "ds-ville");
    ASSERT_FALSE(polled);
    EXPECT_EQ(polled.error().field, "deletedDossiers.nodes");
}

TEST(DsPollAnswer, NoNodesAtAllIsAnEmptyPage) {
    auto polled =
        pollDemarches(settings(),
                      answering(R"({"demarche": {"dossiers": {"nodes": null,)"
                                R"( "pageInfo": {"hasNextPage": false, "endCursor": null}},)"
                                R"( "deletedDossiers": {"pageInfo": {"hasNextPage": false}}}})"),
                      "", "ds-ville");
    ASSERT_TRUE(polled) << polled.error().message;
    EXPECT_TRUE(polled->dossiers.empty());
    EXPECT_TRUE(polled->events.empty());
    EXPECT_FALSE(polled->more);
}

}  // namespace
}  // namespace relais::adapters::ds
