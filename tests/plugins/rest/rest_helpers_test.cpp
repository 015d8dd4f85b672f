// SPDX-License-Identifier: AGPL-3.0-or-later
// Logic tests of the REST connector's pure parts: URL templates, header and id syntax,
// Retry-After, response excerpts, identifiers, base64, Publik URL signing.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "relais/sdk/url_encoding.h"

#include "response.h"
#include "rest_config.h"
#include "signature.h"
#include "url_template.h"

namespace relais::plugins::rest {
namespace {

TEST(PercentEncode, KeepsOnlyUnreservedCharacters) {
    EXPECT_EQ(sdk::url::percentEncode("RS-2026_004217.a~b"), "RS-2026_004217.a~b");
    EXPECT_EQ(sdk::url::percentEncode("a/b?c#d&e=f%g h+i"), "a%2Fb%3Fc%23d%26e%3Df%25g%20h%2Bi");
    EXPECT_EQ(sdk::url::percentEncode("école"), "%C3%A9cole");
    EXPECT_EQ(sdk::url::percentEncode(std::string("\r\n", 2)), "%0D%0A");
}

TEST(UrlTemplate, ReplacesEachPlaceholderEncoded) {
    auto parsed = UrlTemplate::parse(
        "https://app.example/api/{procedure}/dossiers/{source_key}?route={route}&id={dossier_id}");
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_TRUE(parsed->uses("source_key"));
    EXPECT_FALSE(parsed->uses("business_id"));
    auto url = parsed->expand({"d-1", "RS/2026 42", "restauration-scolaire", "cantine", ""});
    ASSERT_TRUE(url) << url.error().message;
    EXPECT_EQ(*url,
              "https://app.example/api/restauration-scolaire/dossiers/RS%2F2026%2042?route=cantine"
              "&id=d-1");
}

TEST(UrlTemplate, RefusesAnEmptyValue) {
    auto parsed = UrlTemplate::parse("https://app.example/dossiers/{business_id}/documents");
    ASSERT_TRUE(parsed);
    auto url = parsed->expand({"d-1", "k", "p", "r", ""});
    ASSERT_FALSE(url);
    EXPECT_EQ(url.error().code, sdk::ErrorCode::InvalidArgument);
    EXPECT_NE(url.error().message.find("{business_id}"), std::string::npos);
}

TEST(UrlTemplate, RefusesBadPlaceholders) {
    for (const char* bad : {"https://app.example/{nope}", "https://app.example/{dossier_id",
                            "https://app.example/a}b", "https://{procedure}.example/x",
                            "https://app.example:{route}/x"}) {
        auto parsed = UrlTemplate::parse(bad);
        ASSERT_FALSE(parsed) << bad;
        EXPECT_EQ(parsed.error().field, "url") << bad;
    }
}

TEST(UrlForMessages, DropsQueryAndFragment) {
    EXPECT_EQ(urlForMessages("https://a.example/x/y?token=1#f"), "https://a.example/x/y");
    EXPECT_EQ(urlForMessages("https://a.example/x"), "https://a.example/x");
}

TEST(ParseHeaders, ReadsItemsWithEscapedCommas) {
    auto headers = parseHeaders(R"(X-Collectivite: 75056, Accept: application/json\, text/plain,)"
                                R"( X-Path: C:\dir\\x)");
    ASSERT_TRUE(headers) << headers.error().message;
    ASSERT_EQ(headers->size(), 3U);
    EXPECT_EQ((*headers)[0], (std::pair<std::string, std::string>{"X-Collectivite", "75056"}));
    EXPECT_EQ((*headers)[1].second, "application/json, text/plain");
    EXPECT_EQ((*headers)[2].second, R"(C:\dir\x)");
}

TEST(ParseHeaders, RefusesInjectionReservedNamesAndGarbage) {
    for (const std::string& bad :
         {std::string("X-A: a\r\nX-B: b"), std::string("Host: evil.example"),
          std::string("content-length: 3"), std::string("Authorization: Bearer abc"),
          std::string("Content-Type: text/plain"), std::string("no colon here"),
          std::string("Bad Name: x"), std::string("X-Relais-Signature: forged")}) {
        auto headers = parseHeaders(bad);
        ASSERT_FALSE(headers) << bad;
        EXPECT_EQ(headers.error().field, "headers");
    }
}

TEST(ParseIdLocator, AcceptsJsonPathsAndHeaders) {
    auto json = parseIdLocator("json:data.items[0].numero", "business-id");
    ASSERT_TRUE(json) << json.error().message;
    EXPECT_EQ(json->source, IdLocator::Source::Json);
    EXPECT_EQ(json->where, "data.items[0].numero");
    auto header = parseIdLocator(" header:Location ", "business-id");
    ASSERT_TRUE(header);
    EXPECT_EQ(header->source, IdLocator::Source::Header);
    EXPECT_EQ(header->where, "Location");
    auto none = parseIdLocator("", "business-id");
    ASSERT_TRUE(none);
    EXPECT_FALSE(none->configured());
}

TEST(ParseIdLocator, RefusesOtherSyntaxes) {
    for (const char* bad :
         {"id", "xpath:/a/b", "json:", "json:a..b", "json:.a", "json:a.", "json:a[x]", "json:a[]",
          "json:a b", "json:a[0]b", "header:", "header:Bad Name"}) {
        auto locator = parseIdLocator(bad, "display-id");
        ASSERT_FALSE(locator) << bad;
        EXPECT_EQ(locator.error().field, "display-id") << bad;
    }
}

TEST(ParseStatusCodes, ChecksRange) {
    auto codes = parseStatusCodes({"200", " 201", "200"}, "success-codes");
    ASSERT_TRUE(codes);
    EXPECT_EQ(*codes, (std::vector<int>{200, 201}));
    for (const std::vector<std::string>& bad :
         {std::vector<std::string>{"2xx"}, {"99"}, {"600"}, {"200x"}, {}}) {
        EXPECT_FALSE(parseStatusCodes(bad, "retry-codes"));
    }
}

TEST(RetryAfter, ReadsSecondsAndDates) {
    const auto now = sdk::Timestamp::fromUnixSeconds(1'445'412'480);  // 2015-10-21T07:28:00Z
    EXPECT_EQ(retryAfterSeconds("120", now), 120);
    EXPECT_EQ(retryAfterSeconds(" 0 ", now), 0);
    EXPECT_EQ(retryAfterSeconds("Wed, 21 Oct 2015 07:30:30 GMT", now), 150);
    EXPECT_EQ(retryAfterSeconds("Wed, 21 Oct 2015 07:00:00 GMT", now), 0);  // past
    EXPECT_EQ(retryAfterSeconds("99999999999999999999999", now), kMaxRetryAfterSeconds);
    EXPECT_EQ(retryAfterSeconds("Thu, 01 Jan 2099 00:00:00 GMT", now), kMaxRetryAfterSeconds);
    for (const char* bad : {"", "soon", "-5", "1.5", "Wed, 21 Oct 2015 07:30:30 CET",
                            "Wednesday, 21-Oct-15 07:30:30 GMT", "Wed, 32 Oct 2015 07:30:30 GMT"}) {
        EXPECT_EQ(retryAfterSeconds(bad, now), 0) << bad;
    }
}

TEST(BodyExcerpt, RemovesControlCharactersAndMasksSecrets) {
    EXPECT_EQ(bodyExcerpt("{\"error\":\r\n\t\"champ manquant\"}\x01\x7f", {}),
              "{\"error\": \"champ manquant\"}");
    EXPECT_EQ(bodyExcerpt("token tok-123 refused", {"tok-123"}), "token *** refused");
    EXPECT_EQ(bodyExcerpt("bad \xff byte, C1 \xc2\x85 gone", {}), "bad ? byte, C1 gone");
    EXPECT_EQ(bodyExcerpt("", {}), "");
}

TEST(BodyExcerpt, CutsOnACharacterBoundaryWithinTheLimit) {
    std::string body;
    for (int i = 0; i < 300; ++i) body += "é";  // two bytes each
    const std::string excerpt = bodyExcerpt(body, {});
    EXPECT_LE(excerpt.size(), 200U);
    EXPECT_TRUE(excerpt.ends_with("..."));
    EXPECT_EQ((excerpt.size() - 3) % 2, 0U) << "a character was split";
    // A secret straddling the cut is still masked (masking comes first).
    const std::string secret = "SECRETSECRETSECRET";
    const std::string long_body = std::string(190, 'a') + secret;
    EXPECT_EQ(bodyExcerpt(long_body, {secret}).find("SECRET"), std::string::npos);
}

TEST(FindId, ReadsJsonStringsAndIntegers) {
    auto json = sdk::Json::parse(R"({"id": 42, "data": {"numero": "2026-00042", "o": {}}})");
    ASSERT_TRUE(json);
    const sdk::HttpResponse response;
    std::string problem;
    EXPECT_EQ(findId(*parseIdLocator("json:id", "k"), response, &*json, problem), "42");
    EXPECT_EQ(findId(*parseIdLocator("json:data.numero", "k"), response, &*json, problem),
              "2026-00042");
    EXPECT_FALSE(findId(*parseIdLocator("json:data.o", "k"), response, &*json, problem));
    EXPECT_NE(problem.find("neither a string nor an integer"), std::string::npos);
    EXPECT_FALSE(findId(*parseIdLocator("json:data.absent", "k"), response, &*json, problem));
    EXPECT_FALSE(findId(*parseIdLocator("json:id", "k"), response, nullptr, problem));
    EXPECT_NE(problem.find("not JSON"), std::string::npos);
}

TEST(FindId, TakesTheLastSegmentOfLocationOnly) {
    sdk::HttpResponse response;
    response.headers = {{"location", "https://app.example/api/dossiers/2026%2F42/?x=1#f"},
                        {"X-Dossier", "  RS/2026/42 "}};
    std::string problem;
    EXPECT_EQ(findId(*parseIdLocator("header:Location", "k"), response, nullptr, problem),
              "2026/42");
    EXPECT_EQ(findId(*parseIdLocator("header:X-Dossier", "k"), response, nullptr, problem),
              "RS/2026/42");
    response.headers = {{"Location", "/dossiers/77"}};
    EXPECT_EQ(findId(*parseIdLocator("header:Location", "k"), response, nullptr, problem), "77");
    EXPECT_FALSE(findId(*parseIdLocator("header:X-Absent", "k"), response, nullptr, problem));
    response.headers = {{"Location", "https://app.example/"}};
    EXPECT_FALSE(findId(*parseIdLocator("header:Location", "k"), response, nullptr, problem));
    EXPECT_NE(problem.find("empty"), std::string::npos);
}

TEST(PublikSignUrl, AppendsOrigThenSignsAsOpensslDgst) {
    // The signatures below are those of the openssl command line over the bytes before
    // `&signature=`:
    //   printf '%s' "$SIGNED" | openssl dgst -sha256 -hmac 's3cr3t-partag3' -binary | base64
    // (-sha1 for the second one).
    auto url = publikSignUrl(
        "https://wcs.example.org/api/forms/x/submit?email=a%40b.fr&\xC3\xA9"
        "cole=1#top",
        "relais.mairie.example", "s3cr3t-partag3", "sha256", 1795600800,
        "0123456789abcdef0123456789abcdef");
    ASSERT_TRUE(url) << url.error().message;
    EXPECT_EQ(*url,
              "https://wcs.example.org/api/forms/x/submit?email=a%40b.fr&%C3%A9cole=1"
              "&orig=relais.mairie.example&algo=sha256&timestamp=2026-11-25T10%3A00%3A00Z"
              "&nonce=0123456789abcdef0123456789abcdef"
              "&signature=S2F3ehF64D/efKx9/I7QySX3MLMT0Sa4zo2noiauxLM%3D");

    // No query yet; an orig that needs encoding.
    url =
        publikSignUrl("https://passerelle.example.org/csvdatasource/ecoles/data",
                      "mairie de Saint-\xC3\x89tienne", "s3cr3t-partag3", "sha1", 1795600800, "n1");
    ASSERT_TRUE(url) << url.error().message;
    EXPECT_EQ(
        *url,
        "https://passerelle.example.org/csvdatasource/ecoles/data"
        "?orig=mairie%20de%20Saint-%C3%89tienne&algo=sha1"
        "&timestamp=2026-11-25T10%3A00%3A00Z&nonce=n1&signature=v0V2LvcCwO1nK2gmn1EwIVwEYq4%3D");
}

TEST(PublikSignUrl, RefusesAQueryThatAlreadyHasASignatureParameter) {
    for (const char* bad : {"https://a.example/x?orig=other", "https://a.example/x?a=1&nonce=2",
                            "https://a.example/x?%6Frig=other", "https://a.example/x?signature",
                            "https://a.example/x?algo=sha1&b"}) {
        auto url = publikSignUrl(bad, "relais", "k", "sha256", 1795600800, "n");
        ASSERT_FALSE(url) << bad;
        EXPECT_EQ(url.error().code, sdk::ErrorCode::InvalidArgument);
        EXPECT_EQ(url.error().field, "url");
    }
    EXPECT_EQ(publikParameterIn("https://a.example/x?original=1&xorig=2#orig=3"), "");
    EXPECT_EQ(publikParameterIn("https://a.example/x?a=1&timestamp=2"), "timestamp");
    auto bad_algo = publikSignUrl("https://a.example/x", "relais", "k", "md5", 1795600800, "n");
    ASSERT_FALSE(bad_algo);
    EXPECT_EQ(bad_algo.error().field, "algo");
}

}  // namespace
}  // namespace relais::plugins::rest
