// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/config/host_allow_list.h"

#include <array>
#include <charconv>
#include <cstdint>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "relais/common/errors.h"
#include "relais/common/strings.h"

namespace relais::config {
namespace {

using sdk::ErrorCode;

constexpr int kHttpPort = 80;
constexpr int kHttpsPort = 443;
constexpr std::size_t kMaxHostLength = 253;  // RFC 1035, without the root's dot
constexpr std::size_t kMaxLabelLength = 63;

sdk::Error invalid(std::string message) {
    return sdk::fail(ErrorCode::InvalidArgument, std::move(message));
}

sdk::Error unreadable(const std::string& why) {
    return invalid("the URL's host cannot be read unambiguously: " + why);
}

bool isHexDigit(char c) noexcept { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

/// A label a resolver may take for a number: decimal digits, or `0x` and hex digits.
bool isNumericLabel(std::string_view label) noexcept {
    if (label.starts_with("0x")) {
        label.remove_prefix(2);
        for (const char c : label) {
            if (!isHexDigit(c)) return false;
        }
        return true;  // `0x` alone is 0 to inet_aton
    }
    if (label.empty()) return false;
    for (const char c : label) {
        if (c < '0' || c > '9') return false;
    }
    return true;
}

/// `text` as four decimal numbers, or nothing (inet_pton is strict: no octal, hex, leading
/// zero or fewer parts; printing it back makes sure the text was the canonical form).
bool isDottedQuad(const std::string& text) {
    in_addr address{};
    if (::inet_pton(AF_INET, text.c_str(), &address) != 1) return false;
    std::array<char, INET_ADDRSTRLEN> printed{};
    return ::inet_ntop(AF_INET, &address, printed.data(), printed.size()) != nullptr &&
           text == printed.data();
}

/// An IPv6 literal (without brackets) in canonical form; zones and IPv4 text refused.
sdk::Result<std::string> normalIpv6(std::string_view text) {
    in6_addr address{};
    if (text.size() >= INET6_ADDRSTRLEN ||
        ::inet_pton(AF_INET6, std::string(text).c_str(), &address) != 1) {
        return invalid("not an IPv6 address (zones such as %eth0 are not accepted)");
    }
    std::array<char, INET6_ADDRSTRLEN> printed{};
    if (::inet_ntop(AF_INET6, &address, printed.data(), printed.size()) == nullptr) {
        return invalid("not an IPv6 address");
    }
    return std::string(printed.data());
}

struct Host {
    std::string text;
    bool ip_literal = false;
};

/// A host written without brackets: lower case, one trailing dot dropped, only letters,
/// digits, `-`, `_` and `.`, labels of 1 to 63 characters; a host whose last label is a
/// number must be an IPv4 address written as four decimal numbers.
sdk::Result<Host> normalHost(std::string_view raw) {
    Host host{common::toLower(raw), false};
    if (host.text.ends_with('.')) host.text.pop_back();
    if (host.text.empty()) return invalid("the host is empty");
    if (host.text.size() > kMaxHostLength) return invalid("the host is longer than 253 characters");
    for (const char c : host.text) {
        const bool allowed =
            (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
        if (!allowed) {
            return invalid(
                "the host has a character other than letters, digits, '-', '_' and '.' "
                "(user info, percent-encoding and IPv6 without brackets are not accepted)");
        }
    }
    std::string_view last_label;
    for (std::size_t start = 0; start <= host.text.size();) {
        std::size_t end = host.text.find('.', start);
        if (end == std::string::npos) end = host.text.size();
        last_label = std::string_view(host.text).substr(start, end - start);
        if (last_label.empty()) return invalid("the host has an empty label ('..')");
        if (last_label.size() > kMaxLabelLength) {
            return invalid("a label of the host is longer than 63 characters");
        }
        start = end + 1;
    }
    if (isNumericLabel(last_label)) {
        // WHATWG's rule: a host ending in a number is an IPv4 address. Resolvers accept
        // shorthand forms (`2852039166` is 169.254.169.254), so only one spelling is read.
        if (!isDottedQuad(host.text)) {
            return invalid("an IPv4 address must be written as four decimal numbers (a.b.c.d)");
        }
        host.ip_literal = true;
    }
    return host;
}

/// `text` as a port number (decimal digits, 1 to 65535).
sdk::Result<int> parsePort(std::string_view text) {
    unsigned value = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, error] = std::from_chars(text.data(), end, value);
    if (text.empty() || error != std::errc() || ptr != end || value == 0 || value > 65535) {
        return invalid("the port must be a number from 1 to 65535");
    }
    return static_cast<int>(value);
}

/// The parts of an authority (`host`, `host:port`, `[v6]`, `[v6]:port`).
struct Authority {
    std::string_view host;
    bool bracketed = false;
    bool has_port = false;
    std::string_view port;
};

/// Splits as relais's HTTP client does: after `]` for a bracketed literal, else at the
/// last `:`.
sdk::Result<Authority> splitAuthority(std::string_view text) {
    Authority out;
    std::string_view rest;
    if (text.starts_with('[')) {
        const auto close = text.find(']');
        if (close == std::string_view::npos) return invalid("the IPv6 literal has no ']'");
        out.bracketed = true;
        out.host = text.substr(1, close - 1);
        rest = text.substr(close + 1);
        if (!rest.empty() && rest.front() != ':') {
            return invalid("unexpected text after the IPv6 literal");
        }
    } else {
        const auto colon = text.rfind(':');
        out.host = text.substr(0, colon);
        if (colon != std::string_view::npos) rest = text.substr(colon);
    }
    if (!rest.empty()) {
        out.has_port = true;
        out.port = rest.substr(1);
    }
    return out;
}

sdk::Result<Host> readHost(const Authority& authority) {
    if (!authority.bracketed) return normalHost(authority.host);
    auto v6 = normalIpv6(authority.host);
    if (!v6) return std::move(v6).error();
    return Host{std::move(v6).value(), true};
}

std::string display(const UrlHost& host) {
    const bool v6 = host.host.find(':') != std::string::npos;
    return (v6 ? "[" + host.host + "]" : host.host) + ":" + std::to_string(host.port);
}

}  // namespace

sdk::Result<HostPattern> parseHostPattern(std::string_view text) {
    if (text.empty()) return invalid("empty host pattern");
    if (text.find('/') != std::string_view::npos) {
        return invalid("write a host, not a URL (for example portal.example.fr:443)");
    }
    HostPattern pattern;
    if (text.starts_with("*.")) {
        pattern.subdomains = true;
        text.remove_prefix(2);
    }
    if (text.find('*') != std::string_view::npos) {
        return invalid("'*' is only accepted as a whole first label, as in *.example.fr");
    }
    auto authority = splitAuthority(text);
    if (!authority) return std::move(authority).error();
    if (!authority->bracketed && authority->host.find(':') != std::string_view::npos) {
        return invalid("an IPv6 address is written in brackets, as in [2001:db8::1]");
    }
    auto host = readHost(*authority);
    if (!host) return std::move(host).error();
    if (pattern.subdomains && host->ip_literal) {
        return invalid("'*.' applies to host names, not to IP addresses");
    }
    pattern.host = std::move(host->text);
    if (authority->has_port) {
        auto port = parsePort(authority->port);
        if (!port) return std::move(port).error();
        pattern.port = *port;
    }
    return pattern;
}

sdk::Result<UrlHost> parseUrlHost(std::string_view url) {
    for (const char c : url) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7F) return unreadable("it has a space or a control character");
    }
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) return unreadable("not an absolute URL");
    const std::string scheme = common::toLower(url.substr(0, scheme_end));
    if (scheme != "http" && scheme != "https") return unreadable("not an http or https URL");
    const std::string_view rest = url.substr(scheme_end + 3);
    const std::string_view authority_text = rest.substr(0, rest.find_first_of("/?#"));
    // Refused here, before the host is compared: `allowed.fr@evil` names evil.
    if (authority_text.find('@') != std::string_view::npos) {
        return unreadable("user info (user@host) is not accepted");
    }
    auto authority = splitAuthority(authority_text);
    if (!authority) return unreadable(authority.error().message);
    auto host = readHost(*authority);
    if (!host) return unreadable(host.error().message);
    UrlHost out;
    out.host = std::move(host->text);
    out.ip_literal = host->ip_literal;
    out.port = scheme == "https" ? kHttpsPort : kHttpPort;
    // `host:` is the default port, as for the HTTP client.
    if (authority->has_port && !authority->port.empty()) {
        auto port = parsePort(authority->port);
        if (!port) return unreadable(port.error().message);
        out.port = *port;
    }
    return out;
}

bool isLinkLocal(const UrlHost& host) noexcept {
    if (!host.ip_literal) return false;
    // 169.254.0.0/16: its first two bytes.
    constexpr std::uint8_t kLinkLocalFirst = 169;
    constexpr std::uint8_t kLinkLocalSecond = 254;
    if (host.host.find(':') == std::string::npos) {
        in_addr v4{};
        if (::inet_pton(AF_INET, host.host.c_str(), &v4) != 1) return false;
        const auto* bytes = reinterpret_cast<const std::uint8_t*>(&v4.s_addr);
        return bytes[0] == kLinkLocalFirst && bytes[1] == kLinkLocalSecond;
    }
    in6_addr v6{};
    if (::inet_pton(AF_INET6, host.host.c_str(), &v6) != 1) return false;
    const std::uint8_t* b = v6.s6_addr;
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return true;  // fe80::/10
    // The IPv4 address in the last 32 bits of ::ffff:0:0/96 (mapped), ::/96 (compatible)
    // and 64:ff9b::/96 (NAT64) is where the packets go.
    bool zeros = true;
    for (int i = 4; i < 10; ++i) zeros = zeros && b[i] == 0;
    const bool mapped = zeros && b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] == 0 &&
                        ((b[10] == 0xff && b[11] == 0xff) || (b[10] == 0 && b[11] == 0));
    const bool nat64 = zeros && b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b &&
                       b[10] == 0 && b[11] == 0;
    return (mapped || nat64) && b[12] == kLinkLocalFirst && b[13] == kLinkLocalSecond;
}

bool matches(const HostPattern& pattern, const UrlHost& host) noexcept {
    if (pattern.port != 0 && pattern.port != host.port) return false;
    if (!pattern.subdomains) return pattern.host == host.host;
    // `*.example.fr`: at least one label before `.example.fr`; IP literals never match.
    return !host.ip_literal && host.host.size() > pattern.host.size() + 1 &&
           host.host.ends_with(pattern.host) &&
           host.host[host.host.size() - pattern.host.size() - 1] == '.';
}

HostAllowList::HostAllowList(const std::vector<std::string>& patterns) {
    patterns_.reserve(patterns.size());
    for (const std::string& text : patterns) {
        auto pattern = parseHostPattern(text);
        if (!pattern) {
            throw ConfigError("attachment host pattern '" + text + "': " + pattern.error().message);
        }
        patterns_.push_back(std::move(pattern).value());
    }
}

sdk::Result<void> HostAllowList::check(std::string_view url) const {
    auto host = parseUrlHost(url);
    if (!host) return std::move(host).error();
    if (restricted()) {
        for (const HostPattern& pattern : patterns_) {
            if (matches(pattern, *host)) return sdk::ok();
        }
        return invalid("the host " + display(*host) + " is not in <delivery attachment-hosts>");
    }
    if (isLinkLocal(*host)) {
        return invalid("the host " + display(*host) +
                       " is a link-local address, where cloud metadata services answer; it "
                       "is only downloaded from when listed in <delivery attachment-hosts>");
    }
    return sdk::ok();
}

}  // namespace relais::config
