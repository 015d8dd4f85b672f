// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace relais::test {

/// A request as the mock received it.
struct ReceivedRequest {
    std::string method;
    std::string uri;  ///< path and query
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;

    std::string header(const std::string& name) const;
};

/// What the mock answers.
struct MockResponse {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

/// A real HTTP server (Poco::Net::HTTPServer) on 127.0.0.1, port 0, standing in for a
/// portal or a business application: it records every request and answers through
/// `handler` (default: 200 `{}`).
///
/// Thread-safety: requests are handled on server threads; accessors lock `mutex_`.
class MockHttpServer {
public:
    using Handler = std::function<MockResponse(const ReceivedRequest&)>;

    explicit MockHttpServer(Handler handler = {});
    ~MockHttpServer();
    MockHttpServer(const MockHttpServer&) = delete;
    MockHttpServer& operator=(const MockHttpServer&) = delete;

    int port() const noexcept { return port_; }
    /// `http://127.0.0.1:<port>` + `path`.
    std::string url(const std::string& path = "/") const;

    void setHandler(Handler handler);
    std::vector<ReceivedRequest> requests() const;
    std::size_t count() const;
    /// Waits until at least `n` requests arrived; false on timeout.
    bool waitForCount(std::size_t n, std::chrono::milliseconds timeout) const;

private:
    class Factory;
    MockResponse handle(const ReceivedRequest& request);

    mutable std::mutex mutex_;  // guards handler_ and requests_
    mutable std::condition_variable arrived_;
    Handler handler_;
    std::vector<ReceivedRequest> requests_;
    struct Impl;
    std::unique_ptr<Impl> impl_;
    int port_ = 0;
};

}  // namespace relais::test
