// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "files.h"

/// @file
/// The double's HTTP side: a Poco::Net::HTTPServer with its own thread pool (joined on
/// destruction) that hands each request, body read, to one function.

namespace relais::ds_mock {

struct HttpRequest {
    std::string method;
    std::string path;
    std::string query;          ///< raw, without `?`
    std::string authorization;  ///< the Authorization header, empty when none
    std::string body;
};

/// Called on server threads, concurrently: it must guard what it touches.
using HttpHandler = std::function<StorageAnswer(const HttpRequest&)>;

class HttpFront {
public:
    /// Binds `address`:`port` (0: any free port) and starts. Throws `Poco::Exception`.
    HttpFront(const std::string& address, int port, HttpHandler handler);
    ~HttpFront();
    HttpFront(const HttpFront&) = delete;
    HttpFront& operator=(const HttpFront&) = delete;

    int port() const;

private:
    struct Parts;
    std::unique_ptr<Parts> parts_;
};

}  // namespace relais::ds_mock
