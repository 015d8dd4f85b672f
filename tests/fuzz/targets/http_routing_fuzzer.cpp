// SPDX-License-Identifier: AGPL-3.0-or-later
// Fuzz target: the HTTP routing layer of relais_http — the request-target helpers of
// core/src/http/url.h (splitTarget, decodeSegments, decodePath, parseQuery,
// percentDecode) and Router::match, in the order the request handler uses them.
//
// Input, one of:
//   - a request target (`/v1/dossiers/abc/events?x=1`, `http://h/p?q`), matched for every
//     method against a router holding the daemon's route table (core/src/api, pipeline);
//   - `ROUTES` on the first line, then `METHOD /pattern` lines, an empty line and the
//     target: the patterns are added to a fresh router first (Router::add's checks are
//     fuzzed too; refused patterns are skipped).
//
// Invariants asserted, besides "no crash, no sanitizer report":
//   - splitTarget: the path starts with `/` and holds no `?` or `#`; the query holds no `#`;
//   - decodePath succeeds exactly when decodeSegments does, and is `/` + the segments
//     joined; decoding never lengthens text;
//   - encode/decode round trips: percent-encoding each decoded segment and decoding again
//     gives the same segments and the same match; form-encoding the decoded query and
//     parsing it again gives the same pairs;
//   - a path that does not decode matches nothing; `Found` has the asked method, one
//     non-empty param per `{name}` equal to the decoded segment, and literal segments equal
//     to the decoded ones; `MethodNotAllowed` lists sorted, unique methods, each of which
//     is `Found` for the same path, and never the asked one;
//   - every route added can be reached: its pattern with each `{name}` filled in is `Found`
//     for its method (unless a literal segment is `.`, `..` or holds a NUL: such paths are
//     never served).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "relais/http/router.h"

#include "fuzz_check.h"
#include "http/url.h"

namespace relais::fuzz {
namespace {

using http::Match;
using http::Router;

constexpr const char* kMethods[] = {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"};

http::Response noContent(http::Request&) { return {}; }

// The daemon's routes (grep router.add in core/src/api and core/src/pipeline), plus one
// literal-beside-parameter pair to exercise precedence.
const Router& apiRouter() {
    static const Router router = [] {
        Router r;
        const std::pair<const char*, const char*> routes[] = {
            {"GET", "/healthz"},
            {"GET", "/readyz"},
            {"GET", "/metrics"},
            {"GET", "/v1/audit"},
            {"GET", "/v1/connectors"},
            {"POST", "/v1/adapters/{instance}/inbound"},
            {"GET", "/v1/dossiers/{id}"},
            {"GET", "/v1/dossiers/{id}/events"},
            {"POST", "/v1/dossiers/{id}/redeliver"},
            {"GET", "/v1/inbox/{name}"},
            {"POST", "/v1/inbox/{name}/ack"},
            {"GET", "/v1/jobs"},
            {"GET", "/v1/jobs/{id}"},
            {"GET", "/v1/jobs/dead"},
            {"POST", "/v1/jobs/{id}/replay"},
            {"GET", "/v1/prefill/{procedure}"},
            {"POST", "/v1/subjects"},
            {"PUT", "/v1/subjects/{id}/attributes"},
            {"GET", "/v1/subjects/{id}/access-log"},
            {"GET", "/v1/subjects/{id}/export"},
            {"DELETE", "/v1/subjects/{id}"},
        };
        for (const auto& [method, pattern] : routes) {
            r.add({method, pattern, "", "", noContent, 0});
        }
        return r;
    }();
    return router;
}

std::vector<std::string_view> splitPattern(std::string_view pattern) {
    std::vector<std::string_view> out;
    pattern.remove_prefix(1);
    for (;;) {
        const auto slash = pattern.find('/');
        out.push_back(pattern.substr(0, slash));
        if (slash == std::string_view::npos) break;
        pattern.remove_prefix(slash + 1);
    }
    return out;
}

bool isParam(std::string_view segment) {
    return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

std::string percentEncode(std::string_view text, bool form) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            out += c;
        } else if (form && c == ' ') {
            out += '+';
        } else {
            out += '%';
            out += kHex[u >> 4];
            out += kHex[u & 0xF];
        }
    }
    return out;
}

void checkMatch(const Router& router, std::string_view method, std::string_view raw_path,
                const std::optional<std::vector<std::string>>& segments, const Match& match) {
    if (!segments) {
        RELAIS_FUZZ_CHECK(match.kind == Match::Kind::NotFound && match.allowed_methods.empty(),
                          "a path that does not decode matched");
        return;
    }
    if (match.kind == Match::Kind::Found) {
        RELAIS_FUZZ_CHECK(match.route != nullptr && match.route->method == method,
                          "Found a route of another method");
        const auto pattern = splitPattern(match.route->pattern);
        RELAIS_FUZZ_CHECK(pattern.size() == segments->size(), "segment count differs");
        std::size_t param = 0;
        for (std::size_t i = 0; i < pattern.size(); ++i) {
            if (isParam(pattern[i])) {
                RELAIS_FUZZ_CHECK(param < match.params.size(), "missing parameter");
                const auto& [name, value] = match.params[param++];
                RELAIS_FUZZ_CHECK(name == pattern[i].substr(1, pattern[i].size() - 2), name);
                RELAIS_FUZZ_CHECK(!value.empty() && value == (*segments)[i],
                                  "parameter value is not the decoded segment");
            } else {
                RELAIS_FUZZ_CHECK(pattern[i] == (*segments)[i], "literal segment differs");
            }
        }
        RELAIS_FUZZ_CHECK(param == match.params.size(), "extra parameters");
        RELAIS_FUZZ_CHECK(match.allowed_methods.empty(), "Found with allowed methods");
    } else if (match.kind == Match::Kind::MethodNotAllowed) {
        const auto& allowed = match.allowed_methods;
        RELAIS_FUZZ_CHECK(!allowed.empty() && std::is_sorted(allowed.begin(), allowed.end()) &&
                              std::adjacent_find(allowed.begin(), allowed.end()) == allowed.end(),
                          "allowed methods not sorted and unique");
        for (const auto& other : allowed) {
            RELAIS_FUZZ_CHECK(other != method, "the asked method is listed as allowed");
            RELAIS_FUZZ_CHECK(router.match(other, raw_path).kind == Match::Kind::Found,
                              "an allowed method does not match: " + other);
        }
    } else {
        RELAIS_FUZZ_CHECK(match.route == nullptr && match.allowed_methods.empty(),
                          "NotFound with a route or allowed methods");
    }
}

void checkTarget(const Router& router, std::string_view target) {
    std::string_view raw_path;
    std::string_view raw_query;
    if (!http::url::splitTarget(target, raw_path, raw_query)) return;
    RELAIS_FUZZ_CHECK(!raw_path.empty() && raw_path.front() == '/', "path without leading /");
    RELAIS_FUZZ_CHECK(raw_path.find_first_of("?#") == std::string_view::npos, "path has ? or #");
    RELAIS_FUZZ_CHECK(raw_query.find('#') == std::string_view::npos, "query has a fragment");

    const auto segments = http::url::decodeSegments(raw_path);
    const auto path = http::url::decodePath(raw_path);
    RELAIS_FUZZ_CHECK(segments.has_value() == path.has_value(), "decodePath and segments differ");
    if (path) {
        std::string joined;
        for (const auto& segment : *segments) joined += "/" + segment;
        RELAIS_FUZZ_CHECK(*path == joined && path->size() <= raw_path.size(), *path);
    }

    auto query = http::url::parseQuery(raw_query);
    if (query) {
        std::string encoded;
        for (const auto& [name, value] : *query) {
            RELAIS_FUZZ_CHECK(name.size() + value.size() <= raw_query.size(), "query grew");
            if (!encoded.empty()) encoded += '&';
            encoded += percentEncode(name, true) + "=" + percentEncode(value, true);
        }
        auto again = http::url::parseQuery(encoded);
        RELAIS_FUZZ_CHECK(again.ok() && *again == *query, "query round trip: " + encoded);
    } else {
        RELAIS_FUZZ_CHECK(query.error().code == sdk::ErrorCode::InvalidArgument,
                          query.error().message);
    }

    std::string reencoded;
    if (segments) {
        for (const auto& segment : *segments) reencoded += "/" + percentEncode(segment, false);
        RELAIS_FUZZ_CHECK(http::url::decodeSegments(reencoded) == segments,
                          "segment round trip: " + reencoded);
    }
    for (const char* method : kMethods) {
        const Match match = router.match(method, raw_path);
        if (verbose() && match.kind == Match::Kind::Found) {
            note(std::string(method) + " " + std::string(raw_path) + " → " + match.route->pattern);
        }
        checkMatch(router, method, raw_path, segments, match);
        if (segments) {
            const Match again = router.match(method, reencoded);
            RELAIS_FUZZ_CHECK(again.kind == match.kind && again.route == match.route &&
                                  again.params == match.params,
                              "re-encoded path matches differently: " + reencoded);
        }
    }
}

// `ROUTES\nGET /a/{x}\n…\n\n<target>`: a router from the input's own patterns.
void checkOwnRoutes(std::string_view input) {
    Router router;
    std::vector<std::pair<std::string, std::string>> added;
    for (;;) {
        const auto end = input.find('\n');
        const std::string_view line = input.substr(0, end);
        input = end == std::string_view::npos ? std::string_view{} : input.substr(end + 1);
        if (line.empty()) break;
        const auto space = line.find(' ');
        if (space == std::string_view::npos) continue;
        const std::string method(line.substr(0, space));
        const std::string pattern(line.substr(space + 1));
        try {
            router.add({method, pattern, "", "", noContent, 0});
            added.emplace_back(method, pattern);
        } catch (const std::invalid_argument&) {
            // A malformed or ambiguous pattern: refused, as documented.
        }
        if (end == std::string_view::npos) break;
    }
    for (const auto& [method, pattern] : added) {
        std::string concrete;
        bool servable = true;
        for (const auto segment : splitPattern(pattern)) {
            // Paths with such segments are never served (url.h), whatever the routes say.
            if (segment == "." || segment == ".." || segment.find('\0') != std::string_view::npos) {
                servable = false;
            }
            concrete += '/';
            concrete += isParam(segment) ? "v" : percentEncode(segment, false);
        }
        if (!servable) continue;
        const Match match = router.match(method, concrete);
        RELAIS_FUZZ_CHECK(match.kind == Match::Kind::Found,
                          "route " + method + " " + pattern + " unreachable as " + concrete);
    }
    checkTarget(router, input);
}

}  // namespace
}  // namespace relais::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace relais::fuzz;
    const std::string_view input = asText(data, size);
    constexpr std::string_view kRoutes = "ROUTES\n";
    if (input.starts_with(kRoutes)) {
        checkOwnRoutes(input.substr(kRoutes.size()));
    } else {
        checkTarget(apiRouter(), input);
    }
    return 0;
}
