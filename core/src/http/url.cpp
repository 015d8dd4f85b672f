// SPDX-License-Identifier: AGPL-3.0-or-later
#include "http/url.h"

#include <utility>

#include "relais/sdk/url_encoding.h"

namespace relais::http::url {
namespace {

bool startsWithIgnoreCase(std::string_view text, std::string_view prefix) noexcept {
    if (text.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        char c = text[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != prefix[i]) return false;
    }
    return true;
}

// A segment that would let a path escape its prefix once some component joins it to a
// directory, or that hides a NUL from C string APIs.
bool forbiddenSegment(std::string_view segment) noexcept {
    return segment == "." || segment == ".." || segment.find('\0') != std::string_view::npos;
}

}  // namespace

bool percentDecode(std::string_view text, std::string& out, bool plus_as_space) {
    auto decoded = sdk::url::percentDecode(text, plus_as_space);
    if (!decoded) {
        out.clear();
        return false;
    }
    out = std::move(*decoded);
    return true;
}

bool splitTarget(std::string_view target, std::string_view& path, std::string_view& query) {
    // Absolute form (RFC 9112 §3.2.2): servers must accept it; only the path and query
    // matter here, the authority is the client's business.
    for (const std::string_view scheme :
         {std::string_view("http://"), std::string_view("https://")}) {
        if (!startsWithIgnoreCase(target, scheme)) continue;
        target.remove_prefix(scheme.size());
        const auto end_of_authority = target.find_first_of("/?#");
        if (end_of_authority == std::string_view::npos) {
            path = "/";
            query = {};
            return true;
        }
        target.remove_prefix(end_of_authority);
        if (target.front() != '/') {
            // `?` or `#` right after the authority: the path is `/`.
            path = "/";
            query = target.front() == '?' ? target.substr(1) : std::string_view{};
            query = query.substr(0, query.find('#'));
            return true;
        }
        break;
    }
    if (target.empty() || target.front() != '/') return false;
    const auto hash = target.find('#');
    if (hash != std::string_view::npos) target = target.substr(0, hash);
    const auto q = target.find('?');
    if (q == std::string_view::npos) {
        path = target;
        query = {};
    } else {
        path = target.substr(0, q);
        query = target.substr(q + 1);
    }
    return true;
}

std::optional<std::vector<std::string>> decodeSegments(std::string_view raw_path) {
    if (raw_path.empty() || raw_path.front() != '/') return std::nullopt;
    raw_path.remove_prefix(1);
    std::vector<std::string> segments;
    std::string decoded;
    std::size_t start = 0;
    for (;;) {
        const auto end = raw_path.find('/', start);
        const auto raw = raw_path.substr(
            start, end == std::string_view::npos ? std::string_view::npos : end - start);
        if (!percentDecode(raw, decoded) || forbiddenSegment(decoded)) return std::nullopt;
        segments.push_back(decoded);
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    return segments;
}

std::optional<std::string> decodePath(std::string_view raw_path) {
    auto segments = decodeSegments(raw_path);
    if (!segments) return std::nullopt;
    std::string out;
    out.reserve(raw_path.size());
    for (const auto& segment : *segments) {
        out += '/';
        out += segment;
    }
    return out;
}

sdk::Result<Params> parseQuery(std::string_view raw_query) {
    Params params;
    std::string name;
    std::string value;
    std::size_t start = 0;
    while (start <= raw_query.size() && !raw_query.empty()) {
        const auto end = raw_query.find('&', start);
        const auto pair = raw_query.substr(
            start, end == std::string_view::npos ? std::string_view::npos : end - start);
        if (!pair.empty()) {
            const auto eq = pair.find('=');
            const auto raw_name = pair.substr(0, eq);
            const auto raw_value =
                eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
            if (!percentDecode(raw_name, name, true)) {
                return sdk::fail(sdk::ErrorCode::InvalidArgument,
                                 "query parameter name has a malformed percent-escape",
                                 std::string(raw_name));
            }
            if (!percentDecode(raw_value, value, true)) {
                return sdk::fail(sdk::ErrorCode::InvalidArgument,
                                 "query parameter '" + name + "' has a malformed percent-escape",
                                 name);
            }
            params.emplace_back(name, value);
        }
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    return params;
}

}  // namespace relais::http::url
