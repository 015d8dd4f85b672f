// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/subjects/attribute_sealing.h"

#include <climits>
#include <cstring>
#include <stdexcept>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "subjects/sealing_primitives.h"

namespace relais::subjects {

std::string attributeAad(std::string_view subject_id, std::string_view attribute) {
    std::string aad;
    aad.reserve(subject_id.size() + 1 + attribute.size());
    aad.append(subject_id).append(1, '\x1f').append(attribute);
    return aad;
}

namespace detail {

Context newContext() {
    Context ctx(EVP_CIPHER_CTX_new());
    if (!ctx) throw std::runtime_error("OpenSSL: cannot allocate a cipher context");
    return ctx;
}

bool fitsInt(std::string_view text) noexcept {
    return text.size() <= static_cast<std::size_t>(INT_MAX) - kOverhead;
}

std::string encryptWith(EVP_CIPHER_CTX* ctx, const unsigned char* iv, std::string_view plaintext,
                        std::string_view aad) {
    if (!fitsInt(plaintext) || !fitsInt(aad)) {
        throw std::length_error("sealer: value or AAD larger than 2 GiB");
    }
    std::string out(kOverhead + plaintext.size(), '\0');
    unsigned char* const head = bytesOf(out);
    head[0] = kSealVersion;
    std::memcpy(head + kSealVersionSize, iv, kSealIvSize);
    unsigned char* const body = head + kSealVersionSize + kSealIvSize;
    unsigned char* const tag = body + plaintext.size();

    int length = 0;
    // Cipher and key NULL: keep the key schedule, set a new IV (documented reuse).
    bool ok = EVP_EncryptInit_ex2(ctx, nullptr, nullptr, iv, nullptr) == 1;
    if (ok && !aad.empty()) {
        ok = EVP_EncryptUpdate(ctx, nullptr, &length, bytesOf(aad), static_cast<int>(aad.size())) ==
             1;
    }
    int written = 0;
    if (ok && !plaintext.empty()) {
        ok = EVP_EncryptUpdate(ctx, body, &written, bytesOf(plaintext),
                               static_cast<int>(plaintext.size())) == 1;
    }
    ok = ok && EVP_EncryptFinal_ex(ctx, body + written, &length) == 1 &&
         static_cast<std::size_t>(written) + static_cast<std::size_t>(length) == plaintext.size() &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, static_cast<int>(kSealTagSize), tag) == 1;
    if (!ok) {
        OPENSSL_cleanse(out.data(), out.size());
        throw std::runtime_error("OpenSSL: AES-256-GCM encryption failed");
    }
    return out;
}

std::string sealWithIv(std::string_view key, std::string_view iv, std::string_view plaintext,
                       std::string_view aad) {
    if (key.size() != kKeySize || iv.size() != kSealIvSize) {
        throw std::invalid_argument("sealWithIv: the key must be 32 bytes and the IV 12 bytes");
    }
    const Context ctx = newContext();
    if (EVP_EncryptInit_ex2(ctx.get(), EVP_aes_256_gcm(), bytesOf(key), nullptr, nullptr) != 1) {
        throw std::runtime_error("OpenSSL: cannot set up AES-256-GCM");
    }
    return encryptWith(ctx.get(), bytesOf(iv), plaintext, aad);
}

}  // namespace detail

}  // namespace relais::subjects
