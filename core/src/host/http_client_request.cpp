// SPDX-License-Identifier: AGPL-3.0-or-later
#include "host/http_client_request.h"

#include <cctype>
#include <charconv>

#include <Poco/Exception.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/URI.h>

#include "relais/sdk/url_encoding.h"

namespace relais::host::http_detail {
namespace {

using sdk::ErrorCode;
using sdk::fail;

constexpr std::uint16_t kHttpPort = 80;
constexpr std::uint16_t kHttpsPort = 443;

bool equalsIgnoreCase(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

// RFC 9110 §5.6.2 tchar.
bool isTokenChar(char c) noexcept {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0) return true;
    constexpr std::string_view kExtra = "!#$%&'*+-.^_`|~";
    return kExtra.find(c) != std::string_view::npos;
}

bool isToken(std::string_view text) noexcept {
    if (text.empty()) return false;
    for (const char c : text) {
        if (!isTokenChar(c)) return false;
    }
    return true;
}

sdk::Error badUrl(std::string message) {
    return fail(ErrorCode::InvalidArgument, "invalid URL: " + std::move(message), "url");
}

bool isHostNameChar(char c) noexcept {
    const auto u = static_cast<unsigned char>(c);
    return std::isalnum(u) != 0 || c == '-' || c == '.' || c == '_';
}

// Splits the raw authority into host and port. Poco::URI accepts more than a request can
// use (port 0, percent-encoded or empty host names), so the authority is checked here
// again, on the text exactly as the caller wrote it.
sdk::Result<void> parseAuthority(std::string_view authority, Target& target) {
    if (authority.find('@') != std::string_view::npos) {
        return badUrl("user info in the URL is not supported; send credentials in a header");
    }
    std::string_view host;
    std::string_view port_text;
    bool has_port = false;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) return badUrl("unterminated IPv6 literal");
        host = authority.substr(1, close - 1);
        const std::string_view rest = authority.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return badUrl("unexpected text after the IPv6 literal");
            has_port = true;
            port_text = rest.substr(1);
        }
        Poco::Net::IPAddress address;
        if (!Poco::Net::IPAddress::tryParse(std::string(host), address) ||
            address.family() != Poco::Net::IPAddress::IPv6) {
            return badUrl("malformed IPv6 literal");
        }
    } else {
        const auto colon = authority.rfind(':');
        host = authority.substr(0, colon);
        if (colon != std::string_view::npos) {
            has_port = true;
            port_text = authority.substr(colon + 1);
        }
        if (host.empty()) return badUrl("the host is missing");
        for (const char c : host) {
            if (!isHostNameChar(c)) return badUrl("the host contains a character not allowed");
        }
    }

    const std::uint16_t default_port = target.https ? kHttpsPort : kHttpPort;
    target.port = default_port;
    if (has_port && !port_text.empty()) {
        unsigned value = 0;
        const auto* end = port_text.data() + port_text.size();
        const auto [ptr, ec] = std::from_chars(port_text.data(), end, value);
        if (ec != std::errc{} || ptr != end || value == 0 || value > 65535) {
            return badUrl("the port must be a number from 1 to 65535");
        }
        target.port = static_cast<std::uint16_t>(value);
    }

    target.host.reserve(host.size());
    for (const char c : host) {
        target.host.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    const bool ipv6 = target.host.find(':') != std::string::npos;
    const std::string bracketed = ipv6 ? "[" + target.host + "]" : target.host;
    target.authority = bracketed + ":" + std::to_string(target.port);
    target.host_header =
        target.port == default_port ? bracketed : bracketed + ":" + std::to_string(target.port);
    return sdk::ok();
}

void appendTarget(std::string_view raw, std::string& out) {
    if (raw.empty() || raw.front() != '/') out.push_back('/');
    out += sdk::url::percentEncodeNonAscii(raw);
}

}  // namespace

sdk::Result<Target> parseTarget(std::string_view url) {
    if (url.empty()) return badUrl("the URL is empty");
    for (const char c : url) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7F) {
            return badUrl("the URL contains a space or a control character (percent-encode it)");
        }
    }

    Target target;
    const auto authority_start = url.find("://");
    std::string scheme(
        url.substr(0, authority_start == std::string_view::npos ? 0 : authority_start));
    for (auto& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (scheme == "https") {
        target.https = true;
    } else if (scheme != "http") {
        return badUrl(scheme.empty() ? "expected an absolute http:// or https:// URL"
                                     : "only http:// and https:// URLs are supported");
    }
    const std::string_view rest = url.substr(authority_start + 3);
    const auto authority_end = rest.find_first_of("/?#");
    const std::string_view authority = rest.substr(0, authority_end);
    if (authority.empty()) return badUrl("the host is missing");
    if (auto parsed = parseAuthority(authority, target); !parsed) return std::move(parsed).error();

    // Poco's parser as the last gate for the rest of the syntax (it decodes the path, so
    // only its verdict is used).
    try {
        const Poco::URI uri{std::string(url)};
        if (uri.getHost().empty()) return badUrl("the host is missing");
    } catch (const Poco::Exception& e) {
        // Poco's messages quote the offending part of the URL, which may be a secret.
        return badUrl("malformed URL (" + std::string(e.name()) + ")");
    }

    std::string_view raw_target =
        authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
    raw_target = raw_target.substr(0, raw_target.find('#'));
    appendTarget(raw_target, target.request_target);
    return target;
}

sdk::Result<void> checkRequest(const sdk::HttpRequest& request) {
    if (!isToken(request.method)) {
        return fail(ErrorCode::InvalidArgument, "the HTTP method must be a non-empty token",
                    "method");
    }
    if (request.connect_timeout_ms <= 0) {
        return fail(ErrorCode::InvalidArgument, "connect_timeout_ms must be positive",
                    "connect_timeout_ms");
    }
    if (request.timeout_ms <= 0) {
        return fail(ErrorCode::InvalidArgument, "timeout_ms must be positive", "timeout_ms");
    }
    for (std::size_t i = 0; i < request.headers.size(); ++i) {
        const auto& [name, value] = request.headers[i];
        const std::string field = "headers[" + std::to_string(i) + "]";
        if (!isToken(name)) {
            return fail(ErrorCode::InvalidArgument,
                        "header name #" + std::to_string(i) + " is empty or not a token", field);
        }
        if (equalsIgnoreCase(name, "Host") || equalsIgnoreCase(name, "Content-Length") ||
            equalsIgnoreCase(name, "Transfer-Encoding")) {
            return fail(ErrorCode::InvalidArgument,
                        "header " + name + " is set by the HTTP client from the URL and the body",
                        field);
        }
        for (const char c : value) {
            const auto u = static_cast<unsigned char>(c);
            if ((u < 0x20 && c != '\t') || u == 0x7F) {
                return fail(ErrorCode::InvalidArgument,
                            "header " + name + " has a value with a control character (CR, LF…)",
                            field);
            }
        }
    }
    return sdk::ok();
}

bool isIdempotent(std::string_view method) noexcept {
    return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" ||
           method == "OPTIONS";
}

bool asksToClose(const sdk::HttpHeaders& headers) noexcept {
    for (const auto& [name, value] : headers) {
        if (!equalsIgnoreCase(name, "Connection")) continue;
        // The value is a comma-separated list of options.
        std::string_view rest = value;
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            std::string_view option = rest.substr(0, comma);
            while (!option.empty() && (option.front() == ' ' || option.front() == '\t')) {
                option.remove_prefix(1);
            }
            while (!option.empty() && (option.back() == ' ' || option.back() == '\t')) {
                option.remove_suffix(1);
            }
            if (equalsIgnoreCase(option, "close")) return true;
            if (comma == std::string_view::npos) break;
            rest.remove_prefix(comma + 1);
        }
    }
    return false;
}

}  // namespace relais::host::http_detail
