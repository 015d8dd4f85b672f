// SPDX-License-Identifier: AGPL-3.0-or-later
// Store: status sync — the lifecycle through the one path (`recordEvent`), ordering by source
// version, deduplication, conflicts, idempotency keys, acknowledgement on delivery and push
// jobs towards the portal.
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "relais/store/lifecycle.h"
#include "relais/store/store.h"

#include "store_fixture.h"
#include "support/temp_dir.h"

namespace relais::store {
namespace {

using sdk::Status;
using test::sampleRequest;
using test::storeConfig;

constexpr std::int64_t kSecond = 1'000'000;

// The lifecycle written out independently of sdk::canTransition: (from, to) edges.
const std::set<std::pair<Status, Status>>& allowedEdges() {
    using enum Status;
    static const std::set<std::pair<Status, Status>> edges = {
        {Submitted, Acknowledged},
        {Submitted, InReview},
        {Submitted, AwaitingPayment},
        {Submitted, Withdrawn},
        {Submitted, RejectedTechnical},
        {Submitted, Refused},
        {Acknowledged, InReview},
        {Acknowledged, AwaitingApplicant},
        {Acknowledged, AwaitingPayment},
        {Acknowledged, Withdrawn},
        {Acknowledged, RejectedTechnical},
        {Acknowledged, Refused},
        {InReview, AwaitingApplicant},
        {InReview, AwaitingPayment},
        {InReview, Accepted},
        {InReview, Refused},
        {InReview, ClosedNoAction},
        {InReview, Withdrawn},
        {AwaitingApplicant, InReview},
        {AwaitingApplicant, ClosedNoAction},
        {AwaitingApplicant, Withdrawn},
        {AwaitingApplicant, Refused},
        {AwaitingPayment, InReview},
        {AwaitingPayment, Accepted},
        {AwaitingPayment, ClosedNoAction},
        {AwaitingPayment, Withdrawn},
        {Accepted, InReview},
        {Refused, InReview},
        {ClosedNoAction, InReview},
        {Withdrawn, InReview},
        {RejectedTechnical, InReview},
    };
    return edges;
}

sdk::Event statusChange(const std::string& dossier, Status status, const std::string& key = "",
                        const std::string& version = "") {
    sdk::Event event;
    event.dossier_id = dossier;
    event.type = "status_changed";
    event.side = sdk::EventSide::Backoffice;
    event.source_event_key = key;
    event.source_version = version;
    event.occurred_at = sdk::Timestamp::parse("2026-12-01T09:00:00+01:00").value();
    event.actor = "agent-12";
    event.is_public = true;
    event.payload = sdk::Json::object();
    event.payload.set("status", sdk::toString(status));
    sdk::Json sub = sdk::Json::object();
    sub.set("code", "C-" + std::string(sdk::toString(status)));
    sub.set("label", "Libellé " + std::string(sdk::toString(status)));
    event.payload.set("sub_status", std::move(sub));
    return event;
}

class StatusSyncStoreTest : public ::testing::Test {
protected:
    StatusSyncStoreTest() : config_(storeConfig(dir_)), store_(Store::open(config_)) {
        store_->setPushTargets({"portal-json"});
    }

    std::string ingest(const std::string& key, int jobs = 1) {
        auto outcome = store_->ingest(sampleRequest(key, jobs));
        EXPECT_TRUE(outcome) << outcome.error().message;
        return outcome ? outcome->dossier_id : std::string();
    }

    // Puts a dossier in `status`, set by `side`, behind the store's back (test set-up only).
    void force(const std::string& dossier, Status status, const std::string& side) {
        test::tamper(config_.path, "UPDATE dossiers SET status = '" +
                                       std::string(sdk::toString(status)) + "', status_side = '" +
                                       side + "' WHERE id = '" + dossier + "'");
    }

    sdk::Result<EventRecord> record(sdk::Event event, const std::string& source = "app",
                                    std::optional<std::int64_t> based_on = std::nullopt) {
        EventWrite write;
        write.event = std::move(event);
        write.source = source;
        write.based_on_version = based_on;
        return store_->recordEvent(std::move(write));
    }

    Status statusOf(const std::string& dossier) { return store_->statusDetail(dossier)->status; }

    std::vector<Job> pushJobs(const std::string& dossier) {
        std::vector<Job> out;
        auto jobs = store_->jobsOfDossier(dossier);
        EXPECT_TRUE(jobs);
        if (!jobs) return out;
        for (const Job& job : *jobs) {
            if (job.kind == "push") out.push_back(job);
        }
        return out;
    }

    relais::test::TempDir dir_;
    config::StoreConfig config_;
    std::unique_ptr<Store> store_;
};

TEST(LifecycleTest, EveryPairOfTheMatrixIsAllowedOrRefusedAsTheGraphSays) {
    for (const Status from : sdk::allStatuses()) {
        for (const Status to : sdk::allStatuses()) {
            const bool expected = from == to || allowedEdges().contains({from, to});
            auto checked = checkTransition(from, to);
            EXPECT_EQ(static_cast<bool>(checked), expected)
                << sdk::toString(from) << " -> " << sdk::toString(to);
            if (!checked) {
                EXPECT_EQ(checked.error().code, sdk::ErrorCode::Conflict);
                EXPECT_EQ(checked.error().field, "status");
                EXPECT_NE(
                    checked.error().message.find("'" + std::string(sdk::toString(from)) + "' to '" +
                                                 std::string(sdk::toString(to)) + "'"),
                    std::string::npos)
                    << checked.error().message;
            }
        }
    }
}

TEST(LifecycleTest, AnOperatorMayReplaceOneFinalStatusByAnother) {
    EXPECT_FALSE(checkTransition(Status::Withdrawn, Status::Accepted));
    EXPECT_TRUE(
        checkTransition(Status::Withdrawn, Status::Accepted, TransitionAuthority::Operator));
    EXPECT_FALSE(
        checkTransition(Status::Submitted, Status::Accepted, TransitionAuthority::Operator));
}

TEST(LifecycleTest, SourceVersionsCompareAsNumbersInstantsOrBytes) {
    EXPECT_LT(compareSourceVersions("9", "10"), 0);
    EXPECT_EQ(compareSourceVersions("007", "7"), 0);
    EXPECT_GT(compareSourceVersions("123456789012345678901234567890", "99"), 0);
    EXPECT_LT(compareSourceVersions("2026-12-01T10:00:00+01:00", "2026-12-01T09:30:00Z"), 0);
    EXPECT_LT(compareSourceVersions("a", "b"), 0);
}

TEST_F(StatusSyncStoreTest, EveryTransitionOfTheMatrixGoesThroughRecordEvent) {
    int n = 0;
    for (const Status from : sdk::allStatuses()) {
        for (const Status to : sdk::allStatuses()) {
            const std::string dossier = ingest("M-" + std::to_string(n++), 0);
            force(dossier, from, "backoffice");
            auto recorded = record(statusChange(dossier, to));
            const bool expected = from == to || allowedEdges().contains({from, to});
            ASSERT_EQ(static_cast<bool>(recorded), expected)
                << sdk::toString(from) << " -> " << sdk::toString(to);
            if (recorded) {
                EXPECT_EQ(recorded->outcome, EventOutcome::Applied);
                EXPECT_EQ(statusOf(dossier), to);
            } else {
                EXPECT_EQ(recorded.error().code, sdk::ErrorCode::Conflict);
                EXPECT_EQ(statusOf(dossier), from);  // nothing written
                EXPECT_EQ(store_->events(dossier)->size(), 1u);
            }
        }
    }
}

TEST_F(StatusSyncStoreTest, AChangeKeepsItsSubStatusAndBumpsTheVersion) {
    const std::string dossier = ingest("S-1", 0);
    auto recorded = record(statusChange(dossier, Status::InReview));
    ASSERT_TRUE(recorded) << recorded.error().message;
    const StatusDetail detail = *store_->statusDetail(dossier);
    EXPECT_EQ(detail.status, Status::InReview);
    EXPECT_EQ(detail.sub_status_code, "C-in_review");
    EXPECT_EQ(detail.sub_status_label, "Libellé in_review");
    EXPECT_EQ(detail.side, "backoffice");
    EXPECT_EQ(detail.event_id, recorded->event_id);
    EXPECT_EQ((*store_->findDossier(dossier))->version, 2);
}

TEST_F(StatusSyncStoreTest, AnOlderSourceVersionIsRecordedButDoesNotMoveTheStatus) {
    const std::string dossier = ingest("O-1", 0);
    ASSERT_TRUE(record(statusChange(dossier, Status::InReview, "e2", "2")));
    ASSERT_TRUE(record(statusChange(dossier, Status::AwaitingApplicant, "e3", "3")));
    auto older = record(statusChange(dossier, Status::InReview, "e1", "1"));
    ASSERT_TRUE(older) << older.error().message;
    EXPECT_EQ(older->outcome, EventOutcome::Stale);
    EXPECT_EQ(statusOf(dossier), Status::AwaitingApplicant);
    EXPECT_EQ(store_->events(dossier)->size(), 4u);    // recorded
    EXPECT_EQ(store_->timeline(dossier)->size(), 3u);  // submitted, e2, e3: not the stale one
    // Another source's versions are its own.
    auto portal = statusChange(dossier, Status::InReview, "p1", "1");
    portal.side = sdk::EventSide::Portal;
    EXPECT_EQ(record(portal, "portal-json")->outcome, EventOutcome::Applied);
}

TEST_F(StatusSyncStoreTest, TheSameSourceEventKeyTwiceIsOneEvent) {
    const std::string dossier = ingest("D-1", 0);
    auto first = record(statusChange(dossier, Status::InReview, "evt-1"));
    auto second = record(statusChange(dossier, Status::InReview, "evt-1"));
    ASSERT_TRUE(first && second);
    EXPECT_EQ(second->outcome, EventOutcome::Duplicate);
    EXPECT_EQ(second->event_id, first->event_id);
    EXPECT_EQ(store_->events(dossier)->size(), 2u);
    EXPECT_EQ(pushJobs(dossier).size(), 1u);
    // The key is per source: another source may use it.
    EXPECT_EQ(record(statusChange(dossier, Status::InReview, "evt-1"), "other-app")->outcome,
              EventOutcome::Applied);
}

TEST_F(StatusSyncStoreTest, AnIdempotencyKeyAnswersTheSameAndRefusesAnotherBody) {
    const std::string dossier = ingest("I-1", 0);
    const auto write = [&](Status status, const std::string& hash) {
        EventWrite w;
        w.event = statusChange(dossier, status);
        w.source = "app";
        w.idempotency = IdempotencyClaim{"events:app", "key-1", hash};
        return store_->recordEvent(std::move(w));
    };
    auto first = write(Status::InReview, "h1");
    ASSERT_TRUE(first) << first.error().message;
    for (int i = 0; i < 10; ++i) {
        auto again = write(Status::InReview, "h1");
        ASSERT_TRUE(again);
        EXPECT_TRUE(again->replayed);
        EXPECT_EQ(again->event_id, first->event_id);
        EXPECT_EQ(again->status, Status::InReview);
    }
    EXPECT_EQ(store_->events(dossier)->size(), 2u);
    auto other = write(Status::Accepted, "h2");
    ASSERT_FALSE(other);
    EXPECT_EQ(other.error().code, sdk::ErrorCode::Conflict);
    EXPECT_EQ(other.error().field, "Idempotency-Key");
}

TEST_F(StatusSyncStoreTest, CrossingDecisionsBecomeAConflictAnOperatorResolves) {
    const std::string dossier = ingest("C-1", 0);
    ASSERT_TRUE(record(statusChange(dossier, Status::InReview)));
    // The citizen withdraws on the portal…
    auto withdraw = statusChange(dossier, Status::Withdrawn, "w-1");
    withdraw.side = sdk::EventSide::Portal;
    withdraw.actor = "citizen";
    ASSERT_EQ(record(withdraw, "portal-json")->outcome, EventOutcome::Applied);
    // …while the application accepts, not having seen the withdrawal.
    auto accept = record(statusChange(dossier, Status::Accepted, "a-1"), "app", 2);
    ASSERT_TRUE(accept) << accept.error().message;
    EXPECT_EQ(accept->outcome, EventOutcome::Conflict);
    EXPECT_EQ(statusOf(dossier), Status::Withdrawn);  // never last-writer-wins

    auto open = store_->conflicts(true, 10);
    ASSERT_TRUE(open && open->size() == 1u);
    const ConflictRecord& conflict = open->front();
    EXPECT_EQ(conflict.id, accept->conflict_id);
    EXPECT_EQ(conflict.current.payload.find("status")->asString(), "withdrawn");
    EXPECT_EQ(conflict.incoming.payload.find("status")->asString(), "accepted");

    ConflictResolution resolution;
    resolution.winner = "incoming";
    resolution.actor = "operator";
    auto resolved = store_->resolveConflict(conflict.id, resolution);
    ASSERT_TRUE(resolved) << resolved.error().message;
    EXPECT_EQ(statusOf(dossier), Status::Accepted);
    EXPECT_FALSE(resolved->push_job_id.empty());  // the portal is told
    EXPECT_TRUE(store_->conflicts(true, 10)->empty());
    EXPECT_EQ((*store_->findConflict(conflict.id))->resolution, "accepted");
    EXPECT_EQ(store_->resolveConflict(conflict.id, resolution).error().code,
              sdk::ErrorCode::Conflict);
}

TEST_F(StatusSyncStoreTest, ADecisionBasedOnTheCurrentVersionIsNoConflictButARefusal) {
    const std::string dossier = ingest("C-2", 0);
    ASSERT_TRUE(record(statusChange(dossier, Status::InReview)));
    auto withdraw = statusChange(dossier, Status::Withdrawn);
    withdraw.side = sdk::EventSide::Portal;
    ASSERT_TRUE(record(withdraw, "portal-json"));
    const std::int64_t version = (*store_->findDossier(dossier))->version;
    auto accept = record(statusChange(dossier, Status::Accepted), "app", version);
    ASSERT_FALSE(accept);
    EXPECT_EQ(accept.error().code, sdk::ErrorCode::Conflict);
    EXPECT_TRUE(store_->conflicts(false, 10)->empty());
}

TEST_F(StatusSyncStoreTest, ADeliveredDossierIsAcknowledgedAndThePortalIsTold) {
    const std::string dossier = ingest("A-1", 2);
    const std::int64_t now = test::nowMicros();
    auto claimed = store_->claimJobs("w", now, now + 30 * kSecond, 10);
    ASSERT_TRUE(claimed && claimed->size() == 2u);
    Link link;
    link.business_id = "EC-1";
    ASSERT_TRUE(store_->completeJob((*claimed)[0].id, link, now));
    EXPECT_EQ(statusOf(dossier), Status::Submitted);  // one route still to go
    ASSERT_TRUE(store_->completeJob((*claimed)[1].id, link, now));
    EXPECT_EQ(statusOf(dossier), Status::Acknowledged);
    const auto pushes = pushJobs(dossier);
    ASSERT_EQ(pushes.size(), 1u);
    EXPECT_EQ(pushes[0].target, "portal-json");
    const auto event = *store_->findEvent(pushes[0].event_id);
    ASSERT_TRUE(event);
    EXPECT_EQ(event->payload.find("status")->asString(), "acknowledged");
    EXPECT_EQ(event->payload.find("business_id")->asString(), "EC-1");
}

TEST_F(StatusSyncStoreTest, PortalEventsAreNotPushedBackAndPushesRunInOrder) {
    const std::string dossier = ingest("P-1", 0);
    auto from_portal = statusChange(dossier, Status::InReview);
    from_portal.side = sdk::EventSide::Portal;
    ASSERT_TRUE(record(from_portal, "portal-json"));
    EXPECT_TRUE(pushJobs(dossier).empty());
    ASSERT_TRUE(record(statusChange(dossier, Status::AwaitingApplicant)));
    ASSERT_TRUE(record(statusChange(dossier, Status::InReview)));
    ASSERT_EQ(pushJobs(dossier).size(), 2u);

    const std::int64_t now = test::nowMicros();
    auto first = store_->claimJobs("w", now, now + 30 * kSecond, 10);
    ASSERT_TRUE(first && first->size() == 1u);  // the second waits for the first
    EXPECT_TRUE(store_->claimJobs("w", now, now + 30 * kSecond, 10)->empty());
    ASSERT_TRUE(store_->killJob(first->front().id, "portal down for good", now));
    auto second = store_->claimJobs("w", now, now + 30 * kSecond, 10);
    ASSERT_TRUE(second && second->size() == 1u);  // a dead push no longer blocks
    EXPECT_NE(second->front().id, first->front().id);
}

TEST_F(StatusSyncStoreTest, DossiersOfPortalsThatDoNotPushGetNoPushJobs) {
    store_->setPushTargets({});
    const std::string dossier = ingest("N-1", 0);
    ASSERT_TRUE(record(statusChange(dossier, Status::InReview)));
    EXPECT_TRUE(pushJobs(dossier).empty());
}

TEST_F(StatusSyncStoreTest, AnAdapterThatHasNowhereToPushIsDroppedFromThePushTargets) {
    const std::string first = ingest("D-1", 0);
    ASSERT_TRUE(record(statusChange(first, Status::InReview)));
    EXPECT_EQ(pushJobs(first).size(), 1u);

    store_->dropPushTarget("portal-json");
    const std::string second = ingest("D-2", 0);
    ASSERT_TRUE(record(statusChange(second, Status::InReview)));
    EXPECT_TRUE(pushJobs(second).empty());
    EXPECT_EQ(statusOf(second), Status::InReview);  // the event itself is applied
}

}  // namespace
}  // namespace relais::store
