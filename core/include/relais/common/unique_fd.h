// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <unistd.h>

/// @file
/// A POSIX file descriptor closed on scope exit.

namespace relais::common {

/// Owns `fd` (negative: none) and closes it on destruction unless released. Not copyable.
class UniqueFd {
public:
    explicit UniqueFd(int fd) noexcept : fd_(fd) {}
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    ~UniqueFd() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const noexcept { return fd_; }
    /// Gives up ownership: the caller closes the descriptor.
    int release() noexcept {
        const int fd = fd_;
        fd_ = -1;
        return fd;
    }

private:
    int fd_;
};

}  // namespace relais::common
