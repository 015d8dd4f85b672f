// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "relais/http/request.h"

/// @file
/// The routing table: method + path pattern (`/v1/dossiers/{id}/events`) → handler, with
/// the right the route requires and its metric name.

namespace relais::http {

using Handler = std::function<Response(Request&)>;

struct Route {
    std::string method;   ///< `GET`, `POST`…
    std::string pattern;  ///< literal segments and `{name}` segments
    std::string name;     ///< metric label, e.g. `dossier_get`
    /// Right the client needs. Empty: the route is public (only `/healthz`).
    std::string right;
    Handler handler;
    /// Largest body accepted; 0: the server's limit.
    std::size_t max_body_bytes = 0;
};

struct Match {
    enum class Kind { Found, NotFound, MethodNotAllowed };
    Kind kind = Kind::NotFound;
    const Route* route = nullptr;
    Params params;
    std::vector<std::string> allowed_methods;  ///< for `MethodNotAllowed`
};

/// Thread-safety: build on one thread, then only `match` (const, concurrent).
class Router {
public:
    /// Adds a route; a duplicate (method, pattern) throws `std::invalid_argument`.
    void add(Route route);
    Match match(std::string_view method, std::string_view path) const;
    const std::vector<Route>& routes() const noexcept { return routes_; }

private:
    std::vector<Route> routes_;
};

}  // namespace relais::http
