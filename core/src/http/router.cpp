// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/http/router.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "http/url.h"

namespace relais::http {
namespace {

bool isParamName(std::string_view name) noexcept {
    if (name.empty()) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_';
    });
}

bool isMethodToken(std::string_view method) noexcept {
    if (method.empty()) return false;
    return std::all_of(method.begin(), method.end(),
                       [](char c) { return (c >= 'A' && c <= 'Z') || c == '-' || c == '_'; });
}

// Negative when `a` takes precedence over `b`: at the first position where one has a
// literal and the other a parameter, the literal wins.
template <typename Pattern>
int comparePrecedence(const Pattern& a, const Pattern& b) noexcept {
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
        if (a[i].is_param != b[i].is_param) return a[i].is_param ? 1 : -1;
    }
    return 0;
}

}  // namespace

void Router::add(Endpoint route) {
    if (!isMethodToken(route.method)) {
        throw std::invalid_argument("route '" + route.pattern + "': invalid method '" +
                                    route.method + "'");
    }
    if (!route.handler) {
        throw std::invalid_argument("route " + route.method + " " + route.pattern + ": no handler");
    }
    if (route.pattern.empty() || route.pattern.front() != '/') {
        throw std::invalid_argument("route pattern '" + route.pattern + "' must start with '/'");
    }

    std::vector<Segment> pattern;
    std::vector<std::string> names;
    std::string_view rest(route.pattern);
    rest.remove_prefix(1);
    std::size_t start = 0;
    for (;;) {
        const auto end = rest.find('/', start);
        const auto text = rest.substr(
            start, end == std::string_view::npos ? std::string_view::npos : end - start);
        Segment segment;
        if (!text.empty() && text.front() == '{') {
            if (text.back() != '}' || !isParamName(text.substr(1, text.size() - 2))) {
                throw std::invalid_argument("route pattern '" + route.pattern +
                                            "': malformed parameter segment '" + std::string(text) +
                                            "'");
            }
            segment.text = std::string(text.substr(1, text.size() - 2));
            segment.is_param = true;
            if (std::find(names.begin(), names.end(), segment.text) != names.end()) {
                throw std::invalid_argument("route pattern '" + route.pattern + "': parameter '" +
                                            segment.text + "' repeated");
            }
            names.push_back(segment.text);
        } else {
            if (text.find_first_of("{}%") != std::string_view::npos) {
                throw std::invalid_argument("route pattern '" + route.pattern +
                                            "': literal segment '" + std::string(text) +
                                            "' may not contain '{', '}' or '%'");
            }
            // Only the root pattern `/` has an empty segment: `/a//b` and `/a/` never match
            // a well-formed client path and are almost certainly typos.
            if (text.empty() && route.pattern != "/") {
                throw std::invalid_argument("route pattern '" + route.pattern +
                                            "' has an empty segment");
            }
            segment.text = std::string(text);
        }
        pattern.push_back(std::move(segment));
        if (end == std::string_view::npos) break;
        start = end + 1;
    }

    if (by_length_.size() > pattern.size()) {
        for (const auto index : by_length_[pattern.size()]) {
            if (routes_[index].method != route.method) continue;
            const auto& other = patterns_[index];
            bool same_shape = true;
            for (std::size_t i = 0; i < pattern.size() && same_shape; ++i) {
                same_shape = pattern[i].is_param == other[i].is_param &&
                             (pattern[i].is_param || pattern[i].text == other[i].text);
            }
            if (same_shape) {
                throw std::invalid_argument("route " + route.method + " " + route.pattern +
                                            " duplicates " + routes_[index].method + " " +
                                            routes_[index].pattern);
            }
        }
    }

    if (route.name.empty()) route.name = route.pattern;
    if (by_length_.size() <= pattern.size()) by_length_.resize(pattern.size() + 1);
    by_length_[pattern.size()].push_back(routes_.size());
    patterns_.push_back(std::move(pattern));
    routes_.push_back(std::move(route));
}

void Router::setRefusalShaper(std::string route_name, RefusalShaper shaper) {
    refusal_shapers_[std::move(route_name)] = std::move(shaper);
}

const RefusalShaper* Router::refusalShaper(std::string_view route_name) const {
    const auto found = refusal_shapers_.find(route_name);
    return found != refusal_shapers_.end() && found->second ? &found->second : nullptr;
}

Match Router::match(std::string_view method, std::string_view path) const {
    Match result;
    const auto segments = url::decodeSegments(path);
    if (!segments || segments->size() >= by_length_.size()) return result;

    const std::vector<Segment>* best_pattern = nullptr;
    std::size_t best = 0;
    for (const auto index : by_length_[segments->size()]) {
        const auto& pattern = patterns_[index];
        bool matches = true;
        for (std::size_t i = 0; i < pattern.size() && matches; ++i) {
            matches =
                pattern[i].is_param ? !(*segments)[i].empty() : pattern[i].text == (*segments)[i];
        }
        if (!matches) continue;
        const auto& route = routes_[index];
        if (route.method == method) {
            if (best_pattern == nullptr || comparePrecedence(pattern, *best_pattern) < 0) {
                best_pattern = &pattern;
                best = index;
            }
        } else {
            result.allowed_methods.push_back(route.method);
        }
    }

    if (best_pattern != nullptr) {
        result.kind = Match::Kind::Found;
        result.route = &routes_[best];
        result.allowed_methods.clear();
        for (std::size_t i = 0; i < best_pattern->size(); ++i) {
            if ((*best_pattern)[i].is_param) {
                result.params.emplace_back((*best_pattern)[i].text, (*segments)[i]);
            }
        }
    } else if (!result.allowed_methods.empty()) {
        result.kind = Match::Kind::MethodNotAllowed;
        auto& allowed = result.allowed_methods;
        std::sort(allowed.begin(), allowed.end());
        allowed.erase(std::unique(allowed.begin(), allowed.end()), allowed.end());
    }
    return result;
}

}  // namespace relais::http
