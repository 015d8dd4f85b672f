// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "case_book.h"

/// @file
/// A stand-in for API Particulier, API Entreprise and the FranceConnect introspection they
/// do, answering the upstream sandbox's mock cases. Used in-process by the plugin tests and
/// as the `relais-mock-national-api` executable by the demo.

namespace relais::mock_api {

/// One answered request, for the optional request log. No parameter values: they are
/// personal data in the shapes this mock imitates.
struct RequestLogLine {
    std::string method;
    std::string path;  ///< without the query
    int status = 0;
    std::string why;  ///< the case file, or why no case answered
};

/// An HTTP server (Poco::Net::HTTPServer, its own thread pool) answering from a `CaseBook`.
/// Every request but `GET /_stats` is an API call and is counted; `GET /_stats` answers
/// `{"requests": N}`.
///
/// Lifetime: listening from construction to destruction (which waits for in-flight requests).
/// Thread-safety: requests are served on pool threads; the accessors may be called from any
/// thread.
class MockNationalApi {
public:
    struct Options {
        /// Case folders (layout of tests/fixtures/national-apis), read in order.
        std::vector<std::string> case_directories;
        std::string address = "127.0.0.1";
        int port = 0;  ///< 0: any free port
        /// Called after each API call (from a server thread); empty: no log.
        std::function<void(const RequestLogLine&)> log;
    };

    /// Loads the cases and starts listening. Throws `relais::ConfigError` for a case that
    /// cannot be used (naming the file), `Poco::Exception` when the address cannot be bound.
    explicit MockNationalApi(Options options);
    ~MockNationalApi();
    MockNationalApi(const MockNationalApi&) = delete;
    MockNationalApi& operator=(const MockNationalApi&) = delete;

    int port() const noexcept { return port_; }
    const std::string& address() const noexcept { return options_.address; }
    /// `http://<address>:<port>` + `path`.
    std::string url(std::string_view path = "") const;
    /// API calls answered so far (every request but `/_stats`).
    std::uint64_t requestCount() const noexcept { return requests_.load(); }
    const CaseBook& cases() const noexcept { return book_; }

private:
    class Factory;
    struct Impl;

    Options options_;
    CaseBook book_;
    std::atomic<std::uint64_t> requests_{0};
    std::unique_ptr<Impl> impl_;
    int port_ = 0;
};

}  // namespace relais::mock_api
