// SPDX-License-Identifier: AGPL-3.0-or-later
#include "http/worker_pool.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "support/wait.h"

namespace relais::http::detail::test {
namespace {

using namespace std::chrono_literals;

/// Jobs that block until released, counting how many started.
class Gate {
public:
    std::function<void()> job() {
        return [this] {
            started_.fetch_add(1);
            std::unique_lock lock(mutex_);
            open_changed_.wait(lock, [this] { return open_; });
            finished_.fetch_add(1);
        };
    }
    void open() {
        {
            const std::lock_guard lock(mutex_);
            open_ = true;
        }
        open_changed_.notify_all();
    }
    int started() const { return started_.load(); }
    int finished() const { return finished_.load(); }

private:
    std::mutex mutex_;
    std::condition_variable open_changed_;
    bool open_ = false;
    std::atomic<int> started_{0};
    std::atomic<int> finished_{0};
};

TEST(WorkerPool, RefusesAJobWhenEveryWorkerIsBusyAndTheQueueIsFull) {
    Gate gate;
    WorkerPool pool(2, 3, "test-pool");
    ASSERT_TRUE(pool.tryPost(gate.job()));
    ASSERT_TRUE(pool.tryPost(gate.job()));
    ASSERT_TRUE(relais::test::waitUntil("both jobs started", [&] { return gate.started() == 2; }));
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(pool.tryPost(gate.job())) << i;
    EXPECT_FALSE(pool.tryPost(gate.job()));
    gate.open();
    ASSERT_TRUE(relais::test::waitUntil("the jobs finished", [&] { return gate.finished() == 5; }));
    // Room again once the jobs ran.
    EXPECT_TRUE(pool.tryPost(gate.job()));
    EXPECT_TRUE(relais::test::waitUntil("the last job ran", [&] { return gate.finished() == 6; }));
    pool.stop();
}

TEST(WorkerPool, WithoutAQueueTakesOnlyWhatIdleWorkersCanStart) {
    Gate gate;
    WorkerPool pool(1, 0, "test-pool");
    // The worker may not be waiting yet right after construction.
    ASSERT_TRUE(
        relais::test::waitUntil("an idle worker", [&] { return pool.tryPost(gate.job()); }));
    ASSERT_TRUE(relais::test::waitUntil("the job started", [&] { return gate.started() == 1; }));
    EXPECT_FALSE(pool.tryPost(gate.job()));
    gate.open();
    pool.stop();
}

TEST(WorkerPool, StopLetsRunningJobsFinishAndDropsQueuedOnes) {
    Gate gate;
    WorkerPool pool(1, 4, "test-pool");
    ASSERT_TRUE(pool.tryPost(gate.job()));
    ASSERT_TRUE(relais::test::waitUntil("the job started", [&] { return gate.started() == 1; }));
    std::atomic<bool> queued_ran{false};
    ASSERT_TRUE(pool.tryPost([&] { queued_ran = true; }));
    std::thread opener([&] {
        std::this_thread::sleep_for(100ms);
        gate.open();
    });
    pool.stop();
    opener.join();
    EXPECT_EQ(gate.finished(), 1);
    EXPECT_FALSE(queued_ran.load());
    EXPECT_FALSE(pool.tryPost([] {}));
}

}  // namespace
}  // namespace relais::http::detail::test
