// SPDX-License-Identifier: AGPL-3.0-or-later
// The Publik signature against vectors computed independently with the OpenSSL command line:
//   S='orig=wcs.example.org&NameID=&algo=sha256&timestamp=2026-11-25T10%3A00%3A00Z&nonce=0123…'
//   printf '%s' "$S" | openssl dgst -sha256 -hmac 's3cr3t-partag3' -binary | base64
// (the same for the sha1 and sha512 vectors with their own strings).
#include "relais/http/publik_signature.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace relais::http::publik {
namespace {

using ::testing::HasSubstr;

constexpr std::int64_t kTenOClock = 1795600800;  // 2026-11-25T10:00:00Z
const std::string kSecret = "s3cr3t-partag3";

std::optional<std::string> secrets(std::string_view orig) {
    if (orig == "wcs.example.org") return kSecret;
    return std::nullopt;
}

const std::string kSigned256 =
    "orig=wcs.example.org&NameID=&algo=sha256&timestamp=2026-11-25T10%3A00%3A00Z"
    "&nonce=0123456789abcdef0123456789abcdef"
    "&signature=QVjvCbizV9SyiFZtEotEj%2B0c9l71e2uIVG8LtzVdldI%3D";

TEST(PublikSignature, SignsAsTheIndependentImplementation) {
    EXPECT_EQ(signQuery("orig=wcs.example.org&NameID=", kSecret, "sha256", kTenOClock,
                        "0123456789abcdef0123456789abcdef"),
              kSigned256);
    EXPECT_EQ(signQuery("orig=wcs.example.org", kSecret, "sha1", kTenOClock,
                        "ffeeddccbbaa99887766554433221100"),
              "orig=wcs.example.org&algo=sha1&timestamp=2026-11-25T10%3A00%3A00Z"
              "&nonce=ffeeddccbbaa99887766554433221100&signature=g26eIGnNQ9LBF6nIMyKUwItfziw%3D");
    EXPECT_EQ(signQuery("", kSecret, "sha512", kTenOClock, "00000000000000000000000000000001"),
              "algo=sha512&timestamp=2026-11-25T10%3A00%3A00Z"
              "&nonce=00000000000000000000000000000001&signature=pOAgHcf5e25Vm6mATdeZxJuzmNnFvtmA"
              "5cq2ttreADHBAqnm3OnsDrlMrNYLjuorR%2BKgdl8pCLAxXgRavHxivQ%3D%3D");
    EXPECT_THROW(signQuery("", kSecret, "md5", kTenOClock, "n"), std::invalid_argument);
}

TEST(PublikSignature, AcceptsAValidQueryWithinTheWindow) {
    for (const std::int64_t now : {kTenOClock, kTenOClock + 30, kTenOClock - 30}) {
        auto verified = verifyQuery(kSigned256, secrets, now);
        ASSERT_TRUE(verified) << verified.error().message;
        EXPECT_EQ(verified->orig, "wcs.example.org");
        EXPECT_EQ(verified->nonce, "0123456789abcdef0123456789abcdef");
        EXPECT_EQ(verified->timestamp, kTenOClock);
    }
    // What we sign, we verify.
    const std::string mine =
        signQuery("orig=wcs.example.org&email=a%40b.fr", kSecret, "sha512", kTenOClock, newNonce());
    EXPECT_TRUE(verifyQuery(mine, secrets, kTenOClock));
}

std::string refusal(std::string_view query, std::int64_t now = kTenOClock) {
    auto verified = verifyQuery(query, secrets, now);
    if (verified) return "accepted";
    EXPECT_EQ(verified.error().code, sdk::ErrorCode::Unauthorized);
    return verified.error().message;
}

TEST(PublikSignature, RefusesStaleOrFutureTimestamps) {
    EXPECT_THAT(refusal(kSigned256, kTenOClock + 31), HasSubstr("window"));
    EXPECT_THAT(refusal(kSigned256, kTenOClock + 300), HasSubstr("window"));
    EXPECT_THAT(refusal(kSigned256, kTenOClock - 31), HasSubstr("window"));
}

TEST(PublikSignature, RefusesAWrongKeyOrAModifiedQuery) {
    const auto wrong_key = [](std::string_view) { return std::optional<std::string>("other"); };
    EXPECT_FALSE(verifyQuery(kSigned256, wrong_key, kTenOClock));
    std::string modified = kSigned256;
    modified.replace(modified.find("NameID="), 7, "NameID=x");
    EXPECT_THAT(refusal(modified), HasSubstr("does not match"));
    std::string swapped = kSigned256;
    swapped.replace(swapped.find("sha256"), 6, "sha512");
    EXPECT_THAT(refusal(swapped), HasSubstr("does not match"));
}

TEST(PublikSignature, RefusesMalformedOrIncompleteQueries) {
    EXPECT_THAT(refusal("orig=wcs.example.org"), HasSubstr("no signature"));
    EXPECT_THAT(refusal(kSigned256 + "&extra=1"), HasSubstr("last parameter"));
    std::string unknown = kSigned256;
    unknown.replace(0, 19, "orig=inconnu.example");
    EXPECT_THAT(refusal(unknown), HasSubstr("unknown orig"));
    EXPECT_THAT(refusal("orig=a&orig=b&algo=sha256&timestamp=2026-11-25T10%3A00%3A00Z&nonce=1"
                        "&signature=AA%3D%3D"),
                HasSubstr("twice"));
    EXPECT_THAT(refusal("orig=wcs.example.org&algo=md5&timestamp=2026-11-25T10%3A00%3A00Z"
                        "&nonce=1&signature=AA%3D%3D"),
                HasSubstr("algo"));
    EXPECT_THAT(refusal("orig=wcs.example.org&algo=sha256&timestamp=25%2F11%2F2026&nonce=1"
                        "&signature=AA%3D%3D"),
                HasSubstr("timestamp"));
    EXPECT_THAT(refusal("orig=wcs.example.org&algo=sha256&timestamp=2026-11-25T10%3A00%3A00Z"
                        "&signature=AA%3D%3D"),
                HasSubstr("nonce"));
    EXPECT_THAT(refusal("orig=wcs.example.org&algo=sha256&timestamp=2026-11-25T10%3A00%3A00Z"
                        "&nonce=1&signature=%%%"),
                HasSubstr("base64"));
}

TEST(PublikSignature, NoncesAreFreshRandomHex) {
    const std::string a = newNonce();
    EXPECT_EQ(a.size(), 32U);
    EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
    EXPECT_NE(a, newNonce());
}

}  // namespace
}  // namespace relais::http::publik
