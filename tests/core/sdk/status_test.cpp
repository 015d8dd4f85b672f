// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/sdk/status.h"

#include <gtest/gtest.h>

namespace relais::sdk {
namespace {

TEST(Status, NamesRoundTrip) {
    for (const Status s : allStatuses()) {
        EXPECT_EQ(parseStatus(toString(s)), s);
    }
    EXPECT_FALSE(parseStatus("en_instruction").has_value());
    EXPECT_EQ(allStatuses().size(), 10U);
}

TEST(Status, FollowsTheCanonicalLifecycle) {
    EXPECT_TRUE(canTransition(Status::Submitted, Status::Acknowledged));
    EXPECT_TRUE(canTransition(Status::Acknowledged, Status::InReview));
    EXPECT_TRUE(canTransition(Status::InReview, Status::AwaitingApplicant));
    EXPECT_TRUE(canTransition(Status::AwaitingApplicant, Status::InReview));
    EXPECT_TRUE(canTransition(Status::InReview, Status::Accepted));
    EXPECT_TRUE(canTransition(Status::InReview, Status::Refused));
    EXPECT_TRUE(canTransition(Status::InReview, Status::ClosedNoAction));
    EXPECT_TRUE(canTransition(Status::InReview, Status::AwaitingPayment));
    EXPECT_TRUE(canTransition(Status::AwaitingPayment, Status::Accepted));
}

TEST(Status, RefusesShortcutsToADecision) {
    EXPECT_FALSE(canTransition(Status::Submitted, Status::Accepted));
    EXPECT_FALSE(canTransition(Status::Acknowledged, Status::Accepted));
    EXPECT_FALSE(canTransition(Status::AwaitingApplicant, Status::Accepted));
    EXPECT_FALSE(canTransition(Status::InReview, Status::InReview));
}

TEST(Status, FinalStatesOnlyReopenToInReview) {
    for (const Status s : allStatuses()) {
        if (!isFinal(s)) continue;
        for (const Status to : allStatuses()) {
            EXPECT_EQ(canTransition(s, to), to == Status::InReview)
                << toString(s) << " -> " << toString(to);
        }
    }
    EXPECT_TRUE(isFinal(Status::Withdrawn));
    EXPECT_FALSE(isFinal(Status::AwaitingPayment));
}

}  // namespace
}  // namespace relais::sdk
