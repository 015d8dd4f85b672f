// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/config/units.h"

#include <gtest/gtest.h>

namespace relais::config {
namespace {

using std::chrono::milliseconds;

TEST(ParseSize, AcceptsPlainBytesAndBinarySuffixes) {
    EXPECT_EQ(parseSize("0").value(), 0u);
    EXPECT_EQ(parseSize("65536").value(), 65536u);
    EXPECT_EQ(parseSize("12B").value(), 12u);
    EXPECT_EQ(parseSize("512KiB").value(), 512u * 1024);
    EXPECT_EQ(parseSize("10MiB").value(), 10u * 1024 * 1024);
    EXPECT_EQ(parseSize("2GiB").value(), 2ull * 1024 * 1024 * 1024);
    EXPECT_EQ(parseSize("007KiB").value(), 7u * 1024);
}

TEST(ParseSize, RejectsOtherForms) {
    for (const char* text : {"", "KiB", "10 MiB", "10MB", "10mib", "10Mo", "1.5MiB", "-1", "+1",
                             "10MiBs", " 10", "10 ", "0x10"}) {
        auto size = parseSize(text);
        ASSERT_FALSE(size.ok()) << text;
        EXPECT_EQ(size.error().code, sdk::ErrorCode::InvalidArgument);
        EXPECT_NE(size.error().message.find("'" + std::string(text) + "'"), std::string::npos)
            << size.error().message;
        EXPECT_NE(size.error().message.find("MiB"), std::string::npos) << size.error().message;
    }
}

TEST(ParseSize, RejectsOverflow) {
    EXPECT_TRUE(parseSize("9223372036854775807").ok());
    EXPECT_FALSE(parseSize("9223372036854775808").ok());
    EXPECT_FALSE(parseSize("99999999999999999999999").ok());
    EXPECT_TRUE(parseSize("8589934591GiB").ok());
    auto big = parseSize("8589934592GiB");
    ASSERT_FALSE(big.ok());
    EXPECT_NE(big.error().message.find("too large"), std::string::npos);
}

TEST(ParseDuration, AcceptsUnitsAndBareSeconds) {
    EXPECT_EQ(parseDuration("0").value(), milliseconds(0));
    EXPECT_EQ(parseDuration("45").value(), milliseconds(45'000));
    EXPECT_EQ(parseDuration("500ms").value(), milliseconds(500));
    EXPECT_EQ(parseDuration("30s").value(), milliseconds(30'000));
    EXPECT_EQ(parseDuration("5m").value(), milliseconds(300'000));
    EXPECT_EQ(parseDuration("2h").value(), milliseconds(7'200'000));
    EXPECT_EQ(parseDuration("1d").value(), milliseconds(86'400'000));
}

TEST(ParseDuration, RejectsOtherForms) {
    for (const char* text :
         {"", "s", "30x", "30 s", "1.5s", "-5s", "30S", "1w", "10sec", "PT30S", "30ms5"}) {
        auto duration = parseDuration(text);
        ASSERT_FALSE(duration.ok()) << text;
        EXPECT_EQ(duration.error().code, sdk::ErrorCode::InvalidArgument);
        EXPECT_NE(duration.error().message.find("'" + std::string(text) + "'"), std::string::npos);
        EXPECT_NE(duration.error().message.find("ms, s, m, h or d"), std::string::npos);
    }
}

TEST(ParseDuration, RejectsOverflow) {
    EXPECT_TRUE(parseDuration("1000000000000ms").ok());
    EXPECT_FALSE(parseDuration("1000000000001ms").ok());
    EXPECT_FALSE(parseDuration("99999999999999999999999999s").ok());
    auto long_one = parseDuration("20000000d");
    ASSERT_FALSE(long_one.ok());
    EXPECT_NE(long_one.error().message.find("too long"), std::string::npos);
}

}  // namespace
}  // namespace relais::config
