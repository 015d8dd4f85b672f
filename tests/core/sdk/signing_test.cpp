// SPDX-License-Identifier: AGPL-3.0-or-later
// The SDK's request signatures against vectors computed independently with the OpenSSL
// command line:
//   printf '%s' "$QUERY" | openssl dgst -sha256 -hmac 's3cr3t-partag3' -binary | base64
//   printf '%s' '1794614400.{"externalRef":"RS-2026-004217"}' |
//     openssl dgst -sha256 -hmac 'whsec-relais-test-0123456789abcdef'
// (with -sha1 / -sha512 and each vector's own string).
#include "relais/sdk/signing.h"

#include <set>

#include <gtest/gtest.h>

namespace relais::sdk::signing {
namespace {

constexpr std::int64_t kTenOClock = 1795600800;  // 2026-11-25T10:00:00Z
constexpr std::string_view kSecret = "s3cr3t-partag3";

std::string signedOrFail(std::string_view query, std::string_view algo, std::int64_t at,
                         std::string_view nonce) {
    auto signed_query = publikSignQuery(query, kSecret, algo, at, nonce);
    if (!signed_query) {
        ADD_FAILURE() << signed_query.error().message;
        return {};
    }
    return *signed_query;
}

TEST(PublikSignQuery, SignsAsTheIndependentImplementation) {
    EXPECT_EQ(signedOrFail("orig=wcs.example.org&NameID=", "sha256", kTenOClock,
                           "0123456789abcdef0123456789abcdef"),
              "orig=wcs.example.org&NameID=&algo=sha256&timestamp=2026-11-25T10%3A00%3A00Z"
              "&nonce=0123456789abcdef0123456789abcdef"
              "&signature=QVjvCbizV9SyiFZtEotEj%2B0c9l71e2uIVG8LtzVdldI%3D");
    EXPECT_EQ(signedOrFail("orig=wcs.example.org", "sha1", kTenOClock,
                           "ffeeddccbbaa99887766554433221100"),
              "orig=wcs.example.org&algo=sha1&timestamp=2026-11-25T10%3A00%3A00Z"
              "&nonce=ffeeddccbbaa99887766554433221100&signature=g26eIGnNQ9LBF6nIMyKUwItfziw%3D");
    EXPECT_EQ(signedOrFail("", "sha512", kTenOClock, "00000000000000000000000000000001"),
              "algo=sha512&timestamp=2026-11-25T10%3A00%3A00Z"
              "&nonce=00000000000000000000000000000001&signature=pOAgHcf5e25Vm6mATdeZxJuzmNnFvtmA"
              "5cq2ttreADHBAqnm3OnsDrlMrNYLjuorR%2BKgdl8pCLAxXgRavHxivQ%3D%3D");
}

TEST(PublikSignQuery, FormEncodesTheNonceAndKeepsSlashesInTheSignature) {
    // The nonce as Python's urlencode writes it: space as '+', everything else escaped.
    // The signature's base64 holds '+' and '/': '+' is quoted, '/' is kept.
    EXPECT_EQ(signedOrFail("orig=relais", "sha256", 0, "a b/c+d\xC3\xA9"),
              "orig=relais&algo=sha256&timestamp=1970-01-01T00%3A00%3A00Z"
              "&nonce=a+b%2Fc%2Bd%C3%A9"
              "&signature=u%2Bn/HvLvR4qgPDAXzz4UELWYKGaJef6blsmUrrMlgwQ%3D");
}

TEST(PublikSignQuery, CoversEveryFormattableSecond) {
    EXPECT_EQ(signedOrFail("", "sha256", 253'402'300'799, "n"),
              "algo=sha256&timestamp=9999-12-31T23%3A59%3A59Z&nonce=n"
              "&signature=8p9qmksCnf%2Bzm52GvIoi8iZh5BXLsIwQlGzYXRoVhAY%3D");
    for (const std::int64_t bad : {std::int64_t{-1}, std::int64_t{253'402'300'800}}) {
        auto refused = publikSignQuery("", kSecret, "sha256", bad, "n");
        ASSERT_FALSE(refused) << bad;
        EXPECT_EQ(refused.error().code, ErrorCode::InvalidArgument);
        EXPECT_EQ(refused.error().field, "timestamp");
    }
}

TEST(PublikSignQuery, RefusesAnUnknownAlgorithm) {
    for (const std::string_view algo : {"md5", "SHA256", "", "sha384"}) {
        auto refused = publikSignQuery("orig=a", kSecret, algo, kTenOClock, "n");
        ASSERT_FALSE(refused) << algo;
        EXPECT_EQ(refused.error().code, ErrorCode::InvalidArgument);
        EXPECT_EQ(refused.error().field, "algo");
        EXPECT_NE(refused.error().message.find("unknown algorithm " + std::string(algo)),
                  std::string::npos)
            << refused.error().message;
        EXPECT_EQ(refused.error().message.find(kSecret), std::string::npos);
    }
}

TEST(NewNonce, IsFreshRandomHex) {
    std::set<std::string> seen;
    for (int i = 0; i < 100; ++i) {
        const std::string nonce = newNonce();
        ASSERT_EQ(nonce.size(), 32U);
        EXPECT_EQ(nonce.find_first_not_of("0123456789abcdef"), std::string::npos) << nonce;
        seen.insert(nonce);
    }
    EXPECT_EQ(seen.size(), 100U);
}

TEST(BodySignature, MatchesOpensslDgst) {
    EXPECT_EQ(bodySignature("whsec-relais-test-0123456789abcdef", 1'794'614'400,
                            R"({"externalRef":"RS-2026-004217"})"),
              "t=1794614400,v1=d2fa8f57a999db18a620b6365cd7e889ae9d3fc6f83b2d293d5eccdcaab4c7ff");
    // An empty body (a health check) and an empty key are valid HMAC inputs:
    //   printf '%s' '1794614400.' | openssl dgst -sha256 -hmac '…'
    //   printf '%s' '0.' | openssl dgst -sha256 -hmac ''
    EXPECT_EQ(bodySignature("whsec-relais-test-0123456789abcdef", 1'794'614'400, ""),
              "t=1794614400,v1=92976c5a4c21ab8b2efdfe115c7a8864f1fa2ea124592210da272ecb8587d82a");
    EXPECT_EQ(bodySignature("", 0, ""),
              "t=0,v1=b849d5a581847b281957065739df36df2463d1977ea8d6e1e4e6cf33fadc68c3");
    EXPECT_EQ(kBodySignatureHeader, "X-Relais-Signature");
}

TEST(Base64, MatchesCoreutils) {
    // printf 'agent-cantine:p@ss w0rd' | base64
    EXPECT_EQ(base64("agent-cantine:p@ss w0rd"), "YWdlbnQtY2FudGluZTpwQHNzIHcwcmQ=");
    EXPECT_EQ(base64(""), "");
    EXPECT_EQ(base64("a"), "YQ==");
}

}  // namespace
}  // namespace relais::sdk::signing
