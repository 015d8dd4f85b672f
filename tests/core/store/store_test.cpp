// SPDX-License-Identifier: AGPL-3.0-or-later
// Store: ingest and its deduplication, dossiers, events, cursors, durability.
#include "relais/store/store.h"

#include <atomic>
#include <latch>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "relais/common/crypto.h"
#include "relais/common/errors.h"

#include "store_fixture.h"
#include "support/temp_dir.h"

namespace relais::store {
namespace {

using test::latestVersion;
using test::Probe;
using test::sampleRequest;
using test::storeConfig;

class StoreTest : public ::testing::Test {
protected:
    StoreTest() : config_(storeConfig(dir_)), store_(Store::open(config_)) {}

    std::int64_t count(const std::string& sql) { return Probe(config_.path).integer(sql); }

    relais::test::TempDir dir_;
    config::StoreConfig config_;
    std::unique_ptr<Store> store_;
};

sdk::Event statusEvent(const std::string& dossier_id, const std::string& key, bool is_public) {
    sdk::Event event;
    event.dossier_id = dossier_id;
    event.type = std::string(sdk::event_type::kStatusChanged);
    event.side = sdk::EventSide::Backoffice;
    event.source_event_key = key;
    event.source_version = "3";
    event.occurred_at = sdk::Timestamp::parse("2026-11-20T09:00:00-05:00").value();
    event.actor = "agent-42";
    event.payload =
        sdk::Json::parse(R"({"status":"in_review","portal_status":"en_instruction"})").value();
    event.is_public = is_public;
    return event;
}

TEST_F(StoreTest, OpensAtTheLatestSchemaAndAnswersPing) {
    EXPECT_EQ(store_->schemaVersion(), latestVersion());
    EXPECT_TRUE(store_->ping());
    EXPECT_EQ(store_->dialect().name, "sqlite");
}

TEST(StoreOpen, RefusesAnUnknownEngineNamingTheConfigLine) {
    relais::test::TempDir dir;
    auto config = storeConfig(dir);
    config.engine = "oracle";
    config.where.file = "/etc/relais/relais.xml";
    config.where.line = 7;
    try {
        Store::open(config);
        FAIL() << "an unknown engine was accepted";
    } catch (const StoreError& e) {
        EXPECT_NE(e.displayText().find("/etc/relais/relais.xml:7: "), std::string::npos);
        EXPECT_NE(e.displayText().find("'oracle'"), std::string::npos);
    }
}

TEST_F(StoreTest, IngestStoresTheDossierWithEverythingInOneGo) {
    IngestRequest request = sampleRequest("DS-1001", 2);
    const IngestRequest original = request;
    auto outcome = store_->ingest(request);
    ASSERT_TRUE(outcome) << outcome.error().message;
    EXPECT_TRUE(outcome->created);
    EXPECT_EQ(outcome->dossier_id.size(), 36u);
    ASSERT_EQ(outcome->job_ids.size(), 2u);

    auto found = store_->findDossier(outcome->dossier_id);
    ASSERT_TRUE(found) << found.error().message;
    ASSERT_TRUE(found->has_value());
    const sdk::Dossier& dossier = **found;
    EXPECT_EQ(dossier.id, outcome->dossier_id);
    EXPECT_EQ(dossier.source, "portal-json");
    EXPECT_EQ(dossier.source_key, "DS-1001");
    EXPECT_EQ(dossier.procedure, "cantine-inscription");
    EXPECT_EQ(dossier.submitted_at, original.dossier.submitted_at);
    EXPECT_EQ(dossier.submitted_at.toString(), "2026-11-14T10:30:00.25+01:00");
    EXPECT_EQ(dossier.fields, original.dossier.fields);
    EXPECT_EQ(dossier.status, sdk::Status::Submitted);
    EXPECT_EQ(dossier.portal_status, "new");
    EXPECT_EQ(dossier.version, 1);
    ASSERT_TRUE(dossier.subject.has_value());
    EXPECT_FALSE(dossier.subject->id.empty());
    EXPECT_EQ(dossier.subject->france_connect_sub, "fc-DS-1001");
    EXPECT_EQ(dossier.subject->pivot.given_names, (std::vector<std::string>{"Camille", "Marie"}));
    EXPECT_EQ(dossier.subject->pivot.birth_place, "75056");
    ASSERT_EQ(dossier.attachments.size(), 1u);
    EXPECT_EQ(dossier.attachments[0].name, "justificatif.pdf");
    EXPECT_EQ(dossier.attachments[0].size, 1234);
    EXPECT_EQ(dossier.attachments[0].kind, "justificatif_domicile");
    EXPECT_EQ(dossier.attachments[0].source_url, "https://portal.example/files/1");

    auto events = store_->events(outcome->dossier_id);
    ASSERT_TRUE(events);
    ASSERT_EQ(events->size(), 1u);
    const sdk::Event& submitted = events->front();
    EXPECT_EQ(submitted.type, "submitted");
    EXPECT_EQ(submitted.side, sdk::EventSide::Portal);
    EXPECT_EQ(submitted.occurred_at.toString(), "2026-11-14T10:30:00.25+01:00");
    EXPECT_TRUE(submitted.is_public);
    EXPECT_EQ(submitted.payload.find("status")->asString(), "submitted");

    auto jobs = store_->jobsOfDossier(outcome->dossier_id);
    ASSERT_TRUE(jobs);
    ASSERT_EQ(jobs->size(), 2u);
    std::set<std::string> targets;
    for (const Job& job : *jobs) {
        EXPECT_EQ(job.state, JobState::Pending);
        EXPECT_EQ(job.kind, "deliver");
        EXPECT_EQ(job.attempts, 0);
        EXPECT_EQ(job.idempotency_key, "rl-" + job.id);
        EXPECT_GT(job.next_attempt_at, 0);
        EXPECT_LE(job.next_attempt_at, test::nowMicros());
        targets.insert(job.target);
    }
    EXPECT_EQ(targets, (std::set<std::string>{"filedrop-0", "filedrop-1"}));

    const std::string sha = common::sha256Hex(original.raw_body);
    EXPECT_EQ(count("SELECT COUNT(*) FROM raw_payloads WHERE sha256 = '" + sha +
                    "' AND length(body) = " + std::to_string(original.raw_body.size()) +
                    " AND content_type = 'application/json'"),
              1);
    EXPECT_EQ(count("SELECT COUNT(*) FROM dossiers WHERE raw_sha256 = '" + sha + "'"), 1);
    EXPECT_EQ(count("SELECT COUNT(*) FROM subjects"), 1);
}

TEST_F(StoreTest, IngestOfAKnownKeyReturnsTheSameIdAndWritesNothing) {
    auto first = store_->ingest(sampleRequest("DS-7"));
    ASSERT_TRUE(first);
    IngestRequest replay = sampleRequest("DS-7", 3);
    replay.dossier.procedure = "something-else";
    auto second = store_->ingest(replay);
    ASSERT_TRUE(second) << second.error().message;
    EXPECT_FALSE(second->created);
    EXPECT_EQ(second->dossier_id, first->dossier_id);
    EXPECT_TRUE(second->job_ids.empty());
    EXPECT_EQ(count("SELECT COUNT(*) FROM dossiers"), 1);
    EXPECT_EQ(count("SELECT COUNT(*) FROM jobs"), 1);
    EXPECT_EQ(count("SELECT COUNT(*) FROM events"), 1);
    EXPECT_EQ(Probe(config_.path).text("SELECT procedure FROM dossiers"), "cantine-inscription");

    // Same key from another source is another dossier.
    IngestRequest other = sampleRequest("DS-7");
    other.dossier.source = "portal-wcs";
    auto third = store_->ingest(other);
    ASSERT_TRUE(third);
    EXPECT_TRUE(third->created);
    EXPECT_NE(third->dossier_id, first->dossier_id);
}

TEST_F(StoreTest, ConcurrentIngestsOfOneKeyMakeOneDossier) {
    constexpr int kThreads = 8;
    std::latch start(kThreads);
    std::vector<sdk::Result<IngestOutcome>> outcomes(
        kThreads, sdk::fail(sdk::ErrorCode::Internal, "not run"));
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            start.arrive_and_wait();
            outcomes[t] = store_->ingest(sampleRequest("DS-race", 1));
        });
    }
    for (auto& thread : threads) thread.join();
    int created = 0;
    std::set<std::string> ids;
    for (const auto& outcome : outcomes) {
        ASSERT_TRUE(outcome) << outcome.error().message;
        created += outcome->created ? 1 : 0;
        ids.insert(outcome->dossier_id);
    }
    EXPECT_EQ(created, 1);
    EXPECT_EQ(ids.size(), 1u);
    EXPECT_EQ(count("SELECT COUNT(*) FROM dossiers"), 1);
    EXPECT_EQ(count("SELECT COUNT(*) FROM jobs"), 1);
    EXPECT_EQ(count("SELECT COUNT(*) FROM events"), 1);
}

TEST_F(StoreTest, RawPayloadsAndSubjectsAreShared) {
    IngestRequest a = sampleRequest("A");
    IngestRequest b = sampleRequest("B");
    b.raw_body = a.raw_body;  // same bytes: one content-addressed copy
    b.dossier.subject->france_connect_sub = a.dossier.subject->france_connect_sub;
    auto first = store_->ingest(a);
    auto second = store_->ingest(b);
    ASSERT_TRUE(first);
    ASSERT_TRUE(second);
    EXPECT_EQ(count("SELECT COUNT(*) FROM raw_payloads"), 1);
    EXPECT_EQ(count("SELECT COUNT(*) FROM subjects"), 1);
    EXPECT_EQ(count("SELECT COUNT(DISTINCT subject_id) FROM dossiers"), 1);

    // A company identified by its SIRET only.
    IngestRequest c = sampleRequest("C");
    c.dossier.subject = sdk::Subject{};
    c.dossier.subject->kind = sdk::SubjectKind::Company;
    c.dossier.subject->siret = "21750001600019";
    ASSERT_TRUE(store_->ingest(c));
    EXPECT_EQ(count("SELECT COUNT(*) FROM subjects WHERE kind = 'company' AND "
                    "siret = '21750001600019'"),
              1);

    // No applicant at all.
    IngestRequest d = sampleRequest("D");
    d.dossier.subject.reset();
    auto none = store_->ingest(d);
    ASSERT_TRUE(none);
    auto found = store_->findDossier(none->dossier_id);
    ASSERT_TRUE(found && found->has_value());
    EXPECT_FALSE((*found)->subject.has_value());
}

TEST_F(StoreTest, IngestRefusesADossierWithoutItsKeysNamingTheField) {
    IngestRequest request = sampleRequest("X");
    request.dossier.source_key.clear();
    auto refused = store_->ingest(request);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, sdk::ErrorCode::InvalidArgument);
    EXPECT_EQ(refused.error().field, "source_key");

    request = sampleRequest("X");
    request.jobs[0].target.clear();
    refused = store_->ingest(request);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().field, "jobs[0].target");
    EXPECT_EQ(count("SELECT COUNT(*) FROM dossiers"), 0);
}

TEST_F(StoreTest, FindDossierOfAnUnknownIdIsEmpty) {
    auto found = store_->findDossier("00000000-0000-4000-8000-000000000000");
    ASSERT_TRUE(found);
    EXPECT_FALSE(found->has_value());
}

TEST_F(StoreTest, EventsAreAppendedInOrderDeduplicatedAndFilteredForThePublic) {
    auto outcome = store_->ingest(sampleRequest("E-1"));
    ASSERT_TRUE(outcome);
    const std::string id = outcome->dossier_id;

    auto appended = store_->appendEvent(statusEvent(id, "evt-1", true), "bo-etatcivil");
    ASSERT_TRUE(appended) << appended.error().message;
    EXPECT_TRUE(*appended);
    appended = store_->appendEvent(statusEvent(id, "evt-1", true), "bo-etatcivil");
    ASSERT_TRUE(appended);
    EXPECT_FALSE(*appended) << "the same source event key was recorded twice";
    // The same key from another source is another event.
    appended = store_->appendEvent(statusEvent(id, "evt-1", false), "portal-json");
    ASSERT_TRUE(appended);
    EXPECT_TRUE(*appended);
    // Without a key there is nothing to deduplicate on.
    EXPECT_TRUE(*store_->appendEvent(statusEvent(id, "", false), "bo-etatcivil"));
    EXPECT_TRUE(*store_->appendEvent(statusEvent(id, "", false), "bo-etatcivil"));

    auto all = store_->events(id);
    ASSERT_TRUE(all);
    ASSERT_EQ(all->size(), 5u);
    EXPECT_EQ((*all)[0].type, "submitted");
    EXPECT_EQ((*all)[1].source_event_key, "evt-1");
    EXPECT_EQ((*all)[1].side, sdk::EventSide::Backoffice);
    EXPECT_EQ((*all)[1].occurred_at.toString(), "2026-11-20T09:00:00-05:00");
    EXPECT_EQ((*all)[1].actor, "agent-42");
    EXPECT_EQ((*all)[1].source_version, "3");
    EXPECT_EQ((*all)[1].payload.find("portal_status")->asString(), "en_instruction");
    EXPECT_FALSE((*all)[1].id.empty());

    auto public_only = store_->events(id, true);
    ASSERT_TRUE(public_only);
    ASSERT_EQ(public_only->size(), 2u);
    for (const sdk::Event& event : *public_only) EXPECT_TRUE(event.is_public);
}

TEST_F(StoreTest, AnEventForAnUnknownDossierIsNotFound) {
    auto appended = store_->appendEvent(statusEvent("no-such-dossier", "k", true), "bo");
    ASSERT_FALSE(appended);
    EXPECT_EQ(appended.error().code, sdk::ErrorCode::NotFound);
    EXPECT_EQ(appended.error().field, "dossier_id");
    EXPECT_EQ(count("SELECT COUNT(*) FROM events"), 0);
}

TEST_F(StoreTest, CursorsStartEmptyAndKeepTheLastValue) {
    auto empty = store_->cursor("ds-poller");
    ASSERT_TRUE(empty);
    EXPECT_EQ(*empty, "");
    ASSERT_TRUE(store_->setCursor("ds-poller", "2026-11-14T10:30:00Z"));
    ASSERT_TRUE(store_->setCursor("ds-poller", "2026-11-15T08:00:00Z"));
    ASSERT_TRUE(store_->setCursor("wcs-poller", "42"));
    EXPECT_EQ(*store_->cursor("ds-poller"), "2026-11-15T08:00:00Z");
    EXPECT_EQ(*store_->cursor("wcs-poller"), "42");
    EXPECT_FALSE(store_->setCursor("", "x"));
}

TEST_F(StoreTest, EverythingAcknowledgedIsThereAfterAReopen) {
    auto outcome = store_->ingest(sampleRequest("DUR-1", 2));
    ASSERT_TRUE(outcome);
    ASSERT_TRUE(store_->appendEvent(statusEvent(outcome->dossier_id, "k1", true), "bo"));
    ASSERT_TRUE(store_->setCursor("poller", "c-9"));
    store_.reset();

    store_ = Store::open(config_);
    EXPECT_EQ(store_->schemaVersion(), latestVersion());
    auto found = store_->findDossier(outcome->dossier_id);
    ASSERT_TRUE(found && found->has_value());
    EXPECT_EQ((*found)->source_key, "DUR-1");
    EXPECT_EQ(store_->events(outcome->dossier_id)->size(), 2u);
    EXPECT_EQ(store_->jobsOfDossier(outcome->dossier_id)->size(), 2u);
    EXPECT_EQ(*store_->cursor("poller"), "c-9");
    auto replay = store_->ingest(sampleRequest("DUR-1"));
    ASSERT_TRUE(replay);
    EXPECT_FALSE(replay->created);
    EXPECT_EQ(replay->dossier_id, outcome->dossier_id);
}

}  // namespace
}  // namespace relais::store
