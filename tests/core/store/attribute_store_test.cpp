// SPDX-License-Identifier: AGPL-3.0-or-later
// Store: attribute values — sealed bytes kept exactly, arbitration between values, the values
// in force, the history, validation.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "relais/store/store.h"

#include "store_fixture.h"
#include "support/temp_dir.h"

namespace relais::store {
namespace {

using test::nowMicros;
using test::Probe;
using test::storeConfig;

constexpr std::int64_t kHour = 3'600'000'000;

class AttributeStoreTest : public ::testing::Test {
protected:
    AttributeStoreTest() : config_(storeConfig(dir_)), store_(Store::open(config_)) {
        SubjectKey key;
        key.fc_sub = "fc-attributes";
        auto subject = store_->resolveSubject(key, now_);
        EXPECT_TRUE(subject) << subject.error().message;
        if (subject) subject_id_ = subject->id;
    }

    std::int64_t count(const std::string& sql) { return Probe(config_.path).integer(sql); }

    /// Records one value and returns what became of it.
    AttributeOutcome record(const StoredAttribute& value) {
        auto outcomes = store_->recordAttributes(subject_id_, {value}, now_);
        EXPECT_TRUE(outcomes) << outcomes.error().message;
        if (!outcomes || outcomes->size() != 1) {
            ADD_FAILURE() << "expected one outcome";
            return AttributeOutcome::Outranked;
        }
        return outcomes->front();
    }

    /// The sealed bytes of the value in force for `name` ("" when none).
    std::string inForce(const std::string& name) {
        auto current = store_->currentAttributes(subject_id_, {name});
        EXPECT_TRUE(current) << current.error().message;
        if (!current || current->empty()) return {};
        EXPECT_EQ(current->size(), 1u);
        return current->front().sealed;
    }

    relais::test::TempDir dir_;
    config::StoreConfig config_;
    std::unique_ptr<Store> store_;
    const std::int64_t now_ = nowMicros();
    std::string subject_id_;
};

/// A value as the vault would hand it over; `tag` ends up in the sealed bytes, so that each
/// value can be told apart. The bytes hold NULs and high bytes, as real ciphertext does.
StoredAttribute value(const std::string& name, int level, std::int64_t verified_at,
                      std::int64_t valid_until, const std::string& tag) {
    StoredAttribute attribute;
    attribute.name = name;
    attribute.sealed = std::string("\x00\x01\xff", 3) + tag + std::string("\x00", 1);
    attribute.key_id = "k1";
    attribute.source = "api-particulier";
    attribute.level = level;
    attribute.process = "quotient_familial_caf";
    attribute.verified_at = verified_at;
    attribute.valid_until = valid_until;
    attribute.legal_basis = "art. L. 114-8 CRPA";
    attribute.retain_until = 0;
    return attribute;
}

TEST_F(AttributeStoreTest, KeepsEveryFieldAndTheSealedBytesExactly) {
    StoredAttribute stored = value("quotient_familial", 2, now_ - kHour, now_ + kHour, "qf");
    stored.retain_until = now_ + 1000 * kHour;
    EXPECT_EQ(record(stored), AttributeOutcome::Current);

    auto current = store_->currentAttributes(subject_id_);
    ASSERT_TRUE(current) << current.error().message;
    ASSERT_EQ(current->size(), 1u);
    const StoredAttribute& read = current->front();
    EXPECT_GT(read.id, 0);
    EXPECT_EQ(read.subject_id, subject_id_);
    EXPECT_EQ(read.name, "quotient_familial");
    EXPECT_EQ(read.sealed, stored.sealed);
    EXPECT_EQ(read.sealed.size(), 6u);
    EXPECT_EQ(read.key_id, "k1");
    EXPECT_EQ(read.source, "api-particulier");
    EXPECT_EQ(read.level, 2);
    EXPECT_EQ(read.process, "quotient_familial_caf");
    EXPECT_EQ(read.verified_at, now_ - kHour);
    EXPECT_EQ(read.valid_until, now_ + kHour);
    EXPECT_EQ(read.legal_basis, "art. L. 114-8 CRPA");
    EXPECT_EQ(read.retain_until, now_ + 1000 * kHour);
    EXPECT_TRUE(read.current);
    EXPECT_EQ(read.recorded_at, now_);
    // On disk: a BLOB, never text.
    EXPECT_EQ(Probe(config_.path).text("SELECT typeof(value) FROM attributes"), "blob");
}

TEST_F(AttributeStoreTest, AHigherLevelReplacesALowerOne) {
    EXPECT_EQ(record(value("email", 1, now_ - 2 * kHour, 0, "declared")),
              AttributeOutcome::Current);
    EXPECT_EQ(record(value("email", 2, now_ - 3 * kHour, 0, "verified")), AttributeOutcome::Current)
        << "the level decides before the verification time";
    EXPECT_NE(inForce("email").find("verified"), std::string::npos);
    auto history = store_->attributeHistory(subject_id_);
    ASSERT_TRUE(history);
    ASSERT_EQ(history->size(), 2u);
    EXPECT_FALSE((*history)[0].current);
    EXPECT_TRUE((*history)[1].current);
}

TEST_F(AttributeStoreTest, ALowerLevelNeverReplacesAStillValidHigherOneButIsKept) {
    EXPECT_EQ(record(value("email", 2, now_ - kHour, now_ + kHour, "verified")),
              AttributeOutcome::Current);
    EXPECT_EQ(record(value("email", 1, now_, 0, "declared")), AttributeOutcome::Outranked);
    EXPECT_NE(inForce("email").find("verified"), std::string::npos);

    // Without a validity limit, a higher level never expires.
    EXPECT_EQ(record(value("phone", 3, now_ - 100 * kHour, 0, "certified")),
              AttributeOutcome::Current);
    EXPECT_EQ(record(value("phone", 1, now_, 0, "declared")), AttributeOutcome::Outranked);

    auto history = store_->attributeHistory(subject_id_);
    ASSERT_TRUE(history);
    ASSERT_EQ(history->size(), 4u);
    EXPECT_EQ((*history)[1].name, "email");
    EXPECT_EQ((*history)[1].level, 1);
    EXPECT_FALSE((*history)[1].current) << "kept as history";
    EXPECT_EQ(count("SELECT COUNT(*) FROM attributes WHERE current = 1"), 2);
}

TEST_F(AttributeStoreTest, ALowerLevelReplacesAnExpiredHigherOne) {
    EXPECT_EQ(record(value("quotient_familial", 3, now_ - 10 * kHour, now_ - 1, "old")),
              AttributeOutcome::Current)
        << "nothing in force yet: even an expired value becomes current";
    EXPECT_EQ(record(value("quotient_familial", 1, now_, 0, "new")), AttributeOutcome::Current);
    EXPECT_NE(inForce("quotient_familial").find("new"), std::string::npos);

    // A limit equal to now has passed.
    EXPECT_EQ(record(value("school", 3, now_ - kHour, now_, "ending")), AttributeOutcome::Current);
    EXPECT_EQ(record(value("school", 0, now_, 0, "declared")), AttributeOutcome::Current);
}

TEST_F(AttributeStoreTest, AtEqualLevelTheLaterVerificationWins) {
    EXPECT_EQ(record(value("address", 2, now_ - 2 * kHour, 0, "first")), AttributeOutcome::Current);
    EXPECT_EQ(record(value("address", 2, now_ - kHour, 0, "later")), AttributeOutcome::Current);
    EXPECT_EQ(record(value("address", 2, now_ - 3 * kHour, 0, "older")),
              AttributeOutcome::Outranked);
    EXPECT_NE(inForce("address").find("later"), std::string::npos);
    EXPECT_EQ(record(value("address", 2, now_ - kHour, 0, "same-time")), AttributeOutcome::Current)
        << "an equal verification time: the latest recorded wins";
    EXPECT_NE(inForce("address").find("same-time"), std::string::npos);
}

TEST_F(AttributeStoreTest, AValueThatArrivesExpiredNeverHidesAValidOne) {
    EXPECT_EQ(record(value("income", 1, now_ - kHour, now_ + kHour, "valid")),
              AttributeOutcome::Current);
    EXPECT_EQ(record(value("income", 3, now_ - 20 * kHour, now_ - 10 * kHour, "stale")),
              AttributeOutcome::Outranked);
    EXPECT_NE(inForce("income").find("valid"), std::string::npos);
}

TEST_F(AttributeStoreTest, ValuesOfOneCallAreArbitratedInOrder) {
    auto outcomes =
        store_->recordAttributes(subject_id_,
                                 {value("email", 1, now_, 0, "a"), value("phone", 1, now_, 0, "p"),
                                  value("email", 2, now_, 0, "b"), value("email", 1, now_, 0, "c")},
                                 now_);
    ASSERT_TRUE(outcomes) << outcomes.error().message;
    EXPECT_EQ(*outcomes, (std::vector<AttributeOutcome>{
                             AttributeOutcome::Current, AttributeOutcome::Current,
                             AttributeOutcome::Current, AttributeOutcome::Outranked}));
    EXPECT_NE(inForce("email").find("b"), std::string::npos);
    EXPECT_EQ(count("SELECT COUNT(*) FROM attributes WHERE name = 'email' AND current = 1"), 1);
    EXPECT_EQ(count("SELECT COUNT(*) FROM attributes WHERE name = 'email'"), 3);
}

TEST_F(AttributeStoreTest, CurrentValuesAreFilteredByNameAndSortedByName) {
    ASSERT_TRUE(store_->recordAttributes(
        subject_id_,
        {value("c", 1, now_, 0, "c"), value("a", 1, now_, now_ - 1, "a-expired"),
         value("b", 1, now_, 0, "b"), value("b", 0, now_, 0, "b-outranked")},
        now_));

    auto all = store_->currentAttributes(subject_id_);
    ASSERT_TRUE(all) << all.error().message;
    std::vector<std::string> names;
    for (const StoredAttribute& attribute : *all) names.push_back(attribute.name);
    EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "c"}))
        << "expired values in force are included; outranked ones are not";

    auto some = store_->currentAttributes(subject_id_, {"c", "a", "unknown", "c"});
    ASSERT_TRUE(some) << some.error().message;
    names.clear();
    for (const StoredAttribute& attribute : *some) names.push_back(attribute.name);
    EXPECT_EQ(names, (std::vector<std::string>{"a", "c"}));

    auto nobody = store_->currentAttributes("no-such-subject", {"a"});
    ASSERT_TRUE(nobody);
    EXPECT_TRUE(nobody->empty());
}

TEST_F(AttributeStoreTest, TheHistoryHoldsEveryValueInOrderOfRecording) {
    ASSERT_TRUE(store_->recordAttributes(subject_id_, {value("x", 1, now_, 0, "1")}, now_));
    ASSERT_TRUE(store_->recordAttributes(subject_id_, {value("y", 1, now_, 0, "2")}, now_ + 1));
    ASSERT_TRUE(store_->recordAttributes(subject_id_, {value("x", 2, now_, 0, "3")}, now_ + 2));
    auto history = store_->attributeHistory(subject_id_);
    ASSERT_TRUE(history) << history.error().message;
    ASSERT_EQ(history->size(), 3u);
    EXPECT_EQ((*history)[0].recorded_at, now_);
    EXPECT_EQ((*history)[1].recorded_at, now_ + 1);
    EXPECT_EQ((*history)[2].recorded_at, now_ + 2);
    EXPECT_FALSE((*history)[0].current);
    EXPECT_TRUE((*history)[1].current);
    EXPECT_TRUE((*history)[2].current);
    EXPECT_LT((*history)[0].id, (*history)[2].id);
}

TEST_F(AttributeStoreTest, InvalidValuesAreRefusedNamingTheFieldAndNothingIsWritten) {
    struct Case {
        const char* field;
        void (*spoil)(StoredAttribute&);
    };
    const Case cases[] = {
        {"values[1].name", [](StoredAttribute& v) { v.name.clear(); }},
        {"values[1].sealed", [](StoredAttribute& v) { v.sealed.clear(); }},
        {"values[1].key_id", [](StoredAttribute& v) { v.key_id.clear(); }},
        {"values[1].source", [](StoredAttribute& v) { v.source.clear(); }},
        {"values[1].subject_id", [](StoredAttribute& v) { v.subject_id = "someone-else"; }},
        {"values[1].level", [](StoredAttribute& v) { v.level = -1; }},
        {"values[1].valid_until", [](StoredAttribute& v) { v.valid_until = -5; }},
        {"values[1].retain_until", [](StoredAttribute& v) { v.retain_until = -5; }},
    };
    for (const Case& c : cases) {
        std::vector<StoredAttribute> values{value("ok", 1, now_, 0, "ok"),
                                            value("bad", 1, now_, 0, "bad")};
        c.spoil(values[1]);
        auto refused = store_->recordAttributes(subject_id_, values, now_);
        ASSERT_FALSE(refused) << c.field;
        EXPECT_EQ(refused.error().code, sdk::ErrorCode::InvalidArgument) << c.field;
        EXPECT_EQ(refused.error().field, c.field);
    }
    EXPECT_EQ(count("SELECT COUNT(*) FROM attributes"), 0);

    auto unknown = store_->recordAttributes("no-such-subject", {value("a", 1, now_, 0, "a")}, now_);
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, sdk::ErrorCode::NotFound);
    EXPECT_EQ(count("SELECT COUNT(*) FROM attributes"), 0);

    // A subject_id equal to the one recorded for is fine.
    StoredAttribute explicit_subject = value("a", 1, now_, 0, "a");
    explicit_subject.subject_id = subject_id_;
    EXPECT_EQ(record(explicit_subject), AttributeOutcome::Current);
}

}  // namespace
}  // namespace relais::store
