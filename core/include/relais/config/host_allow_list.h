// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "relais/sdk/result.h"

/// @file
/// Which hosts relais may download attachments from (`<delivery attachment-hosts>`): host
/// patterns, a strict reading of the host an http(s) URL names, and the check between them.
///
/// Why: a portal client chooses the attachment URLs of the dossiers it sends, and relais
/// downloads them from inside the network (server-side request forgery). Without a list any
/// host is fetched, except link-local IP literals (169.254.0.0/16, fe80::/10): cloud
/// metadata services answer there (`http://169.254.169.254/`) and hand out the machine's
/// credentials to whoever asks.
///
/// The URL is read the way relais's HTTP client splits it (scheme up to `://`, authority up
/// to the first `/`, `?` or `#`, port after the last `:` or after `]`), and anything that a
/// resolver or another parser could read as a different host is refused rather than
/// guessed: user info (`http://allowed.fr@evil/`), characters other than letters, digits,
/// `-`, `_` and `.` in a name (percent-encoding, backslashes), empty labels, IPv6 zones, and
/// IPv4 addresses not written as four decimal numbers (`2852039166`, `0xa9.254.169.254` or
/// `169.254.43518`, which `inet_aton` and so `getaddrinfo` accept). One trailing dot is
/// dropped (`allowed.fr.` is the fully qualified `allowed.fr`).
///
/// Host names are compared as written: a listed name that resolves to an internal address is
/// fetched (the list is the administrator's statement of trust), and without a list a name
/// that resolves to a link-local address is not caught here.

namespace relais::config {

/// One entry of `<delivery attachment-hosts>`: `host`, `host:port`, `*.domain`,
/// `*.domain:port`, an IPv4 literal or a bracketed IPv6 literal (`[2001:db8::1]:8443`).
struct HostPattern {
    /// Lower case, without a trailing dot; an IPv6 literal without its brackets, in the
    /// canonical form `inet_ntop` writes; for `*.example.fr`, `example.fr`.
    std::string host;
    bool subdomains = false;  ///< `*.` form: any name under `host`, not `host` itself
    int port = 0;             ///< 0: any port
};

/// The host and port an absolute http(s) URL names, as the HTTP client connects to them.
struct UrlHost {
    std::string host;         ///< same normal form as `HostPattern::host`
    int port = 0;             ///< explicit, or 80/443 from the scheme
    bool ip_literal = false;  ///< an IPv4 or IPv6 address, not a name to resolve
};

/// Parses one pattern (case-insensitive). Errors are `InvalidArgument` saying what is wrong,
/// without quoting the pattern (the caller names it).
sdk::Result<HostPattern> parseHostPattern(std::string_view text);

/// Reads the host and port of `url` (an absolute `http://` or `https://` URL), refusing what
/// could be read as another host (see the file comment). Errors are `InvalidArgument`; their
/// messages never quote the URL, whose path or query may carry a token.
sdk::Result<UrlHost> parseUrlHost(std::string_view url);

/// True for a link-local IP literal: 169.254.0.0/16, fe80::/10, or such an IPv4 address
/// embedded in IPv6 (`::ffff:169.254.x.y` mapped, `::169.254.x.y` compatible,
/// `64:ff9b::169.254.x.y` NAT64). False for host names.
bool isLinkLocal(const UrlHost& host) noexcept;

/// True when `host` is what `pattern` names (and its port, when the pattern has one).
bool matches(const HostPattern& pattern, const UrlHost& host) noexcept;

/// The hosts attachment URLs may name. Immutable once built; `check` may be called from any
/// number of threads.
class HostAllowList {
public:
    /// No list: any host, except link-local IP literals.
    HostAllowList() = default;

    /// From the patterns as written. Throws `ConfigError` naming the first bad pattern
    /// (the config loader has already refused them, with `file:line`).
    explicit HostAllowList(const std::vector<std::string>& patterns);

    /// True when a list was given (an empty list is no list).
    bool restricted() const noexcept { return !patterns_.empty(); }

    /// Success when `url` may be downloaded: its host can be read unambiguously, and it
    /// matches a pattern, or, without a list, it is not a link-local IP literal. Otherwise
    /// `InvalidArgument` saying which (naming the host and port, never the path or query).
    sdk::Result<void> check(std::string_view url) const;

private:
    std::vector<HostPattern> patterns_;
};

}  // namespace relais::config
