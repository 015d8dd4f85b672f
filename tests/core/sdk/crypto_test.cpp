// SPDX-License-Identifier: AGPL-3.0-or-later
// HMAC against RFC 2202 / RFC 4231 vectors; base64 against RFC 4648 §10.
#include <gtest/gtest.h>

#include "relais/sdk/signing.h"

namespace relais::sdk::signing {
namespace {

std::string hexHmac(std::string_view algo, std::string_view key, std::string_view data) {
    const auto mac = hmac(algo, key, data);
    return mac ? toHex(*mac) : "(none)";
}

TEST(Hmac, MatchesTheRfcVectors) {
    constexpr std::string_view kData = "what do ya want for nothing?";
    EXPECT_EQ(hexHmac("sha1", "Jefe", kData), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
    EXPECT_EQ(hexHmac("sha256", "Jefe", kData),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    EXPECT_EQ(hexHmac("sha512", "Jefe", kData).substr(0, 32), "164b7a7bfcf819e2e395fbe73b56e0a3");
}

TEST(Hmac, AcceptsAnEmptyKeyAndRefusesAnUnknownAlgorithm) {
    EXPECT_EQ(hexHmac("sha256", "", ""),
              "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
    EXPECT_FALSE(hmac("md5", "k", "d"));
    EXPECT_FALSE(hmac("SHA256", "k", "d"));
}

TEST(Base64Decode, InvertsBase64) {
    for (const std::string_view bytes : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
        EXPECT_EQ(base64Decode(base64(bytes)), std::string(bytes)) << bytes;
    }
    EXPECT_EQ(base64Decode("Zm9vYmFy"), "foobar");
    const std::string binary("\x00\xff\x10", 3);
    EXPECT_EQ(base64Decode(base64(binary)), binary);
}

TEST(Base64Decode, RefusesMalformedText) {
    EXPECT_FALSE(base64Decode("Zm9"));
    EXPECT_FALSE(base64Decode("Zm9v!!!!"));
}

TEST(Hex, RoundTripsAndRefusesMalformedText) {
    EXPECT_EQ(toHex(std::string("\x00\xab\xff", 3)), "00abff");
    EXPECT_EQ(fromHex("00ABff"), std::string("\x00\xab\xff", 3));
    EXPECT_EQ(fromHex(""), "");
    EXPECT_FALSE(fromHex("abc"));
    EXPECT_FALSE(fromHex("zz"));
}

}  // namespace
}  // namespace relais::sdk::signing
