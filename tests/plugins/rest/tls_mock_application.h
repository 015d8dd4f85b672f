// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <Poco/Net/HTTPServer.h>
#include <Poco/ThreadPool.h>

/// @file
/// A business application reachable over HTTPS only, that requires a client certificate
/// (mutual TLS), for the REST connector's end-to-end tests. Certificates come from the
/// test (`test::TestPki`, made with the openssl command line).

namespace relais::test {

/// A request as the application received it, with the client certificate it came with.
struct TlsRequest {
    std::string method;
    std::string uri;  ///< path and query, as received
    std::string idempotency_key;
    std::string content_type;
    std::string body;
    std::string client_subject_cn;  ///< common name of the client certificate
    std::string client_issuer_cn;   ///< common name of its issuer
};

/// A Poco HTTPServer on a SecureServerSocket on 127.0.0.1, port 0, presenting
/// `server_cert`/`server_key` and accepting only clients with a certificate signed by
/// `client_ca` (the handshake fails without one, or with one from another CA, so such a
/// client never gets to send a request). Every request is recorded and answered `201`
/// `{"id":"BO-TLS-<n>"}`, n counting from 1.
///
/// Thread-safety: requests are handled on server threads; accessors lock `mutex_`.
class TlsMockApplication {
public:
    TlsMockApplication(const std::string& server_cert, const std::string& server_key,
                       const std::string& client_ca);
    ~TlsMockApplication();
    TlsMockApplication(const TlsMockApplication&) = delete;
    TlsMockApplication& operator=(const TlsMockApplication&) = delete;

    int port() const noexcept { return port_; }
    /// `https://127.0.0.1:<port>` + `path`.
    std::string url(std::string_view path) const;

    std::vector<TlsRequest> requests() const;
    std::size_t count() const;

    /// Records `request` and gives the id it is answered with. Called by the server threads.
    std::string record(TlsRequest request);

private:
    mutable std::mutex mutex_;  // guards requests_
    std::vector<TlsRequest> requests_;
    Poco::ThreadPool threads_;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
    int port_ = 0;
};

}  // namespace relais::test
