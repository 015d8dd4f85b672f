// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/sdk/signing.h"

#include <array>
#include <ctime>
#include <stdexcept>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "relais/sdk/text.h"
#include "relais/sdk/url_encoding.h"

namespace relais::sdk::signing {
namespace {

constexpr std::string_view kHexDigits = "0123456789abcdef";
// 9999-12-31T23:59:59Z: the last instant `%Y-%m-%dT%H:%M:%SZ` holds in four year digits.
constexpr std::int64_t kLastFormattableSecond = 253'402'300'799;
// Parameter values are form-URL-encoded as Python's `urlencode` does it (`quote_plus`).
constexpr bool kFormEncoding = true;

const EVP_MD* digestNamed(std::string_view algo) noexcept {
    if (algo == "sha1") return EVP_sha1();
    if (algo == "sha256") return EVP_sha256();
    if (algo == "sha512") return EVP_sha512();
    return nullptr;
}

/// Raw HMAC bytes. Throws only when libcrypto fails.
std::string hmacWith(const EVP_MD* md, std::string_view key, std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    unsigned int length = 0;
    // An empty key is valid HMAC; OpenSSL wants a non-null pointer for it.
    static constexpr unsigned char kEmptyKey = 0;
    const void* key_bytes = key.empty() ? &kEmptyKey : static_cast<const void*>(key.data());
    if (HMAC(md, key_bytes, static_cast<int>(key.size()),
             reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(),
             &length) == nullptr) {
        throw std::runtime_error("HMAC failed in libcrypto");
    }
    return {reinterpret_cast<const char*>(mac.data()), length};
}

/// `%Y-%m-%dT%H:%M:%SZ` in UTC; `unix_seconds` is within range (checked by the caller).
std::string formatTimestamp(std::int64_t unix_seconds) {
    const auto time = static_cast<std::time_t>(unix_seconds);
    std::tm utc{};
    if (gmtime_r(&time, &utc) == nullptr) throw std::runtime_error("gmtime_r failed");
    std::array<char, 32> text{};
    const std::size_t length = std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%SZ", &utc);
    return {text.data(), length};
}

/// Base64 as Python's `quote` leaves it: `+` and `=` escaped, `/` kept.
std::string quoteSignature(std::string_view base64_text) {
    std::string out;
    out.reserve(base64_text.size() + 8);
    for (const char c : base64_text) {
        if (c == '+') {
            out += "%2B";
        } else if (c == '=') {
            out += "%3D";
        } else {
            out.push_back(c);
        }
    }
    return out;
}

}  // namespace

std::string base64(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3), '\0');
    if (out.empty()) return out;
    const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                        reinterpret_cast<const unsigned char*>(bytes.data()),
                                        static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(written));
    return out;
}

std::optional<std::string> base64Decode(std::string_view text) {
    if (text.size() % 4 != 0) return std::nullopt;
    std::string out(3 * text.size() / 4, '\0');
    if (out.empty()) return out;
    const int written = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                        reinterpret_cast<const unsigned char*>(text.data()),
                                        static_cast<int>(text.size()));
    if (written < 0) return std::nullopt;
    // EVP_DecodeBlock counts the padding as zero bytes: drop them.
    auto size = static_cast<std::size_t>(written);
    if (text.back() == '=') --size;
    if (text[text.size() - 2] == '=') --size;
    out.resize(size);
    return out;
}

std::optional<std::string> hmac(std::string_view algo, std::string_view key,
                                std::string_view data) {
    const EVP_MD* md = digestNamed(algo);
    if (md == nullptr) return std::nullopt;
    return hmacWith(md, key, data);
}

std::string toHex(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const char c : bytes) {
        const auto b = static_cast<unsigned char>(c);
        out.push_back(kHexDigits[b >> 4U]);
        out.push_back(kHexDigits[b & 0x0FU]);
    }
    return out;
}

std::optional<std::string> fromHex(std::string_view hex) {
    if (hex.size() % 2 != 0) return std::nullopt;
    std::string out;
    out.reserve(hex.size() / 2);
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        const int high = text::hexDigitValue(hex[i]);
        const int low = text::hexDigitValue(hex[i + 1]);
        if (high < 0 || low < 0) return std::nullopt;
        out.push_back(static_cast<char>((high << 4) | low));
    }
    return out;
}

Result<std::string> publikSignQuery(std::string_view query, std::string_view secret,
                                    std::string_view algo, std::int64_t unix_seconds,
                                    std::string_view nonce) {
    const EVP_MD* md = digestNamed(algo);
    if (md == nullptr) {
        return fail(ErrorCode::InvalidArgument,
                    "Publik signature: unknown algorithm " + std::string(algo) +
                        " (sha1, sha256 or sha512)",
                    "algo");
    }
    if (unix_seconds < 0 || unix_seconds > kLastFormattableSecond) {
        return fail(ErrorCode::InvalidArgument,
                    "Publik signature: timestamp " + std::to_string(unix_seconds) +
                        " is not between 1970 and 9999",
                    "timestamp");
    }
    std::string signed_query(query);
    if (!signed_query.empty()) signed_query += '&';
    signed_query += "algo=";
    signed_query += url::percentEncode(algo, kFormEncoding);
    signed_query += "&timestamp=";
    signed_query += url::percentEncode(formatTimestamp(unix_seconds), kFormEncoding);
    signed_query += "&nonce=";
    signed_query += url::percentEncode(nonce, kFormEncoding);
    const std::string mac = hmacWith(md, secret, signed_query);
    signed_query += "&signature=";
    signed_query += quoteSignature(base64(mac));
    return signed_query;
}

std::string newNonce() {
    std::array<unsigned char, 16> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
        throw std::runtime_error("the system's random generator failed (RAND_bytes)");
    }
    return toHex({reinterpret_cast<const char*>(bytes.data()), bytes.size()});
}

std::string bodySignature(std::string_view secret, std::int64_t unix_seconds,
                          std::string_view body) {
    const std::string t = std::to_string(unix_seconds);
    std::string signed_text;
    signed_text.reserve(t.size() + 1 + body.size());
    signed_text.append(t).append(".").append(body);
    return "t=" + t + ",v1=" + toHex(hmacWith(EVP_sha256(), secret, signed_text));
}

}  // namespace relais::sdk::signing
