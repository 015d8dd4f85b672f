// SPDX-License-Identifier: AGPL-3.0-or-later
#include "host/connection_pool.h"

#include <algorithm>
#include <chrono>
#include <iterator>
#include <utility>

namespace relais::host::http_detail {

std::unique_ptr<Connection> ConnectionPool::takeIdle(const std::string& pool_key) {
    std::vector<std::unique_ptr<Connection>> dropped;
    std::unique_ptr<Connection> taken;
    for (;;) {
        {
            std::lock_guard lock(pool_mutex_);
            const auto now = Clock::now();
            sweepExpiredLocked(now, dropped);
            auto it = idle_.find(pool_key);
            if (it == idle_.end() || it->second.empty()) break;
            Idle& newest = it->second.back();
            const bool expired =
                now - newest.since >= std::chrono::milliseconds(options_.idle_timeout_ms);
            taken = std::move(newest.connection);
            it->second.pop_back();
            if (it->second.empty()) idle_.erase(it);
            if (expired) {
                // The sweep runs at most every half idle timeout; an expired connection
                // may still be listed.
                dropped.push_back(std::move(taken));
                continue;
            }
        }
        // Polling the socket is a system call: done without the lock.
        if (!taken->looksClosed()) break;
        dropped.push_back(std::move(taken));
    }
    return taken;
}

void ConnectionPool::giveBack(const std::string& pool_key, std::unique_ptr<Connection> connection) {
    std::vector<std::unique_ptr<Connection>> dropped;
    {
        std::lock_guard lock(pool_mutex_);
        const auto now = Clock::now();
        sweepExpiredLocked(now, dropped);
        if (options_.max_idle_per_endpoint <= 0) {
            dropped.push_back(std::move(connection));
        } else {
            auto& list = idle_[pool_key];
            list.push_back(Idle{std::move(connection), now});
            if (list.size() > static_cast<std::size_t>(options_.max_idle_per_endpoint)) {
                dropped.push_back(std::move(list.front().connection));
                list.erase(list.begin());
            }
        }
    }
}

/// Moves every idle connection older than the idle timeout to `dropped`, at most once
/// per half idle timeout (so that endpoints no longer called release their sockets).
/// Requires `pool_mutex_`.
void ConnectionPool::sweepExpiredLocked(Clock::time_point now,
                                        std::vector<std::unique_ptr<Connection>>& dropped) {
    if (now < next_sweep_) return;
    const auto idle_timeout = std::chrono::milliseconds(options_.idle_timeout_ms);
    next_sweep_ =
        now + std::max<std::chrono::milliseconds>(idle_timeout / 2, std::chrono::milliseconds(1));
    for (auto it = idle_.begin(); it != idle_.end();) {
        auto& list = it->second;
        // Oldest first: the expired ones form a prefix.
        auto fresh = std::find_if(list.begin(), list.end(), [&](const Idle& idle) {
            return now - idle.since < idle_timeout;
        });
        for (auto expired = list.begin(); expired != fresh; ++expired) {
            dropped.push_back(std::move(expired->connection));
        }
        list.erase(list.begin(), fresh);
        it = list.empty() ? idle_.erase(it) : std::next(it);
    }
}

void ConnectionPool::clear() {
    std::unordered_map<std::string, std::vector<Idle>> dropped;
    {
        std::lock_guard lock(pool_mutex_);
        dropped.swap(idle_);
    }
}

}  // namespace relais::host::http_detail
