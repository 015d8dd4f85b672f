// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "relais/http/request.h"

/// @file
/// The routing table: method + path pattern (`/v1/dossiers/{id}/events`) → handler, with
/// the right the route requires and its metric name.

namespace relais::http {

using Handler = std::function<Response(Request&)>;

/// Rewrites, in place, a refusal the server answered before the route's handler ran
/// (authentication, rights, rate, body size or signature) — for routes whose callers expect
/// another error format than problem+json (a Publik envelope). Gets the request as far as it
/// was read (path parameters set; client and body maybe not). Runs on the request's thread;
/// must not throw.
using RefusalShaper = std::function<void(const Request&, Response&)>;

/// One endpoint of the HTTP API: method and path pattern, the right it requires, its handler.
/// (Not a `pipeline::Route`, which sends dossiers of a procedure to connectors.)
struct Endpoint {
    std::string method;   ///< `GET`, `POST`…
    std::string pattern;  ///< literal segments and `{name}` segments
    std::string name;     ///< metric label, e.g. `dossier_get`
    /// Right the client needs. Empty: the route is public (only `/healthz`).
    std::string right;
    Handler handler;
    /// Largest body accepted; 0: the server's limit.
    std::size_t max_body_bytes = 0;
    /// Answered on the event loop, never queued behind the workers: only for handlers
    /// that are quick and never wait on anything (health checks), so that they still
    /// answer when every worker is busy.
    bool immediate = false;
};

struct Match {
    enum class Kind { Found, NotFound, MethodNotAllowed };
    Kind kind = Kind::NotFound;
    const Endpoint* route = nullptr;
    Params params;
    std::vector<std::string> allowed_methods;  ///< for `MethodNotAllowed`
};

/// Matching rules: the number of segments must be equal; a literal segment matches the
/// decoded path segment exactly; a `{name}` segment matches any non-empty segment. When
/// several routes match, the one whose first differing segment is a literal wins
/// (`/v1/jobs/dead` beats `/v1/jobs/{id}`). A path with a `.` or `..` segment, a NUL byte or
/// malformed percent-encoding matches nothing.
///
/// Thread-safety: build on one thread, then only `match` (const, concurrent). `add` may
/// reallocate: `Match::route` pointers are valid until the next `add`.
class Router {
public:
    /// Adds a route. Throws `std::invalid_argument` for a malformed pattern (not starting
    /// with `/`, empty or malformed `{}` segment, repeated parameter name), an empty method,
    /// a missing handler, or a route that would be ambiguous with an existing one (same
    /// method and the same shape, e.g. `/a/{x}` and `/a/{y}`). An empty `name` becomes the
    /// pattern.
    void add(Endpoint route);

    /// `path` is the path as received (percent-encoded, without the query): each segment is
    /// decoded on its own, so an encoded `/` (`%2F`) inside a parameter never splits it.
    /// `Match::params` holds the decoded `{name}` values in pattern order.
    Match match(std::string_view method, std::string_view path) const;
    const std::vector<Endpoint>& routes() const noexcept { return routes_; }

    /// Sets the shaper of the refusals of the route named `route_name` (see `RefusalShaper`),
    /// replacing any earlier one. Same threading as `add`.
    void setRefusalShaper(std::string route_name, RefusalShaper shaper);
    /// The shaper of route `route_name`, or null.
    const RefusalShaper* refusalShaper(std::string_view route_name) const;

private:
    /// One precomputed pattern segment: a literal, or a parameter and its name.
    struct Segment {
        std::string text;
        bool is_param = false;
    };

    std::vector<Endpoint> routes_;
    /// Parallel to `routes_`: each pattern split once, so `match` only compares.
    std::vector<std::vector<Segment>> patterns_;
    /// Route indices by segment count (index = count), so `match` only looks at candidates.
    std::vector<std::vector<std::size_t>> by_length_;
    std::map<std::string, RefusalShaper, std::less<>> refusal_shapers_;
};

}  // namespace relais::http
