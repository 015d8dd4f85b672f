// SPDX-License-Identifier: AGPL-3.0-or-later
// Store: reading the audit trail, and verifying its hash chain against tampering done
// directly on the database file (as someone with access to it would).
#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "relais/common/crypto.h"
#include "relais/sdk/json.h"
#include "relais/store/store.h"

#include "store_fixture.h"
#include "support/temp_dir.h"

namespace relais::store {
namespace {

using test::Probe;
using test::storeConfig;
using test::tamper;

class AuditVerifyTest : public ::testing::Test {
protected:
    AuditVerifyTest() : config_(storeConfig(dir_)), store_(Store::open(config_)) {}

    /// Appends `n` entries, about subjects s0, s1, s2 in turn, in batches of at most 500.
    void append(int n) {
        std::vector<AuditEntry> batch;
        for (int i = 0; i < n; ++i) {
            AuditEntry entry;
            entry.at = 1'800'000'000'000'000 + i;
            entry.client = "portal-ville";
            entry.subject_id = "s" + std::to_string(i % 3);
            entry.action = "prefill.read";
            entry.attributes = "quotient_familial,adresse";
            entry.procedure = "cantine-inscription";
            entry.purpose = "tarification";
            entry.outcome = "allowed";
            batch.push_back(entry);
            if (batch.size() == 500 || i == n - 1) {
                ASSERT_TRUE(store_->appendAudit(batch));
                batch.clear();
            }
        }
    }

    AuditVerification verify() {
        auto verified = store_->verifyAudit();
        EXPECT_TRUE(verified) << verified.error().message;
        return verified ? *verified : AuditVerification{};
    }

    std::string hashOf(std::int64_t seq) {
        return Probe(config_.path)
            .text("SELECT hash FROM audit WHERE seq = " + std::to_string(seq));
    }

    /// What an attacker must do first: the schema forbids updates.
    void dropTrigger() { tamper(config_.path, "DROP TRIGGER audit_append_only"); }

    relais::test::TempDir dir_;
    config::StoreConfig config_;
    std::unique_ptr<Store> store_;
};

/// The chain's hash, computed as the store computes it (the format is part of the stored
/// data: changing it would break every existing chain, so the test pins it).
std::string chainHash(const std::string& previous, std::int64_t seq, const AuditEntry& entry) {
    sdk::Json fields = sdk::Json::array();
    fields.push(previous);
    fields.push(seq);
    fields.push(entry.at);
    fields.push(entry.client);
    fields.push(entry.subject_id);
    fields.push(entry.dossier_id);
    fields.push(entry.action);
    fields.push(entry.attributes);
    fields.push(entry.procedure);
    fields.push(entry.purpose);
    fields.push(entry.outcome);
    return common::sha256Hex(fields.dump());
}

TEST_F(AuditVerifyTest, AnEmptyTrailIsIntact) {
    const AuditVerification verification = verify();
    EXPECT_TRUE(verification.intact);
    EXPECT_EQ(verification.entries, 0);
    EXPECT_EQ(verification.first_seq, 0);
    EXPECT_EQ(verification.reason, "");
}

TEST_F(AuditVerifyTest, AnIntactChainPasses) {
    append(10);
    const AuditVerification verification = verify();
    EXPECT_TRUE(verification.intact) << verification.reason;
    EXPECT_EQ(verification.entries, 10);
    EXPECT_EQ(verification.first_bad, 0);
    EXPECT_EQ(verification.first_seq, 1);
    EXPECT_EQ(verification.reason, "");
}

TEST_F(AuditVerifyTest, EntriesAreReadNewestFirstAndBySubject) {
    append(10);
    auto all = store_->auditEntries("", 4);
    ASSERT_TRUE(all) << all.error().message;
    ASSERT_EQ(all->size(), 4u);
    EXPECT_EQ((*all)[0].seq, 10);
    EXPECT_EQ((*all)[3].seq, 7);
    EXPECT_EQ((*all)[0].hash, hashOf(10));
    EXPECT_EQ((*all)[0].prev_hash, hashOf(9));
    EXPECT_EQ((*all)[0].entry.client, "portal-ville");
    EXPECT_EQ((*all)[0].entry.purpose, "tarification");
    EXPECT_EQ((*all)[0].entry.at, 1'800'000'000'000'009);

    auto s1 = store_->auditEntries("s1", 100);
    ASSERT_TRUE(s1) << s1.error().message;
    std::vector<std::int64_t> seqs;
    for (const AuditRecord& record : *s1) {
        EXPECT_EQ(record.entry.subject_id, "s1");
        seqs.push_back(record.seq);
    }
    EXPECT_EQ(seqs, (std::vector<std::int64_t>{8, 5, 2}));

    auto nobody = store_->auditEntries("s9", 10);
    ASSERT_TRUE(nobody);
    EXPECT_TRUE(nobody->empty());

    for (int limit : {0, -3}) {
        auto refused = store_->auditEntries("", limit);
        ASSERT_FALSE(refused);
        EXPECT_EQ(refused.error().code, sdk::ErrorCode::InvalidArgument);
        EXPECT_EQ(refused.error().field, "limit");
    }
}

TEST_F(AuditVerifyTest, AnAlteredFieldIsDetected) {
    append(10);
    dropTrigger();
    tamper(config_.path, "UPDATE audit SET purpose = 'curiosite' WHERE seq = 4");
    const AuditVerification verification = verify();
    EXPECT_FALSE(verification.intact);
    EXPECT_EQ(verification.first_bad, 4);
    EXPECT_NE(verification.reason.find("altered"), std::string::npos) << verification.reason;
    EXPECT_EQ(verification.entries, 4);
}

TEST_F(AuditVerifyTest, AnAlterationWithARecomputedHashBreaksTheNextLink) {
    append(10);
    auto records = store_->auditEntries("", 10);
    ASSERT_TRUE(records);
    AuditRecord fourth = (*records)[6];
    ASSERT_EQ(fourth.seq, 4);
    fourth.entry.client = "intruder";
    const std::string forged = chainHash(fourth.prev_hash, 4, fourth.entry);
    ASSERT_EQ(chainHash((*records)[6].prev_hash, 4, (*records)[6].entry), (*records)[6].hash)
        << "the test computes hashes as the store does";
    dropTrigger();
    tamper(config_.path,
           "UPDATE audit SET client = 'intruder', hash = '" + forged + "' WHERE seq = 4");
    const AuditVerification verification = verify();
    EXPECT_FALSE(verification.intact);
    EXPECT_EQ(verification.first_bad, 5);
    EXPECT_NE(verification.reason.find("prev_hash"), std::string::npos) << verification.reason;
}

TEST_F(AuditVerifyTest, AnAlteredFirstEntryMustStillStartFromGenesis) {
    append(3);
    dropTrigger();
    tamper(config_.path,
           "UPDATE audit SET prev_hash = '" + std::string(64, 'f') + "' WHERE seq = 1");
    const AuditVerification verification = verify();
    EXPECT_FALSE(verification.intact);
    EXPECT_EQ(verification.first_bad, 1);
    EXPECT_NE(verification.reason.find("genesis"), std::string::npos) << verification.reason;
}

TEST_F(AuditVerifyTest, ARemovedMiddleEntryIsDetected) {
    append(10);
    tamper(config_.path, "DELETE FROM audit WHERE seq = 5");
    AuditVerification verification = verify();
    EXPECT_FALSE(verification.intact);
    EXPECT_EQ(verification.first_bad, 5);
    EXPECT_NE(verification.reason.find("entry 5 was removed"), std::string::npos)
        << verification.reason;

    tamper(config_.path, "DELETE FROM audit WHERE seq IN (3, 4)");
    verification = verify();
    EXPECT_EQ(verification.first_bad, 3);
    EXPECT_NE(verification.reason.find("entries 3 to 5 were removed"), std::string::npos)
        << verification.reason;
}

TEST_F(AuditVerifyTest, ARemovedEntryRenumberedAwayIsDetected) {
    append(6);
    dropTrigger();
    // Remove entry 3 and close the gap by renumbering the later ones.
    tamper(config_.path,
           "DELETE FROM audit WHERE seq = 3; "
           "UPDATE audit SET seq = seq - 1 WHERE seq > 3");
    const AuditVerification verification = verify();
    EXPECT_FALSE(verification.intact);
    EXPECT_EQ(verification.first_bad, 3);
    EXPECT_NE(verification.reason.find("prev_hash"), std::string::npos) << verification.reason;
}

TEST_F(AuditVerifyTest, InsertedEntriesAreDetected) {
    append(10);
    const std::string columns =
        "INSERT INTO audit (seq, at, client, subject_id, action, outcome, prev_hash, hash) ";

    // After the last entry, chained to it but with a hash the store did not compute.
    tamper(config_.path, columns + "VALUES (11, 1, 'x', 's0', 'prefill.read', 'allowed', '" +
                             hashOf(10) + "', '" + common::sha256Hex("forged") + "')");
    AuditVerification verification = verify();
    EXPECT_FALSE(verification.intact);
    EXPECT_EQ(verification.first_bad, 11);
    EXPECT_NE(verification.reason.find("forged"), std::string::npos) << verification.reason;
    tamper(config_.path, "DELETE FROM audit WHERE seq = 11");
    EXPECT_TRUE(verify().intact);

    // After the last entry, not even chained.
    tamper(config_.path, columns + "VALUES (11, 1, 'x', 's0', 'prefill.read', 'allowed', '" +
                             std::string(64, '1') + "', '" + std::string(64, '2') + "')");
    verification = verify();
    EXPECT_EQ(verification.first_bad, 11);
    EXPECT_NE(verification.reason.find("prev_hash"), std::string::npos) << verification.reason;
    tamper(config_.path, "DELETE FROM audit WHERE seq = 11");

    // Before the first entry, where no seq is ever assigned.
    tamper(config_.path, columns + "VALUES (0, 1, 'x', 's0', 'prefill.read', 'allowed', '" +
                             std::string(64, '0') + "', '" + std::string(64, '3') + "')");
    verification = verify();
    EXPECT_FALSE(verification.intact);
    EXPECT_EQ(verification.first_bad, 0);
    EXPECT_NE(verification.reason.find("inserted"), std::string::npos) << verification.reason;
    tamper(config_.path, "DELETE FROM audit WHERE seq = 0");

    // In place of a removed entry, properly chained to its predecessor: the next one no
    // longer follows.
    AuditEntry fake;
    fake.at = 1;
    fake.client = "x";
    fake.subject_id = "s0";
    fake.action = "prefill.read";
    fake.outcome = "allowed";
    const std::string prev = hashOf(4);
    tamper(config_.path, "DELETE FROM audit WHERE seq = 5; " + columns +
                             "VALUES (5, 1, 'x', 's0', 'prefill.read', 'allowed', '" + prev +
                             "', '" + chainHash(prev, 5, fake) + "')");
    verification = verify();
    EXPECT_FALSE(verification.intact);
    EXPECT_EQ(verification.first_bad, 6);
    EXPECT_NE(verification.reason.find("prev_hash is not the hash of entry 5"), std::string::npos)
        << verification.reason;
}

TEST_F(AuditVerifyTest, OldestEntriesRemovedByRetentionAreAccepted) {
    append(10);
    tamper(config_.path, "DELETE FROM audit WHERE seq <= 3");
    const AuditVerification verification = verify();
    EXPECT_TRUE(verification.intact) << verification.reason;
    EXPECT_EQ(verification.entries, 7);
    EXPECT_EQ(verification.first_seq, 4);
}

TEST_F(AuditVerifyTest, ALongTrailIsCheckedAcrossPages) {
    append(2500);
    AuditVerification verification = verify();
    EXPECT_TRUE(verification.intact) << verification.reason;
    EXPECT_EQ(verification.entries, 2500);

    // The last entry of the first page: the break is seen across the page boundary.
    tamper(config_.path, "DELETE FROM audit WHERE seq = 1000");
    verification = verify();
    EXPECT_FALSE(verification.intact);
    EXPECT_EQ(verification.first_bad, 1000);

    dropTrigger();
    tamper(config_.path, "UPDATE audit SET outcome = 'refused' WHERE seq = 2345");
    EXPECT_EQ(verify().first_bad, 1000) << "the first break is reported";
}

TEST_F(AuditVerifyTest, ABreakDeepInALongTrailIsFound) {
    append(2500);
    dropTrigger();
    tamper(config_.path, "UPDATE audit SET at = at + 1 WHERE seq = 2345");
    const AuditVerification verification = verify();
    EXPECT_FALSE(verification.intact);
    EXPECT_EQ(verification.first_bad, 2345);
    EXPECT_EQ(verification.entries, 2345);
}

}  // namespace
}  // namespace relais::store

namespace relais::store {
namespace {

// Concurrent appends are combined into shared writes: every caller's entries must still be
// in the chain exactly once, each caller's own entries in its order, the chain intact.
TEST(AuditCombining, ConcurrentAppendsAllLandInOneIntactChain) {
    relais::test::TempDir dir;
    const config::StoreConfig config = test::storeConfig(dir);
    auto store = Store::open(config);
    constexpr int kThreads = 16;
    constexpr int kEach = 40;
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kEach; ++i) {
                AuditEntry entry;
                entry.client = "client-" + std::to_string(t);
                entry.subject_id = std::to_string(i);
                entry.action = "prefill.read";
                entry.outcome = "allowed";
                if (!store->appendAudit(entry)) ++failures;
            }
        });
    }
    for (std::thread& thread : threads) thread.join();
    EXPECT_EQ(failures.load(), 0);
    auto verified = store->verifyAudit();
    ASSERT_TRUE(verified) << verified.error().message;
    EXPECT_TRUE(verified->intact) << verified->reason;
    EXPECT_EQ(verified->entries, kThreads * kEach);
    auto entries = store->auditEntries("", kThreads * kEach + 10);
    ASSERT_TRUE(entries);
    ASSERT_EQ(entries->size(), static_cast<std::size_t>(kThreads * kEach));
    // Newest first: each client's subjects count down.
    std::map<std::string, int> last;
    for (const AuditRecord& record : *entries) {
        const int subject = std::stoi(record.entry.subject_id);
        auto [it, fresh] = last.emplace(record.entry.client, subject);
        if (!fresh) {
            EXPECT_EQ(subject, it->second - 1) << record.entry.client;
            it->second = subject;
        }
    }
    EXPECT_EQ(last.size(), static_cast<std::size_t>(kThreads));
}

}  // namespace
}  // namespace relais::store
