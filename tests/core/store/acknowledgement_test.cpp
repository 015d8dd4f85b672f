// SPDX-License-Identifier: AGPL-3.0-or-later
// Store: deliveries confirmed later (acknowledgements, pull inbox), redelivery, restart
// release, and the hash-chained audit trail.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "relais/common/crypto.h"
#include "relais/store/store.h"

#include "store_fixture.h"
#include "support/temp_dir.h"

namespace relais::store {
namespace {

using test::Probe;
using test::sampleRequest;
using test::storeConfig;

constexpr std::int64_t kSecond = 1'000'000;

class AcknowledgementTest : public ::testing::Test {
protected:
    AcknowledgementTest() : config_(storeConfig(dir_)), store_(Store::open(config_)) {}

    std::string ingest(const std::string& key, int jobs = 1) {
        auto outcome = store_->ingest(sampleRequest(key, jobs));
        EXPECT_TRUE(outcome) << outcome.error().message;
        return outcome ? outcome->dossier_id : std::string();
    }

    Job claimOne(std::int64_t now) {
        auto claimed = store_->claimJobs("w", now, now + 30 * kSecond, 1);
        EXPECT_TRUE(claimed && claimed->size() == 1U);
        return claimed && !claimed->empty() ? claimed->front() : Job{};
    }

    JobState stateOf(const std::string& id) {
        auto found = store_->findJob(id);
        EXPECT_TRUE(found && found->has_value());
        return found && found->has_value() ? (*found)->state : JobState::Pending;
    }

    relais::test::TempDir dir_;
    config::StoreConfig config_;
    std::unique_ptr<Store> store_;
};

TEST_F(AcknowledgementTest, AHandedOverJobCompletesWhenAcknowledged) {
    const std::string dossier = ingest("A-1");
    const std::int64_t now = test::nowMicros();
    const Job job = claimOne(now);
    ASSERT_TRUE(store_->awaitAcknowledgement(job.id, Link{"", "", "drop-A-1", "", 0}, now));
    EXPECT_EQ(stateOf(job.id), JobState::AwaitingAck);

    auto acknowledged =
        store_->acknowledge(dossier, job.target, Link{"", "", "GED-77", "N°77", 0}, now);
    ASSERT_TRUE(acknowledged);
    EXPECT_TRUE(*acknowledged);
    EXPECT_EQ(stateOf(job.id), JobState::Done);
    auto links = store_->links(dossier);
    ASSERT_TRUE(links && links->size() == 1U);
    EXPECT_EQ(links->front().business_id, "GED-77");
    EXPECT_EQ(links->front().display_id, "N°77");

    // A second acknowledgement (the same file read again) changes nothing.
    auto again = store_->acknowledge(dossier, job.target, Link{}, now);
    ASSERT_TRUE(again);
    EXPECT_FALSE(*again);
}

TEST_F(AcknowledgementTest, TheInboxHoldsPayloadsUntilAcknowledged) {
    const std::string first = ingest("I-1");
    const std::string second = ingest("I-2");
    const std::int64_t now = test::nowMicros();
    const Job a = claimOne(now);
    const Job b = claimOne(now);
    ASSERT_TRUE(store_->putInInbox(a.id, "application/json", R"({"n":1})", now));
    ASSERT_TRUE(store_->putInInbox(b.id, "application/xml", "<n>2</n>", now + 1));

    auto items = store_->inbox(a.target, 10);
    ASSERT_TRUE(items);
    ASSERT_EQ(items->size(), 2U);
    EXPECT_EQ(items->at(0).job_id, a.id);
    EXPECT_EQ(items->at(0).dossier_id, first);
    EXPECT_EQ(items->at(0).payload, R"({"n":1})");
    EXPECT_EQ(items->at(1).content_type, "application/xml");
    EXPECT_TRUE(store_->inbox("another-inbox", 10)->empty());

    auto outcome = store_->acknowledgeInbox(
        a.target, {InboxAck{a.id, "EC-1", ""}, InboxAck{"no-such-job", "", ""}}, now);
    ASSERT_TRUE(outcome) << outcome.error().message;
    EXPECT_EQ(outcome->acknowledged, std::vector<std::string>{a.id});
    EXPECT_EQ(outcome->unknown, std::vector<std::string>{"no-such-job"});
    EXPECT_EQ(stateOf(a.id), JobState::Done);
    EXPECT_EQ(store_->links(first)->front().business_id, "EC-1");

    // Idempotent: acknowledging again is reported, not an error, and changes nothing.
    auto repeat = store_->acknowledgeInbox(a.target, {InboxAck{a.id, "EC-9", ""}}, now);
    ASSERT_TRUE(repeat);
    EXPECT_EQ(repeat->already, std::vector<std::string>{a.id});
    EXPECT_EQ(store_->links(first)->front().business_id, "EC-1");
    ASSERT_EQ(store_->inbox(a.target, 10)->size(), 1U);
    EXPECT_EQ(store_->inbox(a.target, 10)->front().dossier_id, second);

    // Another target cannot acknowledge this inbox's items.
    auto foreign = store_->acknowledgeInbox("other", {InboxAck{b.id, "", ""}}, now);
    ASSERT_TRUE(foreign);
    EXPECT_EQ(foreign->unknown, std::vector<std::string>{b.id});
}

TEST_F(AcknowledgementTest, OnlyARunningJobGoesIntoTheInbox) {
    ingest("I-3");
    const std::int64_t now = test::nowMicros();
    const Job job = claimOne(now);
    ASSERT_TRUE(store_->completeJob(job.id, Link{}, now));
    auto put = store_->putInInbox(job.id, "application/json", "{}", now);
    ASSERT_FALSE(put);
    EXPECT_EQ(put.error().code, sdk::ErrorCode::Conflict);
}

TEST_F(AcknowledgementTest, RestartReleasesRunningJobsAtOnce) {
    ingest("R-1", 2);
    const std::int64_t now = test::nowMicros();
    auto claimed = store_->claimJobs("dead-process", now, now + 3600 * kSecond, 10);
    ASSERT_TRUE(claimed && claimed->size() == 2U);
    auto released = store_->releaseRunningJobs(now);
    ASSERT_TRUE(released);
    EXPECT_EQ(*released, 2);
    auto again = store_->claimJobs("new-process", now, now + 30 * kSecond, 10);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->size(), 2U);
}

TEST_F(AcknowledgementTest, RedeliveryAddsJobsWithFreshKeys) {
    const std::string dossier = ingest("D-1");
    const std::int64_t now = test::nowMicros();
    auto added = store_->addJobs(dossier, {NewJob{"deliver", "route-1", "app", "", "", 0}}, now);
    ASSERT_TRUE(added) << added.error().message;
    ASSERT_EQ(added->size(), 1U);
    auto jobs = store_->jobsOfDossier(dossier);
    ASSERT_TRUE(jobs && jobs->size() == 2U);
    EXPECT_NE(jobs->at(0).idempotency_key, jobs->at(1).idempotency_key);
    EXPECT_EQ(store_->addJobs("no-such-dossier", {NewJob{}}, now).error().code,
              sdk::ErrorCode::NotFound);
}

TEST_F(AcknowledgementTest, CountsJobsByState) {
    ingest("N-1", 3);
    const std::int64_t now = test::nowMicros();
    const Job job = claimOne(now);
    ASSERT_TRUE(store_->killJob(job.id, "boom", now));
    auto counts = store_->jobCounts();
    ASSERT_TRUE(counts);
    std::int64_t pending = 0;
    std::int64_t dead = 0;
    for (const auto& [state, n] : *counts) {
        if (state == JobState::Pending) pending = n;
        if (state == JobState::Dead) dead = n;
    }
    EXPECT_EQ(pending, 2);
    EXPECT_EQ(dead, 1);
}

TEST_F(AcknowledgementTest, FindsADossierBySourceKey) {
    const std::string dossier = ingest("K-1");
    auto found = store_->findDossierId("portal-json", "K-1");
    ASSERT_TRUE(found && found->has_value());
    EXPECT_EQ(**found, dossier);
    EXPECT_FALSE(store_->findDossierId("portal-json", "K-2")->has_value());
}

TEST_F(AcknowledgementTest, TheAuditTrailIsHashChained) {
    ASSERT_TRUE(
        store_->appendAudit(AuditEntry{0, "portal", "subj-1", "", "prefill.read",
                                       "quotient_familial", "cantine", "cantine", "allowed"}));
    ASSERT_TRUE(store_->appendAudit(std::vector<AuditEntry>{
        AuditEntry{0, "app", "", "d-1", "inbox.read", "payload", "", "", "allowed"},
        AuditEntry{0, "app", "", "d-2", "inbox.read", "payload", "", "", "allowed"}}));
    Probe probe(config_.path);
    EXPECT_EQ(probe.integer("SELECT COUNT(*) FROM audit"), 3);
    EXPECT_EQ(probe.text("SELECT prev_hash FROM audit WHERE seq = 1"), std::string(64, '0'));
    for (int seq = 2; seq <= 3; ++seq) {
        EXPECT_EQ(probe.text("SELECT prev_hash FROM audit WHERE seq = " + std::to_string(seq)),
                  probe.text("SELECT hash FROM audit WHERE seq = " + std::to_string(seq - 1)));
    }
    EXPECT_EQ(store_->appendAudit(AuditEntry{}).error().code, sdk::ErrorCode::InvalidArgument);
}

}  // namespace
}  // namespace relais::store
