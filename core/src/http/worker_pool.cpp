// SPDX-License-Identifier: AGPL-3.0-or-later
#include "http/worker_pool.h"

#include <algorithm>
#include <utility>

#include <pthread.h>

namespace relais::http::detail {

WorkerPool::WorkerPool(int threads, int max_queued, std::string name)
    : max_queued_(static_cast<std::size_t>(std::max(0, max_queued))) {
    const int count = std::max(1, threads);
    threads_.reserve(static_cast<std::size_t>(count));
    // Linux thread names are at most 15 bytes.
    name.resize(std::min<std::size_t>(name.size(), 15));
    for (int i = 0; i < count; ++i) {
        threads_.emplace_back([this] { run(); });
        pthread_setname_np(threads_.back().native_handle(), name.c_str());
    }
}

WorkerPool::~WorkerPool() { stop(); }

bool WorkerPool::tryPost(std::function<void()> job) {
    {
        const std::lock_guard lock(mutex_);
        if (stopping_ || jobs_.size() >= max_queued_ + idle_) return false;
        jobs_.push_back(std::move(job));
    }
    wake_.notify_one();
    return true;
}

void WorkerPool::stop() {
    std::deque<std::function<void()>> dropped;
    {
        const std::lock_guard lock(mutex_);
        if (stopping_ && threads_.empty()) return;
        stopping_ = true;
        dropped.swap(jobs_);
    }
    wake_.notify_all();
    for (auto& thread : threads_) {
        if (thread.joinable()) thread.join();
    }
    threads_.clear();
    dropped.clear();
}

void WorkerPool::run() {
    for (;;) {
        std::function<void()> job;
        {
            std::unique_lock lock(mutex_);
            ++idle_;
            wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
            --idle_;
            if (jobs_.empty()) return;  // stopping
            job = std::move(jobs_.front());
            jobs_.pop_front();
        }
        // Jobs catch their own exceptions (a request handler turns them into a 500); one
        // escaping here would end the process rather than lose a thread silently.
        job();
    }
}

}  // namespace relais::http::detail
