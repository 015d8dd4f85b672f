// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/common/crypto.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <utility>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "relais/sdk/signing.h"

namespace relais::common {

std::string sha256(std::string_view data) {
    std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data());
    return {reinterpret_cast<const char*>(digest.data()), digest.size()};
}

std::string sha256Hex(std::string_view data) { return toHex(sha256(data)); }

// HMAC, hex and base64 are the SDK's (relais/sdk/signing.h): one implementation for the
// core and the plugins. These keep the core's empty-string-on-failure contract.
std::string hmac(std::string_view algorithm, std::string_view key, std::string_view data) {
    return sdk::signing::hmac(algorithm, key, data).value_or(std::string());
}

std::string toHex(std::string_view bytes) { return sdk::signing::toHex(bytes); }

std::string fromHex(std::string_view hex) {
    return sdk::signing::fromHex(hex).value_or(std::string());
}

std::string base64Encode(std::string_view bytes) { return sdk::signing::base64(bytes); }

bool base64Decode(std::string_view text, std::string& out) {
    auto decoded = sdk::signing::base64Decode(text);
    if (!decoded) return false;
    out = std::move(*decoded);
    return true;
}

bool constantTimeEquals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string randomBytes(std::size_t count) {
    std::string out(count, '\0');
    if (count > 0 &&
        RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(count)) != 1) {
        throw std::runtime_error("the system random number generator failed");
    }
    return out;
}

namespace {

std::string canonicalUuid(const std::string& bytes) {
    const std::string hex = toHex(bytes);
    return hex.substr(0, 8) + '-' + hex.substr(8, 4) + '-' + hex.substr(12, 4) + '-' +
           hex.substr(16, 4) + '-' + hex.substr(20, 12);
}

/// The last (milliseconds << 12 | sub-millisecond) handed out: the next one is greater,
/// even when the clock stands still or steps back.
std::atomic<std::uint64_t> last_v7_stamp{0};

std::uint64_t nextV7Stamp() {
    const auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
    const auto now = static_cast<std::uint64_t>(nanos < 0 ? 0 : nanos);
    // 12 bits of the millisecond's fraction: 4096 steps of about 244 ns.
    const std::uint64_t stamp = (now / 1'000'000) << 12 | ((now % 1'000'000) * 4096 / 1'000'000);
    std::uint64_t last = last_v7_stamp.load(std::memory_order_relaxed);
    for (;;) {
        const std::uint64_t next = std::max(stamp, last + 1);
        if (last_v7_stamp.compare_exchange_weak(last, next, std::memory_order_relaxed)) {
            return next;
        }
    }
}

}  // namespace

std::string uuidV4() {
    std::string b = randomBytes(16);
    b[6] = static_cast<char>((static_cast<unsigned char>(b[6]) & 0x0F) | 0x40);
    b[8] = static_cast<char>((static_cast<unsigned char>(b[8]) & 0x3F) | 0x80);
    return canonicalUuid(b);
}

std::string uuidV7() {
    std::string b = randomBytes(16);
    const std::uint64_t stamp = nextV7Stamp();  // 48 bits of ms, then 12 of fraction
    const std::uint64_t millis = stamp >> 12;
    for (int i = 0; i < 6; ++i) b[i] = static_cast<char>((millis >> (8 * (5 - i))) & 0xFF);
    b[6] = static_cast<char>(0x70 | ((stamp >> 8) & 0x0F));
    b[7] = static_cast<char>(stamp & 0xFF);
    b[8] = static_cast<char>((static_cast<unsigned char>(b[8]) & 0x3F) | 0x80);
    return canonicalUuid(b);
}

}  // namespace relais::common
