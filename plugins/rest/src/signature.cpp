// SPDX-License-Identifier: AGPL-3.0-or-later
#include "signature.h"

#include <array>
#include <stdexcept>

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace relais::plugins::rest {

std::string hmacSha256Hex(std::string_view key, std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    unsigned int length = 0;
    // An empty key is valid HMAC; OpenSSL wants a non-null pointer for it.
    static constexpr unsigned char kEmpty = 0;
    const unsigned char* key_bytes =
        key.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(key.data());
    if (HMAC(EVP_sha256(), key_bytes, static_cast<int>(key.size()),
             reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(),
             &length) == nullptr) {
        // Only a broken libcrypto fails here; the shim turns this into an Internal error.
        throw std::runtime_error("HMAC-SHA256 failed in libcrypto");
    }
    constexpr std::string_view kHex = "0123456789abcdef";
    std::string out;
    out.reserve(std::size_t{length} * 2);
    for (unsigned int i = 0; i < length; ++i) {
        out.push_back(kHex[mac[i] >> 4U]);
        out.push_back(kHex[mac[i] & 0x0FU]);
    }
    return out;
}

std::string signatureValue(std::string_view secret, std::int64_t unix_seconds,
                           std::string_view body) {
    const std::string t = std::to_string(unix_seconds);
    std::string signed_text;
    signed_text.reserve(t.size() + 1 + body.size());
    signed_text.append(t).append(".").append(body);
    return "t=" + t + ",v1=" + hmacSha256Hex(secret, signed_text);
}

std::string base64(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3), '\0');
    if (out.empty()) return out;
    const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                        reinterpret_cast<const unsigned char*>(bytes.data()),
                                        static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(written));
    return out;
}

}  // namespace relais::plugins::rest
