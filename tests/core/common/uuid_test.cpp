// SPDX-License-Identifier: AGPL-3.0-or-later
// The two kinds of UUID relais makes: random (v4) and time-ordered (v7, RFC 9562).
#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "relais/common/crypto.h"

namespace relais::common {
namespace {

bool isCanonical(const std::string& id) {
    if (id.size() != 36) return false;
    for (std::size_t i = 0; i < id.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        const char c = id[i];
        if (dash != (c == '-')) return false;
        if (!dash && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
}

/// The 48-bit Unix millisecond timestamp at the front of a v7 UUID (RFC 9562 §5.7).
std::int64_t millisOf(const std::string& id) {
    return std::stoll(id.substr(0, 8) + id.substr(9, 4), nullptr, 16);
}

TEST(Uuid, V4IsRandomWithItsVersionAndVariant) {
    const std::string id = uuidV4();
    ASSERT_TRUE(isCanonical(id)) << id;
    EXPECT_EQ(id[14], '4');
    EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;
    EXPECT_NE(uuidV4(), id);
}

TEST(Uuid, V7CarriesTheTimeItsVersionAndVariant) {
    const auto before = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    const std::string id = uuidV7();
    const auto after = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
    ASSERT_TRUE(isCanonical(id)) << id;
    EXPECT_EQ(id[14], '7');
    EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;
    EXPECT_GE(millisOf(id), before);
    EXPECT_LE(millisOf(id), after + 1);  // the fraction may have carried into the next ms
}

// What the store's indexes rely on: every id sorts after the ones made before it, as text,
// even many within one millisecond and from several threads at once.
TEST(Uuid, V7SortsInTheOrderItWasMadeAcrossThreads) {
    std::vector<std::string> sequence;
    for (int i = 0; i < 10000; ++i) sequence.push_back(uuidV7());
    for (std::size_t i = 1; i < sequence.size(); ++i) {
        ASSERT_LT(sequence[i - 1], sequence[i]) << "at " << i;
    }

    constexpr int kThreads = 4;
    std::vector<std::vector<std::string>> made(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&made, t] {
            for (int i = 0; i < 5000; ++i) made[t].push_back(uuidV7());
        });
    }
    for (auto& thread : threads) thread.join();
    std::set<std::string> all;
    for (const auto& ids : made) {
        for (std::size_t i = 1; i < ids.size(); ++i) ASSERT_LT(ids[i - 1], ids[i]);
        all.insert(ids.begin(), ids.end());
    }
    EXPECT_EQ(all.size(), static_cast<std::size_t>(kThreads * 5000));
    EXPECT_LT(sequence.back(), *all.begin());
}

}  // namespace
}  // namespace relais::common
