// SPDX-License-Identifier: AGPL-3.0-or-later
#include "http/connection_guard.h"

#include <algorithm>
#include <utility>

#include <sys/socket.h>

namespace relais::http::detail {

ConnectionGuard::ConnectionGuard() : thread_([this] { watch(); }) {}

ConnectionGuard::~ConnectionGuard() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
}

void ConnectionGuard::arm(const Poco::Net::StreamSocket& socket, Clock::time_point deadline) {
    bool sooner = false;
    {
        const std::lock_guard lock(mutex_);
        auto [entry, fresh] = sockets_.try_emplace(socket.impl(), Watched{socket, deadline, true});
        if (!fresh) {
            entry->second.deadline = deadline;
            entry->second.armed = true;
        }
        // Most deadlines come after the one the watcher sleeps until: no need to wake it
        // (twice a request otherwise).
        sooner = deadline < wake_at_;
        if (sooner) wake_at_ = deadline;
    }
    if (sooner) changed_.notify_all();
}

void ConnectionGuard::disarm(const Poco::Net::StreamSocket& socket) {
    const std::lock_guard lock(mutex_);
    if (auto found = sockets_.find(socket.impl()); found != sockets_.end()) {
        found->second.armed = false;
    }
}

void ConnectionGuard::forget(const Poco::Net::StreamSocket& socket) {
    const std::lock_guard lock(mutex_);
    sockets_.erase(socket.impl());
}

void ConnectionGuard::watch() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        const auto now = Clock::now();
        auto next = Clock::time_point::max();
        for (auto& [impl, watched] : sockets_) {
            if (!watched.armed) continue;
            if (watched.deadline <= now) {
                // The kernel socket, not Poco's: the connection thread may be inside an
                // OpenSSL read on it, which must not be touched from here.
                ::shutdown(watched.socket.impl()->sockfd(), SHUT_RDWR);
                watched.armed = false;
            } else {
                next = std::min(next, watched.deadline);
            }
        }
        wake_at_ = next;
        if (next == Clock::time_point::max()) {
            changed_.wait(lock);
        } else {
            changed_.wait_until(lock, next);
        }
    }
}

}  // namespace relais::http::detail
