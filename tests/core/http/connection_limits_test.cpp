// SPDX-License-Identifier: AGPL-3.0-or-later
#include "http/connection_limits.h"

#include <gtest/gtest.h>

#include "relais/metrics/registry.h"

namespace relais::http::detail::test {
namespace {

TEST(ConnectionLimits, CountsEachAddressAgainstItsLimitAndFreesItOnClose) {
    metrics::Registry metrics;
    auto& open = metrics.gauge("open", "open");
    ConnectionLimits limits(100, 2, open);
    EXPECT_TRUE(limits.open("192.0.2.1"));
    EXPECT_TRUE(limits.open("192.0.2.1"));
    EXPECT_FALSE(limits.open("192.0.2.1"));    // the third from one address
    EXPECT_TRUE(limits.open("198.51.100.7"));  // others are not affected
    EXPECT_EQ(open.value(), 4);
    limits.close("192.0.2.1");
    limits.close("192.0.2.1");
    EXPECT_TRUE(limits.open("192.0.2.1"));  // 2 open again, within the limit
    EXPECT_EQ(open.value(), 3);
}

TEST(ConnectionLimits, IsFullAtTheTotalAndNoLongerOnceOneCloses) {
    metrics::Registry metrics;
    ConnectionLimits limits(3, 0, metrics.gauge("open", "open"));
    for (int i = 0; i < 3; ++i) {
        EXPECT_FALSE(limits.full());
        EXPECT_TRUE(limits.open("203.0.113.9"));  // 0: no limit per address
    }
    EXPECT_TRUE(limits.full());
    limits.close("203.0.113.9");
    EXPECT_FALSE(limits.full());
}

}  // namespace
}  // namespace relais::http::detail::test
