// SPDX-License-Identifier: AGPL-3.0-or-later
// Retention in practice: the purger deletes what may no longer be kept, through a real
// SQLite store.
#include "relais/subjects/purger.h"

#include <gtest/gtest.h>

#include "relais/config/config.h"
#include "relais/log/log.h"
#include "relais/metrics/registry.h"
#include "relais/sdk/clock.h"
#include "relais/store/store.h"

#include "support/temp_dir.h"

namespace relais::subjects {
namespace {

/// A clock the test sets.
class SetClock final : public sdk::Clock {
public:
    sdk::Timestamp now() const noexcept override { return {micros, 0}; }
    std::int64_t monotonicMicros() const noexcept override { return micros; }
    std::int64_t micros = 1'800'000'000'000'000;
};

store::StoredAttribute value(const std::string& subject, const std::string& name, int level,
                             std::int64_t retain_until, std::int64_t valid_until) {
    store::StoredAttribute row;
    row.subject_id = subject;
    row.name = name;
    row.sealed = "sealed-bytes";
    row.key_id = "k1";
    row.source = "particulier";
    row.level = level;
    row.verified_at = 1'700'000'000'000'000;
    row.valid_until = valid_until;
    row.retain_until = retain_until;
    return row;
}

TEST(Purger, DeletesValuesPastTheirRetentionAndSupersededExpiredOnes) {
    test::TempDir dir;
    config::StoreConfig config;
    config.path = dir.file("relais.db");
    config.blob_directory = dir.file("blobs");
    auto store = store::Store::open(config);
    SetClock clock;
    const std::int64_t now = clock.micros;
    store::SubjectKey key;
    key.fc_sub = std::string(64, 'a') + "v1";
    auto subject = store->resolveSubject(key, now);
    ASSERT_TRUE(subject) << subject.error().message;
    // Kept: no retention limit. Purged: retention passed. The older, outranked email value
    // expired: purged; the current one stays even though it expired (it is what is known).
    ASSERT_TRUE(store->recordAttributes(
        subject->id,
        {value(subject->id, "given_name", 600, 0, 0),
         value(subject->id, "quotient_familial", 600, now - 1, 0),
         value(subject->id, "email", 100, 0, now - 10), value(subject->id, "email", 200, 0, 0)},
        now - 100));

    log::Sink sink(dir.file("purge.log"));
    log::Logger logger(sink, "core", sdk::LogLevel::Info);
    metrics::Registry metrics;
    Purger purger(*store, clock, logger, metrics, std::chrono::hours(1));
    EXPECT_EQ(purger.runOnce(), 2);
    auto left = store->attributeHistory(subject->id);
    ASSERT_TRUE(left);
    ASSERT_EQ(left->size(), 2U);
    EXPECT_EQ((*left)[0].name, "given_name");
    EXPECT_EQ((*left)[1].name, "email");
    EXPECT_EQ((*left)[1].level, 200);
    EXPECT_EQ(purger.runOnce(), 0);  // nothing more to do

    // Started, it purges at once and stops promptly.
    purger.start();
    purger.stop();
}

}  // namespace
}  // namespace relais::subjects
