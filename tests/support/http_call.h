// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "relais/sdk/json.h"

namespace relais::test {

struct HttpResult {
    int status = 0;
    std::string content_type;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;

    std::string header(const std::string& name) const;
    /// The body parsed as JSON (null when it is not JSON; the test fails).
    sdk::Json json() const;
};

/// One HTTP/1.1 request to 127.0.0.1:`port` on a fresh connection. `headers` are added as
/// given; a body is sent with `content_type`. Throws on connection errors.
HttpResult httpCall(int port, const std::string& method, const std::string& target,
                    const std::vector<std::pair<std::string, std::string>>& headers = {},
                    const std::string& body = {},
                    const std::string& content_type = "application/json");

/// `{"Authorization", "Bearer " + key}`.
std::pair<std::string, std::string> bearer(const std::string& key);

/// Reads `GET /v1/dossiers/{id}` (as the client with API key `key`) until its `status` is
/// `status`, for at most 15 s; returns the last tracking document read (the test fails when
/// the status never came).
sdk::Json waitForDossierStatus(int port, const std::string& key, const std::string& id,
                               const std::string& status);

}  // namespace relais::test
