// SPDX-License-Identifier: AGPL-3.0-or-later
// Store: subjects — finding by the strongest identifier, resolving (create, find, learn
// identifiers, conflicts), concurrency, the ingest path, a subject's dossiers.
#include <latch>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "relais/identity/pivot.h"
#include "relais/store/store.h"

#include "store_fixture.h"
#include "support/temp_dir.h"

namespace relais::store {
namespace {

using test::nowMicros;
using test::Probe;
using test::sampleRequest;
using test::storeConfig;

class SubjectStoreTest : public ::testing::Test {
protected:
    SubjectStoreTest() : config_(storeConfig(dir_)), store_(Store::open(config_)) {}

    std::int64_t count(const std::string& sql) { return Probe(config_.path).integer(sql); }

    SubjectRecord resolve(const SubjectKey& key) {
        auto resolved = store_->resolveSubject(key, now_);
        EXPECT_TRUE(resolved) << resolved.error().message;
        return resolved ? *resolved : SubjectRecord{};
    }

    std::optional<SubjectRecord> find(const SubjectKey& key) {
        auto found = store_->findSubject(key);
        EXPECT_TRUE(found) << found.error().message;
        return found ? *found : std::nullopt;
    }

    relais::test::TempDir dir_;
    config::StoreConfig config_;
    std::unique_ptr<Store> store_;
    const std::int64_t now_ = nowMicros();
};

/// `xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx`, lower-case hex.
bool isUuidV4(const std::string& id) {
    if (id.size() != 36) return false;
    for (std::size_t i = 0; i < id.size(); ++i) {
        const char c = id[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return id[14] == '4' && (id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b');
}

SubjectKey byFcSub(const std::string& fc_sub) {
    SubjectKey key;
    key.fc_sub = fc_sub;
    return key;
}

SubjectKey byId(const std::string& id) {
    SubjectKey key;
    key.id = id;
    return key;
}

SubjectKey byPivot(const std::string& pivot_hash) {
    SubjectKey key;
    key.pivot_hash = pivot_hash;
    return key;
}

const std::string kPivotP(64, 'p');
const std::string kPivotQ(64, 'q');

TEST_F(SubjectStoreTest, AKeyWithoutIdentifierIsRefused) {
    SubjectKey empty;
    empty.kind = sdk::SubjectKind::Company;
    auto found = store_->findSubject(empty);
    ASSERT_FALSE(found);
    EXPECT_EQ(found.error().code, sdk::ErrorCode::InvalidArgument);
    EXPECT_EQ(found.error().field, "key");
    auto resolved = store_->resolveSubject(empty, now_);
    ASSERT_FALSE(resolved);
    EXPECT_EQ(resolved.error().code, sdk::ErrorCode::InvalidArgument);
    EXPECT_EQ(count("SELECT COUNT(*) FROM subjects"), 0);
}

TEST_F(SubjectStoreTest, ResolveCreatesASubjectThenFindsIt) {
    EXPECT_FALSE(find(byFcSub("fc-1")).has_value());

    SubjectKey key = byFcSub("fc-1");
    key.pivot_hash = kPivotP;
    const SubjectRecord created = resolve(key);
    EXPECT_TRUE(isUuidV4(created.id)) << created.id;
    EXPECT_EQ(created.kind, sdk::SubjectKind::Person);
    EXPECT_EQ(created.fc_sub, "fc-1");
    EXPECT_EQ(created.pivot_hash, kPivotP);
    EXPECT_EQ(created.created_at, now_);

    const SubjectRecord again = resolve(key);
    EXPECT_EQ(again.id, created.id);
    EXPECT_EQ(again.created_at, now_);
    EXPECT_EQ(count("SELECT COUNT(*) FROM subjects"), 1);

    // Each identifier alone, and the id, find it.
    for (const SubjectKey& probe : {byFcSub("fc-1"), byPivot(kPivotP), byId(created.id)}) {
        auto found = find(probe);
        ASSERT_TRUE(found.has_value());
        EXPECT_EQ(found->id, created.id);
        EXPECT_EQ(found->fc_sub, "fc-1");
        EXPECT_EQ(found->pivot_hash, kPivotP);
    }
}

TEST_F(SubjectStoreTest, TheStrongestIdentifierThatMatchesDecides) {
    const SubjectRecord a = resolve(byFcSub("fc-a"));
    const SubjectRecord b = resolve(byPivot(kPivotP));
    ASSERT_NE(a.id, b.id);

    SubjectKey both = byFcSub("fc-a");
    both.pivot_hash = kPivotP;
    EXPECT_EQ(find(both)->id, a.id) << "the FranceConnect sub outranks the pivot";

    SubjectKey unknown_sub = byFcSub("fc-unknown");
    unknown_sub.pivot_hash = kPivotP;
    EXPECT_EQ(find(unknown_sub)->id, b.id) << "an unknown sub falls back to the pivot";

    SubjectKey by_id = byId(b.id);
    by_id.fc_sub = "fc-a";
    EXPECT_EQ(find(by_id)->id, b.id) << "the id decides alone";

    SubjectKey unknown_id = byId("no-such-subject");
    unknown_id.fc_sub = "fc-a";
    EXPECT_FALSE(find(unknown_id).has_value()) << "an unknown id designates nobody";
}

TEST_F(SubjectStoreTest, AFoundSubjectLearnsTheIdentifiersItLacked) {
    const SubjectRecord known = resolve(byPivot(kPivotP));
    SubjectKey key = byFcSub("fc-learnt");
    key.pivot_hash = kPivotP;
    const SubjectRecord learnt = resolve(key);
    EXPECT_EQ(learnt.id, known.id);
    EXPECT_EQ(learnt.fc_sub, "fc-learnt");
    EXPECT_EQ(count("SELECT COUNT(*) FROM subjects"), 1);
    EXPECT_EQ(Probe(config_.path).text("SELECT fc_sub FROM subjects WHERE id = '" + known.id + "'"),
              "fc-learnt");
    EXPECT_EQ(find(byFcSub("fc-learnt"))->id, known.id);

    // By id too: the id decides, the other identifiers are learnt.
    SubjectKey by_id = byId(known.id);
    by_id.siret = "21750001600019";
    by_id.siren = "217500016";
    const SubjectRecord with_siret = resolve(by_id);
    EXPECT_EQ(with_siret.siret, "21750001600019");
    EXPECT_EQ(with_siret.siren, "217500016");
}

TEST_F(SubjectStoreTest, IdentifiersASubjectHasAreNeverReplaced) {
    SubjectKey key = byFcSub("fc-1");
    key.pivot_hash = kPivotP;
    const SubjectRecord subject = resolve(key);
    // Same sub, another pivot (a corrected given name, say): still the same person.
    key.pivot_hash = kPivotQ;
    const SubjectRecord again = resolve(key);
    EXPECT_EQ(again.id, subject.id);
    EXPECT_EQ(again.pivot_hash, kPivotP);
    EXPECT_EQ(
        Probe(config_.path).text("SELECT pivot_hash FROM subjects WHERE id = '" + subject.id + "'"),
        kPivotP);
}

TEST_F(SubjectStoreTest, AnIdentifierHeldByAnotherSubjectIsAConflict) {
    const SubjectRecord a = resolve(byFcSub("fc-a"));
    const SubjectRecord b = resolve(byPivot(kPivotP));
    SubjectKey key = byFcSub("fc-a");
    key.pivot_hash = kPivotP;
    auto resolved = store_->resolveSubject(key, now_);
    ASSERT_FALSE(resolved);
    EXPECT_EQ(resolved.error().code, sdk::ErrorCode::Conflict);
    EXPECT_EQ(resolved.error().field, "pivot_hash");
    EXPECT_EQ(resolved.error().message.find(b.id), std::string::npos)
        << "the other subject is not disclosed";
    // Nothing changed.
    EXPECT_EQ(find(byFcSub("fc-a"))->pivot_hash, "");
    EXPECT_EQ(find(byPivot(kPivotP))->id, b.id);
    EXPECT_EQ(find(byPivot(kPivotP))->fc_sub, "");
    EXPECT_NE(a.id, b.id);
}

TEST_F(SubjectStoreTest, AnUnknownIdIsNotFoundRatherThanCreated) {
    SubjectKey key = byId("0b7c1a5e-0000-4000-8000-000000000000");
    key.fc_sub = "fc-1";
    auto resolved = store_->resolveSubject(key, now_);
    ASSERT_FALSE(resolved);
    EXPECT_EQ(resolved.error().code, sdk::ErrorCode::NotFound);
    EXPECT_EQ(resolved.error().field, "id");
    EXPECT_EQ(count("SELECT COUNT(*) FROM subjects"), 0);
}

TEST_F(SubjectStoreTest, ASirenDesignatesTheLegalUnitAndASiretOneEstablishment) {
    SubjectKey unit;
    unit.kind = sdk::SubjectKind::Company;
    unit.siren = "217500016";
    const SubjectRecord legal_unit = resolve(unit);
    EXPECT_EQ(legal_unit.kind, sdk::SubjectKind::Company);

    SubjectKey establishment = unit;
    establishment.siret = "21750001600019";
    const SubjectRecord site = resolve(establishment);
    EXPECT_NE(site.id, legal_unit.id) << "an establishment is not its legal unit";
    EXPECT_EQ(site.siren, "217500016");
    EXPECT_EQ(site.siret, "21750001600019");

    EXPECT_EQ(find(unit)->id, legal_unit.id);
    EXPECT_EQ(find(establishment)->id, site.id);
    SubjectKey siret_only;
    siret_only.siret = "21750001600019";
    EXPECT_EQ(find(siret_only)->id, site.id);

    // A SIRET outside its SIREN is a contradiction, not a subject.
    SubjectKey wrong = unit;
    wrong.siret = "55208131766522";
    auto refused = store_->resolveSubject(wrong, now_);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, sdk::ErrorCode::InvalidArgument);
    EXPECT_EQ(refused.error().field, "siret");
    EXPECT_EQ(count("SELECT COUNT(*) FROM subjects"), 2);
}

TEST_F(SubjectStoreTest, ConcurrentResolutionsOfOneNewKeyCreateOneSubject) {
    constexpr int kThreads = 8;
    SubjectKey key = byFcSub("fc-race");
    key.pivot_hash = kPivotP;
    std::vector<std::string> ids(kThreads);
    std::vector<std::string> errors(kThreads);
    std::latch start(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
        threads.emplace_back([&, i] {
            start.arrive_and_wait();
            auto resolved = store_->resolveSubject(key, now_);
            if (resolved) {
                ids[i] = resolved->id;
            } else {
                errors[i] = resolved.error().message;
            }
        });
    }
    for (std::thread& thread : threads) thread.join();
    for (int i = 0; i < kThreads; ++i) EXPECT_EQ(errors[i], "") << "thread " << i;
    EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 1u);
    EXPECT_EQ(count("SELECT COUNT(*) FROM subjects"), 1);
}

TEST_F(SubjectStoreTest, IngestResolvesTheApplicantWithTheSameRules) {
    // A person known first by her FranceConnect sub (from a prefill, say).
    const SubjectRecord known = resolve(byFcSub("fc-DS-1"));
    auto ingested = store_->ingest(sampleRequest("DS-1"));
    ASSERT_TRUE(ingested) << ingested.error().message;
    auto dossier = store_->findDossier(ingested->dossier_id);
    ASSERT_TRUE(dossier && dossier->has_value());
    ASSERT_TRUE((*dossier)->subject.has_value());
    EXPECT_EQ((*dossier)->subject->id, known.id);

    // The subject learnt the (normalised, hashed) pivot of the dossier.
    const auto pivot = identity::normalisePivot(sampleRequest("DS-1").dossier.subject->pivot);
    ASSERT_TRUE(pivot);
    const std::string pivot_hash = identity::pivotHash(*pivot);
    EXPECT_EQ(find(byId(known.id))->pivot_hash, pivot_hash);
    EXPECT_EQ(find(byPivot(pivot_hash))->id, known.id);
    EXPECT_EQ(count("SELECT COUNT(*) FROM subjects"), 1);
}

TEST_F(SubjectStoreTest, IngestNeverFailsOnAnApplicantsConflictingIdentifiers) {
    // The dossier's sub belongs to one subject, its pivot to another: the dossier is stored
    // and linked to the stronger one, which does not take the other's pivot.
    const SubjectRecord by_sub = resolve(byFcSub("fc-DS-2"));
    const auto pivot = identity::normalisePivot(sampleRequest("DS-2").dossier.subject->pivot);
    ASSERT_TRUE(pivot);
    const SubjectRecord by_pivot = resolve(byPivot(identity::pivotHash(*pivot)));

    auto ingested = store_->ingest(sampleRequest("DS-2"));
    ASSERT_TRUE(ingested) << ingested.error().message;
    auto dossier = store_->findDossier(ingested->dossier_id);
    ASSERT_TRUE(dossier && dossier->has_value());
    EXPECT_EQ((*dossier)->subject->id, by_sub.id);
    EXPECT_EQ(find(byId(by_sub.id))->pivot_hash, "");
    EXPECT_EQ(count("SELECT COUNT(*) FROM subjects"), 2);

    // An applicant id relais does not know is ignored; the other identifiers decide.
    IngestRequest request = sampleRequest("DS-3");
    request.dossier.subject->id = "not-a-subject";
    request.dossier.subject->france_connect_sub = "fc-DS-2";
    ingested = store_->ingest(request);
    ASSERT_TRUE(ingested) << ingested.error().message;
    dossier = store_->findDossier(ingested->dossier_id);
    ASSERT_TRUE(dossier && dossier->has_value());
    EXPECT_EQ((*dossier)->subject->id, by_sub.id);
    EXPECT_NE(by_pivot.id, by_sub.id);
}

TEST_F(SubjectStoreTest, DossiersOfASubjectComeOldestFirstWithTheirAttachments) {
    IngestRequest first = sampleRequest("DS-10");
    IngestRequest second = sampleRequest("DS-11");
    second.dossier.subject->france_connect_sub = first.dossier.subject->france_connect_sub;
    sdk::Attachment extra = second.dossier.attachments.front();
    extra.name = "second.pdf";
    second.dossier.attachments.push_back(extra);
    IngestRequest other = sampleRequest("DS-12");
    other.dossier.subject = sdk::Subject{};
    other.dossier.subject->france_connect_sub = "fc-someone-else";

    auto a = store_->ingest(first);
    auto b = store_->ingest(second);
    auto c = store_->ingest(other);
    ASSERT_TRUE(a && b && c);
    auto subject = find(byFcSub(first.dossier.subject->france_connect_sub));
    ASSERT_TRUE(subject.has_value());

    auto dossiers = store_->dossiersOfSubject(subject->id);
    ASSERT_TRUE(dossiers) << dossiers.error().message;
    ASSERT_EQ(dossiers->size(), 2u);
    EXPECT_EQ((*dossiers)[0].id, a->dossier_id);
    EXPECT_EQ((*dossiers)[1].id, b->dossier_id);
    ASSERT_EQ((*dossiers)[0].attachments.size(), 1u);
    ASSERT_EQ((*dossiers)[1].attachments.size(), 2u);
    EXPECT_EQ((*dossiers)[1].attachments[1].name, "second.pdf");
    EXPECT_EQ((*dossiers)[0].subject->id, subject->id);
    EXPECT_EQ((*dossiers)[0].fields, first.dossier.fields);

    auto none = store_->dossiersOfSubject("no-such-subject");
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->empty());
}

}  // namespace
}  // namespace relais::store
