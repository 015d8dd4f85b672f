// SPDX-License-Identifier: AGPL-3.0-or-later
// Host patterns of <delivery attachment-hosts>, the strict reading of an attachment URL's
// host, and the check between them (the SSRF guard of attachment downloads).
#include "relais/config/host_allow_list.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "relais/common/errors.h"

namespace relais::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

/// The error message `check` gives for `url`, or "" when it is allowed.
std::string refusal(const HostAllowList& list, const std::string& url) {
    auto checked = list.check(url);
    if (checked) return {};
    EXPECT_EQ(checked.error().code, sdk::ErrorCode::InvalidArgument) << url;
    EXPECT_FALSE(checked.error().message.empty()) << url;
    return checked.error().message;
}

bool allowed(const HostAllowList& list, const std::string& url) {
    return refusal(list, url).empty();
}

TEST(HostPattern, ParsesEachForm) {
    auto exact = parseHostPattern("Portal.Example.FR");
    ASSERT_TRUE(exact) << exact.error().message;
    EXPECT_EQ(exact->host, "portal.example.fr");
    EXPECT_FALSE(exact->subdomains);
    EXPECT_EQ(exact->port, 0);

    auto wildcard = parseHostPattern("*.example.fr:8443");
    ASSERT_TRUE(wildcard) << wildcard.error().message;
    EXPECT_EQ(wildcard->host, "example.fr");
    EXPECT_TRUE(wildcard->subdomains);
    EXPECT_EQ(wildcard->port, 8443);

    auto v4 = parseHostPattern("192.0.2.10:80");
    ASSERT_TRUE(v4) << v4.error().message;
    EXPECT_EQ(v4->host, "192.0.2.10");
    EXPECT_EQ(v4->port, 80);

    auto v6 = parseHostPattern("[2001:DB8:0:0::1]:443");
    ASSERT_TRUE(v6) << v6.error().message;
    EXPECT_EQ(v6->host, "2001:db8::1");  // canonical, so that any spelling matches
    EXPECT_EQ(v6->port, 443);

    auto fqdn = parseHostPattern("portal.example.fr.");
    ASSERT_TRUE(fqdn) << fqdn.error().message;
    EXPECT_EQ(fqdn->host, "portal.example.fr");
}

TEST(HostPattern, RefusesWhatIsNotAHostPattern) {
    const std::vector<std::pair<std::string, std::string>> bad = {
        {"", "empty"},
        {"https://portal.example.fr/", "not a URL"},
        {"*", "'*'"},
        {"*example.fr", "'*'"},
        {"portal.*.fr", "'*'"},
        {"*.*.fr", "'*'"},
        {"*.192.0.2.1", "not to IP addresses"},
        {"2001:db8::1", "brackets"},
        {"[2001:db8::1", "']'"},
        {"[2001:db8::1]x", "after the IPv6 literal"},
        {"[fe80::1%25eth0]", "IPv6"},
        {"portal.example.fr:", "port"},
        {"portal.example.fr:0", "port"},
        {"portal.example.fr:65536", "port"},
        {"portal.example.fr:+80", "port"},
        {"user@portal.example.fr", "user info"},
        {"portal%2eexample.fr", "percent-encoding"},
        {"portal..example.fr", "empty label"},
        {".example.fr", "empty label"},
        {"192.0.2.010", "four decimal numbers"},
        {"3221225994", "four decimal numbers"},
        {"0xc0.0.2.10", "four decimal numbers"},
        {std::string(64, 'a') + ".fr", "63"},
    };
    for (const auto& [text, why] : bad) {
        auto parsed = parseHostPattern(text);
        ASSERT_FALSE(parsed) << "'" << text << "' was accepted";
        EXPECT_EQ(parsed.error().code, sdk::ErrorCode::InvalidArgument);
        EXPECT_THAT(parsed.error().message, HasSubstr(why)) << text;
    }
}

TEST(UrlHost, ReadsHostAndPortAsTheHttpClientDoes) {
    auto plain = parseUrlHost("HTTPS://Portal.Example.FR/files/1?token=abc#frag");
    ASSERT_TRUE(plain) << plain.error().message;
    EXPECT_EQ(plain->host, "portal.example.fr");
    EXPECT_EQ(plain->port, 443);
    EXPECT_FALSE(plain->ip_literal);

    auto with_port = parseUrlHost("http://127.0.0.1:8080");
    ASSERT_TRUE(with_port) << with_port.error().message;
    EXPECT_EQ(with_port->host, "127.0.0.1");
    EXPECT_EQ(with_port->port, 8080);
    EXPECT_TRUE(with_port->ip_literal);

    auto empty_port = parseUrlHost("http://portal.example.fr:/x");  // the default, as for curl
    ASSERT_TRUE(empty_port) << empty_port.error().message;
    EXPECT_EQ(empty_port->port, 80);

    auto v6 = parseUrlHost("http://[::FFFF:192.0.2.1]:81/x");
    ASSERT_TRUE(v6) << v6.error().message;
    EXPECT_EQ(v6->host, "::ffff:192.0.2.1");
    EXPECT_EQ(v6->port, 81);
    EXPECT_TRUE(v6->ip_literal);

    // The query is not the host, wherever a host name appears in it.
    auto query = parseUrlHost("http://evil.test?portal.example.fr");
    ASSERT_TRUE(query) << query.error().message;
    EXPECT_EQ(query->host, "evil.test");
}

TEST(UrlHost, RefusesWhatCouldBeReadAsAnotherHost) {
    const std::vector<std::string> ambiguous = {
        "http://portal.example.fr@evil.test/",
        "http://portal.example.fr:443@evil.test/",
        "http://user:secret@portal.example.fr/",
        "http://portal.example.fr\\@evil.test/",
        "http://evil.test\\portal.example.fr/",
        "http://169.254.169%2e254/",
        "http://%70ortal.example.fr/",
        "http://2852039166/",           // 169.254.169.254 to inet_aton
        "http://0xa9fea9fe/",           // same, in hex
        "http://0251.0376.0251.0376/",  // same, in octal
        "http://169.254.43518/",        // same, three parts
        "http://169.254.169.254.1/",
        "http://127.1/",
        "http://portal.example.0x10/",
        "http://portal..example.fr/",
        "http://./",
        "http://[fe80::1%25eth0]/",
        "http://[169.254.169.254]/",
        "http://[::1/",
        "http://[::1]x/",
        "http://::1/",
        "http://portal.example.fr:99999/",
        "http://portal.example.fr:-1/",
        "http://portal example.fr/",
        "http://portal.example.fr\t/",
        "http:///x",
        "ftp://portal.example.fr/",
        "portal.example.fr/x",
    };
    for (const auto& url : ambiguous) {
        auto parsed = parseUrlHost(url);
        EXPECT_FALSE(parsed) << url << " read as " << (parsed ? parsed->host : "");
        if (!parsed) {
            EXPECT_EQ(parsed.error().code, sdk::ErrorCode::InvalidArgument);
            EXPECT_THAT(parsed.error().message, HasSubstr("cannot be read unambiguously"));
        }
    }
}

TEST(UrlHost, ErrorsNeverQuoteTheUrl) {
    auto parsed = parseUrlHost("http://jdupont:pw@portal.example.fr/files?token=SECRET-TOKEN");
    ASSERT_FALSE(parsed);
    EXPECT_THAT(parsed.error().message, Not(HasSubstr("SECRET-TOKEN")));
    EXPECT_THAT(parsed.error().message, Not(HasSubstr("jdupont")));
    const HostAllowList list({"portal.example.fr"});
    auto refused = list.check("http://evil.test/files?token=SECRET-TOKEN");
    ASSERT_FALSE(refused);
    EXPECT_THAT(refused.error().message, Not(HasSubstr("SECRET-TOKEN")));
    EXPECT_THAT(refused.error().message, Not(HasSubstr("files")));
}

TEST(UrlHost, TrailingDotIsTheSameHost) {
    auto fqdn = parseUrlHost("http://Portal.Example.FR./x");
    ASSERT_TRUE(fqdn) << fqdn.error().message;
    EXPECT_EQ(fqdn->host, "portal.example.fr");
    auto ip = parseUrlHost("http://169.254.169.254./");
    ASSERT_TRUE(ip) << ip.error().message;
    EXPECT_EQ(ip->host, "169.254.169.254");
    EXPECT_TRUE(ip->ip_literal);
}

TEST(HostAllowList, ExactHostMatchesAnyPortAndNothingElse) {
    const HostAllowList list({"portal.example.fr"});
    EXPECT_TRUE(list.restricted());
    EXPECT_TRUE(allowed(list, "https://portal.example.fr/files/1"));
    EXPECT_TRUE(allowed(list, "http://portal.example.fr:8080/files/1"));
    EXPECT_FALSE(allowed(list, "https://www.portal.example.fr/"));
    EXPECT_FALSE(allowed(list, "https://example.fr/"));
    EXPECT_FALSE(allowed(list, "https://portal.example.fr.evil.test/"));
    EXPECT_FALSE(allowed(list, "https://evilportal.example.fr/"));
    EXPECT_THAT(refusal(list, "https://evil.test/files?portal.example.fr"),
                HasSubstr("the host evil.test:443 is not in <delivery attachment-hosts>"));
}

TEST(HostAllowList, IsCaseInsensitive) {
    const HostAllowList list({"Portal.Example.FR"});
    EXPECT_TRUE(allowed(list, "https://PORTAL.example.fr/x"));
    EXPECT_TRUE(allowed(list, "HTTPS://portal.EXAMPLE.fr/x"));
}

TEST(HostAllowList, WildcardMatchesSubdomainsOnly) {
    const HostAllowList list({"*.example.fr"});
    EXPECT_TRUE(allowed(list, "https://portal.example.fr/"));
    EXPECT_TRUE(allowed(list, "https://a.b.example.fr/"));
    EXPECT_FALSE(allowed(list, "https://example.fr/"));
    EXPECT_FALSE(allowed(list, "https://badexample.fr/"));
    EXPECT_FALSE(allowed(list, "https://example.fr.evil.test/"));
    EXPECT_FALSE(allowed(list, "https://.example.fr/"));
}

TEST(HostAllowList, PortInThePatternMustMatch) {
    const HostAllowList list({"portal.example.fr:443", "*.ged.example.fr:8443"});
    EXPECT_TRUE(allowed(list, "https://portal.example.fr/x"));  // 443 by default
    EXPECT_TRUE(allowed(list, "http://portal.example.fr:443/x"));
    EXPECT_FALSE(allowed(list, "http://portal.example.fr/x"));  // 80
    EXPECT_FALSE(allowed(list, "https://portal.example.fr:8443/x"));
    EXPECT_TRUE(allowed(list, "https://docs.ged.example.fr:8443/x"));
    EXPECT_FALSE(allowed(list, "https://docs.ged.example.fr/x"));
}

TEST(HostAllowList, UserInfoCannotSmuggleAnotherHost) {
    const HostAllowList list({"allowed.fr"});
    EXPECT_THAT(refusal(list, "http://allowed.fr@evil/"), HasSubstr("user info"));
    EXPECT_THAT(refusal(list, "http://allowed.fr:80@evil/"), HasSubstr("user info"));
    EXPECT_THAT(refusal(list, "http://evil/?allowed.fr"), HasSubstr("evil:80 is not in"));
    EXPECT_THAT(refusal(list, "http://evil/#@allowed.fr"), HasSubstr("evil:80 is not in"));
    EXPECT_THAT(refusal(list, "http://evil/allowed.fr"), HasSubstr("evil:80 is not in"));
}

TEST(HostAllowList, TrailingDotNeitherBypassesNorBreaksTheList) {
    const HostAllowList list({"allowed.fr"});
    EXPECT_TRUE(allowed(list, "http://allowed.fr./x"));
    EXPECT_FALSE(allowed(list, "http://allowed.fr../x"));
    EXPECT_FALSE(allowed(list, "http://evil.allowed.fr./x"));
    const HostAllowList none;
    EXPECT_THAT(refusal(none, "http://169.254.169.254./latest/meta-data/"),
                HasSubstr("link-local"));
}

TEST(HostAllowList, Ipv6LiteralsMatchInAnySpelling) {
    const HostAllowList list({"[2001:db8::1]", "[2001:db8::2]:8443", "192.0.2.7"});
    EXPECT_TRUE(allowed(list, "http://[2001:db8::1]/x"));
    EXPECT_TRUE(allowed(list, "http://[2001:DB8:0:0:0:0:0:1]:81/x"));
    EXPECT_TRUE(allowed(list, "https://[2001:db8::2]:8443/x"));
    EXPECT_FALSE(allowed(list, "https://[2001:db8::2]/x"));
    EXPECT_FALSE(allowed(list, "http://[2001:db8::3]/x"));
    EXPECT_TRUE(allowed(list, "http://192.0.2.7/x"));
    // The same IPv4 address in another form is not what was listed.
    EXPECT_FALSE(allowed(list, "http://[::ffff:192.0.2.7]/x"));
    EXPECT_FALSE(allowed(list, "http://3221225991/x"));
    EXPECT_THAT(refusal(list, "http://[2001:db8::3]:8080/x"), HasSubstr("[2001:db8::3]:8080"));
}

TEST(HostAllowList, WithoutAListAnyHostButLinkLocalLiterals) {
    const HostAllowList none;
    EXPECT_FALSE(none.restricted());
    EXPECT_TRUE(allowed(none, "https://portal.example.fr/x"));
    EXPECT_TRUE(allowed(none, "http://127.0.0.1:8080/x"));
    EXPECT_TRUE(allowed(none, "http://10.0.0.5/x"));
    EXPECT_TRUE(allowed(none, "http://[::1]:8080/x"));
    EXPECT_TRUE(allowed(none, "http://169.253.255.255/x"));
    EXPECT_TRUE(allowed(none, "http://169.255.0.0/x"));
    EXPECT_TRUE(allowed(none, "http://[fec0::1]/x"));
    const std::vector<std::string> link_local = {"http://169.254.169.254/latest/meta-data/",
                                                 "http://169.254.0.1:8080/",
                                                 "http://[fe80::1]/",
                                                 "http://[FEBF:ffff::1]/",
                                                 "http://[::ffff:169.254.169.254]/",
                                                 "http://[::169.254.169.254]/",
                                                 "http://[64:ff9b::a9fe:a9fe]/"};
    for (const auto& url : link_local) {
        EXPECT_THAT(refusal(none, url), HasSubstr("link-local")) << url;
    }
    // Shorthand IPv4 forms of the metadata address are refused as ambiguous.
    EXPECT_THAT(refusal(none, "http://2852039166/"), HasSubstr("four decimal numbers"));
}

TEST(HostAllowList, LinkLocalOnlyWhenListedExactly) {
    const HostAllowList list({"169.254.10.20:8080", "*.example.fr"});
    EXPECT_TRUE(allowed(list, "http://169.254.10.20:8080/x"));
    EXPECT_FALSE(allowed(list, "http://169.254.10.20/x"));
    EXPECT_FALSE(allowed(list, "http://169.254.169.254/x"));
    EXPECT_FALSE(allowed(list, "http://[fe80::1]/x"));
}

TEST(HostAllowList, IsLinkLocalIgnoresHostNames) {
    EXPECT_FALSE(isLinkLocal(UrlHost{"metadata.example.fr", 80, false}));
    EXPECT_TRUE(isLinkLocal(UrlHost{"169.254.1.1", 80, true}));
}

TEST(HostAllowList, BadPatternThrowsConfigError) {
    try {
        const HostAllowList list({"portal.example.fr", "*.*.fr"});
        ADD_FAILURE() << "accepted";
    } catch (const ConfigError& error) {
        EXPECT_THAT(error.message(), HasSubstr("'*.*.fr'"));
    }
}

}  // namespace
}  // namespace relais::config
