// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

/// @file
/// The threads that run request handlers (internal to relais_http). Handlers may block (a
/// store commit waits for the disk, a connector calls a business application): they run
/// here, never on the event loops, which only move bytes.

namespace relais::http::detail {

/// A fixed number of threads and a bounded queue of jobs.
///
/// Thread-safety: `tryPost` from any thread; `stop` once, from the control thread.
class WorkerPool {
public:
    /// `threads` workers (at least 1); at most `max_queued` jobs wait beyond those that
    /// idle workers take at once.
    WorkerPool(int threads, int max_queued, std::string name);
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    /// Queues `job`, or returns false when every worker is busy and the queue is full (the
    /// caller answers 503): load is shed at the door rather than piled up in memory.
    bool tryPost(std::function<void()> job);

    /// Lets the running jobs finish, drops the queued ones (destroying them on this
    /// thread), and joins the threads. Idempotent.
    void stop();

private:
    void run();

    const std::size_t max_queued_;
    std::mutex mutex_;  // guards everything below
    std::condition_variable wake_;
    std::deque<std::function<void()>> jobs_;
    std::size_t idle_ = 0;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace relais::http::detail
