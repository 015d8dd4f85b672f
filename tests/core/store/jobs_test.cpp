// SPDX-License-Identifier: AGPL-3.0-or-later
// Store: the outbox (claim, complete, retry, kill, replay).
#include <algorithm>
#include <atomic>
#include <latch>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "relais/store/store.h"

#include "store_fixture.h"
#include "support/temp_dir.h"

namespace relais::store {
namespace {

using test::Probe;
using test::sampleRequest;
using test::storeConfig;

constexpr std::int64_t kSecond = 1'000'000;

class JobsTest : public ::testing::Test {
protected:
    JobsTest() : config_(storeConfig(dir_)), store_(Store::open(config_)) {}

    /// Ingests a dossier with `jobs` jobs; returns its id.
    std::string ingest(const std::string& key, int jobs = 1) {
        auto outcome = store_->ingest(sampleRequest(key, jobs));
        EXPECT_TRUE(outcome) << outcome.error().message;
        return outcome ? outcome->dossier_id : std::string();
    }

    /// Claims exactly one job at `now` (or fails the test).
    Job claimOne(const std::string& worker, std::int64_t now) {
        auto claimed = store_->claimJobs(worker, now, now + 30 * kSecond, 1);
        EXPECT_TRUE(claimed) << claimed.error().message;
        EXPECT_EQ(claimed ? claimed->size() : 0u, 1u);
        return claimed && !claimed->empty() ? claimed->front() : Job{};
    }

    Job job(const std::string& id) {
        auto found = store_->findJob(id);
        EXPECT_TRUE(found && found->has_value());
        return found && found->has_value() ? **found : Job{};
    }

    relais::test::TempDir dir_;
    config::StoreConfig config_;
    std::unique_ptr<Store> store_;
};

TEST_F(JobsTest, ClaimingLeasesDueJobsToOneWorker) {
    const std::string dossier = ingest("C-1", 2);
    const std::int64_t now = test::nowMicros();
    auto claimed = store_->claimJobs("worker-a", now, now + 30 * kSecond, 10);
    ASSERT_TRUE(claimed) << claimed.error().message;
    ASSERT_EQ(claimed->size(), 2u);
    for (const Job& job : *claimed) {
        EXPECT_EQ(job.state, JobState::Running);
        EXPECT_EQ(job.claimed_by, "worker-a");
        EXPECT_EQ(job.lease_until, now + 30 * kSecond);
        EXPECT_EQ(job.attempts, 1);
        EXPECT_EQ(job.dossier_id, dossier);
    }
    auto again = store_->claimJobs("worker-b", now, now + 30 * kSecond, 10);
    ASSERT_TRUE(again);
    EXPECT_TRUE(again->empty());
    EXPECT_TRUE(store_->claimJobs("worker-b", now, now, 0)->empty());
}

TEST_F(JobsTest, AJobWhoseLeaseExpiredIsClaimedAgain) {
    ingest("C-2");
    const std::int64_t now = test::nowMicros();
    const Job first = claimOne("worker-a", now);
    // Before the lease ends nobody else gets it; after, another worker does.
    EXPECT_TRUE(store_->claimJobs("worker-b", now + 29 * kSecond, now + 60 * kSecond, 5)->empty());
    const Job second = claimOne("worker-b", now + 31 * kSecond);
    EXPECT_EQ(second.id, first.id);
    EXPECT_EQ(second.claimed_by, "worker-b");
    EXPECT_EQ(second.attempts, 2);
}

TEST_F(JobsTest, ConcurrentClaimersNeverShareAJob) {
    constexpr int kDossiers = 60;
    for (int i = 0; i < kDossiers; ++i) ingest("many-" + std::to_string(i), 2);
    const std::int64_t now = test::nowMicros();

    constexpr int kWorkers = 4;
    std::latch start(kWorkers);
    std::vector<std::vector<std::string>> claimed(kWorkers);
    std::atomic<int> errors{0};
    std::vector<std::thread> threads;
    for (int w = 0; w < kWorkers; ++w) {
        threads.emplace_back([&, w] {
            const std::string worker = "worker-" + std::to_string(w);
            start.arrive_and_wait();
            for (;;) {
                auto batch = store_->claimJobs(worker, now, now + 60 * kSecond, 3);
                if (!batch) {
                    ++errors;
                    return;
                }
                if (batch->empty()) return;
                for (const Job& job : *batch) {
                    EXPECT_EQ(job.claimed_by, worker);
                    claimed[w].push_back(job.id);
                }
            }
        });
    }
    for (auto& thread : threads) thread.join();

    EXPECT_EQ(errors.load(), 0);
    std::map<std::string, int> times;
    std::size_t total = 0;
    for (const auto& ids : claimed) {
        total += ids.size();
        for (const std::string& id : ids) ++times[id];
    }
    EXPECT_EQ(total, static_cast<std::size_t>(kDossiers * 2));
    EXPECT_EQ(times.size(), static_cast<std::size_t>(kDossiers * 2));
    for (const auto& [id, n] : times)
        EXPECT_EQ(n, 1) << "job " << id << " claimed " << n << " times";
    Probe probe(config_.path);
    EXPECT_EQ(probe.integer("SELECT COUNT(*) FROM jobs WHERE state = 'running' AND attempts = 1"),
              kDossiers * 2);
}

TEST_F(JobsTest, CompletingRecordsTheLinkAndADeliveredEvent) {
    const std::string dossier = ingest("D-1");
    const std::int64_t now = test::nowMicros();
    const Job claimed = claimOne("worker-a", now);

    Link link;
    link.business_id = "EC-2026-000123";
    link.display_id = "2026/123";
    ASSERT_TRUE(store_->completeJob(claimed.id, link, now + kSecond));

    const Job done = job(claimed.id);
    EXPECT_EQ(done.state, JobState::Done);
    EXPECT_EQ(done.lease_until, 0);
    EXPECT_EQ(done.updated_at, now + kSecond);

    auto links = store_->links(dossier);
    ASSERT_TRUE(links);
    ASSERT_EQ(links->size(), 1u);
    EXPECT_EQ((*links)[0].dossier_id, dossier);
    EXPECT_EQ((*links)[0].target, claimed.target);
    EXPECT_EQ((*links)[0].business_id, "EC-2026-000123");
    EXPECT_EQ((*links)[0].display_id, "2026/123");
    EXPECT_EQ((*links)[0].created_at, now + kSecond);

    auto events = store_->events(dossier);
    ASSERT_TRUE(events);
    // Submitted, delivered, and (issue 11) acknowledged: the dossier's only delivery is done.
    ASSERT_EQ(events->size(), 3u);
    EXPECT_EQ(events->back().type, "status_changed");
    EXPECT_EQ(events->back().payload.find("status")->asString(), "acknowledged");
    EXPECT_EQ(events->back().payload.find("business_id")->asString(), "EC-2026-000123");
    EXPECT_TRUE(events->back().is_public);
    const sdk::Event& delivered = (*events)[1];
    EXPECT_EQ(delivered.type, "delivered");
    EXPECT_EQ(delivered.side, sdk::EventSide::Relais);
    EXPECT_EQ(delivered.actor, claimed.target);
    EXPECT_EQ(delivered.occurred_at.micros, now + kSecond);
    EXPECT_EQ(delivered.payload.find("job_id")->asString(), claimed.id);
    EXPECT_EQ(delivered.payload.find("business_id")->asString(), "EC-2026-000123");

    // A finished job cannot be completed twice; a replayed one updates its link.
    auto twice = store_->completeJob(claimed.id, link, now + 2 * kSecond);
    ASSERT_FALSE(twice);
    EXPECT_EQ(twice.error().code, sdk::ErrorCode::Conflict);
    ASSERT_TRUE(*store_->replayJob(claimed.id, now + 3 * kSecond));
    claimOne("worker-b", now + 3 * kSecond);
    link.business_id = "EC-2026-000124";
    link.display_id.clear();
    ASSERT_TRUE(store_->completeJob(claimed.id, link, now + 4 * kSecond));
    links = store_->links(dossier);
    ASSERT_EQ(links->size(), 1u);
    EXPECT_EQ((*links)[0].business_id, "EC-2026-000124");
    EXPECT_EQ((*links)[0].display_id, "");
    EXPECT_EQ(store_->events(dossier)->size(), 4u);  // acknowledged once only
}

TEST_F(JobsTest, CompletingAnUnknownOrIdleJobFails) {
    const std::string dossier = ingest("D-2");
    auto unknown = store_->completeJob("no-such-job", Link{}, test::nowMicros());
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, sdk::ErrorCode::NotFound);

    const std::string pending = store_->jobsOfDossier(dossier)->front().id;
    auto idle = store_->completeJob(pending, Link{}, test::nowMicros());
    ASSERT_FALSE(idle);
    EXPECT_EQ(idle.error().code, sdk::ErrorCode::Conflict);
    EXPECT_NE(idle.error().message.find("pending"), std::string::npos);
    EXPECT_EQ(store_->events(dossier)->size(), 1u);  // nothing half-written
    EXPECT_TRUE(store_->links(dossier)->empty());

    // A link for another dossier is refused, and nothing of the completion is kept.
    const Job claimed = claimOne("w", test::nowMicros());
    Link wrong;
    wrong.dossier_id = "another-dossier";
    wrong.business_id = "X";
    auto refused = store_->completeJob(claimed.id, wrong, test::nowMicros());
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, sdk::ErrorCode::InvalidArgument);
    EXPECT_EQ(job(claimed.id).state, JobState::Running);
}

TEST_F(JobsTest, ARetriedJobWaitsForItsNextAttempt) {
    ingest("R-1");
    const std::int64_t now = test::nowMicros();
    const Job claimed = claimOne("worker-a", now);
    ASSERT_TRUE(store_->retryJob(claimed.id, now + 10 * kSecond, "HTTP 503 from target", now));

    const Job pending = job(claimed.id);
    EXPECT_EQ(pending.state, JobState::Pending);
    EXPECT_EQ(pending.next_attempt_at, now + 10 * kSecond);
    EXPECT_EQ(pending.last_error, "HTTP 503 from target");
    EXPECT_EQ(pending.claimed_by, "");
    EXPECT_EQ(pending.lease_until, 0);

    EXPECT_TRUE(store_->claimJobs("worker-b", now + 9 * kSecond, now + 60 * kSecond, 5)->empty());
    const Job again = claimOne("worker-b", now + 10 * kSecond);
    EXPECT_EQ(again.id, claimed.id);
    EXPECT_EQ(again.attempts, 2);

    auto retried = store_->retryJob(claimed.id, now, "x", now);
    EXPECT_TRUE(retried);  // running again: a retry is legal
    auto idle = store_->retryJob(claimed.id, now, "x", now);
    ASSERT_FALSE(idle);
    EXPECT_EQ(idle.error().code, sdk::ErrorCode::Conflict);
}

TEST_F(JobsTest, AKilledJobIsDeadWithAnEventAndCanBeReplayed) {
    const std::string dossier = ingest("K-1");
    const std::int64_t now = test::nowMicros();
    const Job claimed = claimOne("worker-a", now);
    ASSERT_TRUE(store_->killJob(claimed.id, "422: unknown school code", now + kSecond));

    const Job dead = job(claimed.id);
    EXPECT_EQ(dead.state, JobState::Dead);
    EXPECT_EQ(dead.last_error, "422: unknown school code");
    auto dead_jobs = store_->jobs(JobState::Dead, 10);
    ASSERT_TRUE(dead_jobs);
    ASSERT_EQ(dead_jobs->size(), 1u);
    EXPECT_EQ(dead_jobs->front().id, claimed.id);
    EXPECT_TRUE(store_->jobs(JobState::Pending, 10)->empty());
    EXPECT_EQ(store_->jobs(std::nullopt, 10)->size(), 1u);

    const sdk::Event failed = store_->events(dossier)->back();
    EXPECT_EQ(failed.type, "delivery_failed");
    EXPECT_EQ(failed.side, sdk::EventSide::Relais);
    EXPECT_EQ(failed.payload.find("error")->asString(), "422: unknown school code");
    EXPECT_EQ(failed.payload.find("job_id")->asString(), claimed.id);

    auto twice = store_->killJob(claimed.id, "again", now);
    ASSERT_FALSE(twice);
    EXPECT_EQ(twice.error().code, sdk::ErrorCode::Conflict);

    // Replay: back to pending, due now, fresh attempts, same idempotency key.
    auto replayed = store_->replayJob(claimed.id, now + 2 * kSecond);
    ASSERT_TRUE(replayed);
    EXPECT_TRUE(*replayed);
    const Job pending = job(claimed.id);
    EXPECT_EQ(pending.state, JobState::Pending);
    EXPECT_EQ(pending.attempts, 0);
    EXPECT_EQ(pending.next_attempt_at, now + 2 * kSecond);
    EXPECT_EQ(pending.idempotency_key, claimed.idempotency_key);
    EXPECT_EQ(claimOne("worker-b", now + 2 * kSecond).id, claimed.id);

    // Only dead or done jobs are replayed.
    auto running = store_->replayJob(claimed.id, now);
    ASSERT_TRUE(running);
    EXPECT_FALSE(*running);
    auto unknown = store_->replayJob("no-such-job", now);
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, sdk::ErrorCode::NotFound);
}

TEST_F(JobsTest, ListingNeedsAPositiveLimitAndHonoursIt) {
    ingest("L-1", 3);
    EXPECT_EQ(store_->jobs(JobState::Pending, 2)->size(), 2u);
    auto refused = store_->jobs(std::nullopt, 0);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, sdk::ErrorCode::InvalidArgument);
    EXPECT_FALSE(store_->findJob("nope")->has_value());
}

TEST(JobState, NamesRoundTrip) {
    for (JobState state : {JobState::Pending, JobState::Running, JobState::Done, JobState::Dead,
                           JobState::AwaitingAck}) {
        EXPECT_EQ(parseJobState(toString(state)), state);
    }
    EXPECT_EQ(toString(JobState::AwaitingAck), "awaiting_ack");
    EXPECT_FALSE(parseJobState("Pending").has_value());
}

}  // namespace
}  // namespace relais::store
