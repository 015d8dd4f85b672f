// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "relais/config/config.h"
#include "relais/http/authenticator.h"
#include "relais/http/router.h"
#include "relais/http/server.h"
#include "relais/log/log.h"
#include "relais/metrics/registry.h"
#include "relais/sdk/json.h"

#include "support/temp_dir.h"

/// @file
/// An in-process relais HTTP server on 127.0.0.1, port 0, with a small routing table made
/// for the tests, two clients (`portal-key`, `ops-key`) and a log file in a temp directory.

namespace relais::http::test {

/// Limits small enough to be hit by a test, timeouts long enough never to fire by accident.
config::LimitsConfig testLimits();

class ServerFixture : public ::testing::Test {
protected:
    ServerFixture();
    ~ServerFixture() override;

    /// Starts the server (port in `port_`).
    void start(const config::LimitsConfig& limits = testLimits(), bool access_log = true,
               const config::TlsConfig& tls = {});
    /// Stops the server: every connection thread has ended when it returns, so metrics
    /// and log lines of finished requests are all written.
    void stop();

    /// Every log line written by `logger`, parsed.
    std::vector<sdk::Json> logLines(std::string_view logger);
    std::string logText();

    /// `/v1/block` holds its request until `release()`; `waitEntered` waits (bounded) for
    /// a request to be inside it.
    bool waitEntered(std::chrono::milliseconds timeout);
    void release();

    relais::test::TempDir dir_;
    std::string log_path_;
    std::unique_ptr<log::Sink> sink_;
    metrics::Registry metrics_;
    Router router_;
    std::unique_ptr<Authenticator> authenticator_;
    RefusalObserver refusals_;  ///< given to the server by `start` when set
    std::unique_ptr<Server> server_;
    int port_ = 0;

private:
    std::mutex block_mutex_;  // guards entered_, released_
    std::condition_variable block_cv_;
    bool entered_ = false;
    bool released_ = false;
};

}  // namespace relais::http::test
