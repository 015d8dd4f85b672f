// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/pipeline/sync_delivery.h"

#include <gtest/gtest.h>

#include "relais/pipeline/routes.h"

namespace relais::pipeline {
namespace {

Route syncRoute() {
    return Route{.name = "r",
                 .procedure = "p",
                 .target = "erp",
                 .connector = nullptr,
                 .mapping = nullptr,
                 .response_mapping = nullptr,
                 .condition = nullptr,
                 .sync = true,
                 .dead_on_sync_failure = false,
                 .retry = RetryPolicy(config::RetryConfig{}),
                 .where = {}};
}

sdk::Dossier dossier() {
    sdk::Dossier d;
    d.id = "d-1";
    d.procedure = "p";
    return d;
}

DeliveryReport report(DeliveryOutcome outcome) {
    DeliveryReport r;
    r.outcome = outcome;
    r.receipt.business_id = "B-7";
    r.receipt.display_id = "N-7";
    r.error.message = "connection refused";
    return r;
}

TEST(SyncDelivery, DeliveredWithoutResponseMappingAnswersTheIds) {
    auto answer = answerForDelivery(syncRoute(), dossier(), report(DeliveryOutcome::Delivered));
    ASSERT_TRUE(answer.ok()) << answer.error().message;
    EXPECT_EQ(answer->kind, SyncAnswer::Kind::Delivered);
    EXPECT_FALSE(answer->mapped.has_value());
    EXPECT_EQ(answer->business_id, "B-7");
    EXPECT_EQ(answer->display_id, "N-7");
}

TEST(SyncDelivery, HandedOverIsAwaitingAcknowledgement) {
    auto answer =
        answerForDelivery(syncRoute(), dossier(), report(DeliveryOutcome::AwaitingAcknowledgement));
    ASSERT_TRUE(answer.ok());
    EXPECT_EQ(answer->kind, SyncAnswer::Kind::AwaitingAcknowledgement);
}

TEST(SyncDelivery, RetryingAndUnrecordedFailuresSayTheyWillBeRetried) {
    for (const auto outcome : {DeliveryOutcome::Retrying, DeliveryOutcome::NotRecorded}) {
        auto answer = answerForDelivery(syncRoute(), dossier(), report(outcome));
        ASSERT_TRUE(answer.ok());
        EXPECT_EQ(answer->kind, SyncAnswer::Kind::Failed);
        EXPECT_TRUE(answer->retrying);
        EXPECT_EQ(answer->target, "erp");
        EXPECT_EQ(answer->failure, "connection refused");
    }
}

TEST(SyncDelivery, DeadFailureIsNotRetried) {
    auto answer = answerForDelivery(syncRoute(), dossier(), report(DeliveryOutcome::Dead));
    ASSERT_TRUE(answer.ok());
    EXPECT_EQ(answer->kind, SyncAnswer::Kind::Failed);
    EXPECT_FALSE(answer->retrying);
}

}  // namespace
}  // namespace relais::pipeline
