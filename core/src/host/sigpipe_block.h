// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <ctime>

#include <pthread.h>
#include <signal.h>

/// @file
/// Private to the HTTP client: SIGPIPE blocked and consumed around a call that writes to
/// sockets.

namespace relais::host::http_detail {

/// A write to a socket the peer has closed raises SIGPIPE, which kills the process unless
/// it is ignored; Poco and OpenSSL send without MSG_NOSIGNAL. The signal is blocked on the
/// calling thread for the duration of a call and a SIGPIPE it caused is consumed before
/// unblocking, so the client is safe whatever the process's disposition.
class SigpipeBlock {
public:
    SigpipeBlock() noexcept {
        sigemptyset(&pipe_);
        sigaddset(&pipe_, SIGPIPE);
        sigset_t pending;
        sigemptyset(&pending);
        sigpending(&pending);
        already_pending_ = sigismember(&pending, SIGPIPE) == 1;
        blocked_ = pthread_sigmask(SIG_BLOCK, &pipe_, &previous_) == 0;
    }
    ~SigpipeBlock() {
        if (!blocked_) return;
        if (!already_pending_) {
            sigset_t pending;
            sigemptyset(&pending);
            sigpending(&pending);
            if (sigismember(&pending, SIGPIPE) == 1) {
                const timespec no_wait{0, 0};
                (void)sigtimedwait(&pipe_, nullptr, &no_wait);
            }
        }
        pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
    }
    SigpipeBlock(const SigpipeBlock&) = delete;
    SigpipeBlock& operator=(const SigpipeBlock&) = delete;

private:
    sigset_t pipe_{};
    sigset_t previous_{};
    bool already_pending_ = false;
    bool blocked_ = false;
};

}  // namespace relais::host::http_detail
