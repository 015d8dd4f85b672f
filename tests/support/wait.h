// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <chrono>
#include <string>
#include <thread>

#include <gtest/gtest.h>

/// @file
/// Waiting for what a daemon does in the background (a poll, a push, a file written), without
/// a fixed sleep: the condition is checked every 10 ms until it holds or the deadline passes.

namespace relais::test {

/// Waits until `ready()` holds, at most `deadline`; adds a test failure saying what never
/// happened (`"never " + what`) and returns false when it did not.
template <typename Ready>
bool waitUntil(const std::string& what, Ready ready,
               std::chrono::milliseconds deadline = std::chrono::seconds(15)) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (std::chrono::steady_clock::now() < until) {
        if (ready()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ADD_FAILURE() << "never " << what;
    return false;
}

}  // namespace relais::test
