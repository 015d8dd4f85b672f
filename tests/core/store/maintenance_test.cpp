// SPDX-License-Identifier: AGPL-3.0-or-later
// Store: a subject's erasure, the retention purge, signature nonces.
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "relais/store/store.h"

#include "store_fixture.h"
#include "support/temp_dir.h"

namespace relais::store {
namespace {

using test::nowMicros;
using test::Probe;
using test::sampleRequest;
using test::storeConfig;

constexpr std::int64_t kSecond = 1'000'000;
constexpr std::int64_t kDay = 86'400 * kSecond;

class MaintenanceTest : public ::testing::Test {
protected:
    MaintenanceTest() : config_(storeConfig(dir_)), store_(Store::open(config_)) {}

    std::int64_t count(const std::string& sql) { return Probe(config_.path).integer(sql); }

    std::string subjectOf(const std::string& fc_sub) {
        SubjectKey key;
        key.fc_sub = fc_sub;
        auto subject = store_->resolveSubject(key, now_);
        EXPECT_TRUE(subject) << subject.error().message;
        return subject ? subject->id : std::string();
    }

    relais::test::TempDir dir_;
    config::StoreConfig config_;
    std::unique_ptr<Store> store_;
    const std::int64_t now_ = nowMicros();
};

StoredAttribute value(const std::string& name, int level, std::int64_t valid_until,
                      std::int64_t retain_until) {
    StoredAttribute attribute;
    attribute.name = name;
    attribute.sealed = std::string("\x00sealed-", 8) + name;
    attribute.key_id = "k1";
    attribute.source = "caf";
    attribute.level = level;
    attribute.verified_at = 1;
    attribute.valid_until = valid_until;
    attribute.retain_until = retain_until;
    return attribute;
}

// --- erasure ------------------------------------------------------------------------------

TEST_F(MaintenanceTest, ErasureRemovesTheSubjectAndItsValuesButKeepsItsDossiers) {
    IngestRequest first = sampleRequest("DS-1");
    IngestRequest second = sampleRequest("DS-2");
    second.dossier.subject->france_connect_sub = first.dossier.subject->france_connect_sub;
    auto a = store_->ingest(first);
    auto b = store_->ingest(second);
    ASSERT_TRUE(a && b);
    const std::string subject_id = subjectOf(first.dossier.subject->france_connect_sub);
    const std::string other_id = subjectOf("fc-other");
    ASSERT_TRUE(store_->recordAttributes(
        subject_id, {value("email", 2, 0, 0), value("email", 1, 0, 0), value("phone", 1, 0, 0)},
        now_));
    ASSERT_TRUE(store_->recordAttributes(other_id, {value("email", 1, 0, 0)}, now_));
    AuditEntry read;
    read.client = "portal";
    read.subject_id = subject_id;
    read.action = "prefill.read";
    read.outcome = "allowed";
    ASSERT_TRUE(store_->appendAudit({read, read}));

    auto erased = store_->eraseSubject(subject_id);
    ASSERT_TRUE(erased) << erased.error().message;
    EXPECT_EQ(erased->attributes_deleted, 3);
    EXPECT_EQ(erased->dossiers_kept, 2);

    EXPECT_EQ(count("SELECT COUNT(*) FROM subjects WHERE id = '" + subject_id + "'"), 0);
    EXPECT_EQ(count("SELECT COUNT(*) FROM attributes WHERE subject_id = '" + subject_id + "'"), 0);
    EXPECT_EQ(count("SELECT COUNT(*) FROM attributes WHERE subject_id = '" + other_id + "'"), 1)
        << "another subject's values stay";
    EXPECT_EQ(count("SELECT COUNT(*) FROM dossiers"), 2);
    EXPECT_EQ(count("SELECT COUNT(*) FROM dossiers WHERE subject_id IS NOT NULL"), 0);
    auto dossier = store_->findDossier(a->dossier_id);
    ASSERT_TRUE(dossier && dossier->has_value());
    EXPECT_EQ((*dossier)->fields, first.dossier.fields) << "the administrative record stays";
    ASSERT_TRUE((*dossier)->subject.has_value());
    EXPECT_EQ((*dossier)->subject->id, "") << "but no longer points to the subject";
    auto dossiers = store_->dossiersOfSubject(subject_id);
    ASSERT_TRUE(dossiers);
    EXPECT_TRUE(dossiers->empty());

    // The audit trail is untouched, and still verifies.
    EXPECT_EQ(count("SELECT COUNT(*) FROM audit WHERE subject_id = '" + subject_id + "'"), 2);
    auto verified = store_->verifyAudit();
    ASSERT_TRUE(verified);
    EXPECT_TRUE(verified->intact) << verified->reason;

    auto again = store_->eraseSubject(subject_id);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, sdk::ErrorCode::NotFound);

    auto empty = store_->eraseSubject("");
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error().code, sdk::ErrorCode::InvalidArgument);

    // The person can come back: a new subject, with nothing of the old one.
    const std::string returning = subjectOf(first.dossier.subject->france_connect_sub);
    EXPECT_NE(returning, subject_id);
    auto values = store_->currentAttributes(returning);
    ASSERT_TRUE(values);
    EXPECT_TRUE(values->empty());
}

// --- purge --------------------------------------------------------------------------------

TEST_F(MaintenanceTest, PurgeDeletesWhatIsPastItsLimitsAndCountsIt) {
    const std::string subject_id = subjectOf("fc-purge");
    const std::int64_t past = now_ - kDay;
    const std::int64_t future = now_ + kDay;
    auto outcomes = store_->recordAttributes(
        subject_id,
        {
            value("a", 1, 0, past),       // current, past retention: deleted
            value("b", 2, 0, 0),          // current
            value("b", 1, 0, now_),       // history, retention ends now: deleted
            value("c", 2, 0, future),     // current
            value("c", 1, past, future),  // history, expired: deleted
            value("d", 1, past, 0),       // current, expired: kept (the value in force)
            value("e", 2, future, 0),     // current
            value("e", 1, future, 0),     // history, still valid: kept
            value("f", 2, 0, 0),          // current
            value("f", 1, now_, 0),       // history, validity ends now: deleted
        },
        now_ - 2 * kDay);
    ASSERT_TRUE(outcomes) << outcomes.error().message;
    ASSERT_EQ(count("SELECT COUNT(*) FROM attributes"), 10);

    ASSERT_TRUE(store_->rememberNonce("n-expired-1", now_ - 2 * kDay, past));
    ASSERT_TRUE(store_->rememberNonce("n-expired-2", now_ - 2 * kDay, now_));
    ASSERT_TRUE(store_->rememberNonce("n-live", now_ - 2 * kDay, future));

    auto purged = store_->purge(now_);
    ASSERT_TRUE(purged) << purged.error().message;
    EXPECT_EQ(purged->past_retention, 2);
    EXPECT_EQ(purged->expired, 2);
    EXPECT_EQ(purged->nonces, 2);

    auto history = store_->attributeHistory(subject_id);
    ASSERT_TRUE(history);
    std::vector<std::string> kept;
    for (const StoredAttribute& attribute : *history) {
        kept.push_back(attribute.name + (attribute.current ? "*" : ""));
    }
    EXPECT_EQ(kept, (std::vector<std::string>{"b*", "c*", "d*", "e*", "e", "f*"}));
    EXPECT_EQ(count("SELECT COUNT(*) FROM nonces"), 1);
    EXPECT_EQ(Probe(config_.path).text("SELECT nonce FROM nonces"), "n-live");

    auto again = store_->purge(now_);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->past_retention, 0);
    EXPECT_EQ(again->expired, 0);
    EXPECT_EQ(again->nonces, 0);

    // The audit trail is never purged here.
    AuditEntry entry;
    entry.at = 1;
    entry.client = "portal";
    entry.action = "prefill.read";
    entry.outcome = "allowed";
    ASSERT_TRUE(store_->appendAudit(entry));
    ASSERT_TRUE(store_->purge(now_ + 1000 * kDay));
    EXPECT_EQ(count("SELECT COUNT(*) FROM audit"), 1);
}

TEST_F(MaintenanceTest, PurgeGoesThroughManyRowsInBatches) {
    const std::string subject_id = subjectOf("fc-many");
    std::vector<StoredAttribute> values;
    for (int i = 0; i < 2500; ++i) {
        values.push_back(value("attribute-" + std::to_string(i), 1, 0, now_ - 1));
    }
    ASSERT_TRUE(store_->recordAttributes(subject_id, values, now_ - kDay));
    const auto before = store_->database().stats().commits;
    auto purged = store_->purge(now_);
    ASSERT_TRUE(purged) << purged.error().message;
    EXPECT_EQ(purged->past_retention, 2500);
    EXPECT_EQ(count("SELECT COUNT(*) FROM attributes"), 0);
    EXPECT_GE(store_->database().stats().commits - before, 3u) << "one transaction per batch";
}

// --- nonces -------------------------------------------------------------------------------

TEST_F(MaintenanceTest, ANonceIsNewOnceUntilItExpires) {
    const std::int64_t expires_at = now_ + 30 * kSecond;
    auto first = store_->rememberNonce("9f86d081884c7d659a2feaa0c55ad015", now_, expires_at);
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_TRUE(*first);

    auto replay = store_->rememberNonce("9f86d081884c7d659a2feaa0c55ad015", now_ + kSecond,
                                        now_ + 31 * kSecond);
    ASSERT_TRUE(replay);
    EXPECT_FALSE(*replay) << "a replay within the window";
    EXPECT_EQ(Probe(config_.path).integer("SELECT expires_at FROM nonces"), expires_at)
        << "a replay does not extend the window";

    auto other = store_->rememberNonce("another", now_, expires_at);
    ASSERT_TRUE(other);
    EXPECT_TRUE(*other);

    // At the end of its window, the nonce may be used again (and is then remembered anew).
    auto expired = store_->rememberNonce("9f86d081884c7d659a2feaa0c55ad015", expires_at,
                                         expires_at + 30 * kSecond);
    ASSERT_TRUE(expired);
    EXPECT_TRUE(*expired);
    EXPECT_EQ(Probe(config_.path)
                  .integer("SELECT expires_at FROM nonces WHERE nonce = "
                           "'9f86d081884c7d659a2feaa0c55ad015'"),
              expires_at + 30 * kSecond);
    auto replay_again = store_->rememberNonce("9f86d081884c7d659a2feaa0c55ad015",
                                              expires_at + kSecond, expires_at + 40 * kSecond);
    ASSERT_TRUE(replay_again);
    EXPECT_FALSE(*replay_again);
}

TEST_F(MaintenanceTest, ANonceIsRefusedWhenEmptyOrAlreadyPastItsWindow) {
    auto empty = store_->rememberNonce("", now_, now_ + kSecond);
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error().code, sdk::ErrorCode::InvalidArgument);
    EXPECT_EQ(empty.error().field, "nonce");
    auto past = store_->rememberNonce("n", now_, now_);
    ASSERT_FALSE(past);
    EXPECT_EQ(past.error().field, "expires_at");
    EXPECT_EQ(count("SELECT COUNT(*) FROM nonces"), 0);
}

TEST_F(MaintenanceTest, ConcurrentUsesOfOneNonceLetExactlyOneThrough) {
    constexpr int kThreads = 8;
    std::vector<int> answers(kThreads, -1);
    std::latch start(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
        threads.emplace_back([&, i] {
            start.arrive_and_wait();
            auto fresh = store_->rememberNonce("raced", now_, now_ + 30 * kSecond);
            answers[i] = fresh ? (*fresh ? 1 : 0) : -1;
        });
    }
    for (std::thread& thread : threads) thread.join();
    int accepted = 0;
    for (int answer : answers) {
        EXPECT_NE(answer, -1);
        accepted += answer == 1 ? 1 : 0;
    }
    EXPECT_EQ(accepted, 1);
}

}  // namespace
}  // namespace relais::store
