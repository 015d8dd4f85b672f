// SPDX-License-Identifier: AGPL-3.0-or-later
#include "publik_verifier.h"

#include <array>
#include <cstdio>
#include <ctime>
#include <utility>
#include <vector>

#include <Poco/Exception.h>
#include <Poco/URI.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace relais::wcs_mock {
namespace {

// name → decoded values, in order.
std::map<std::string, std::vector<std::string>> parseForm(std::string_view query) {
    std::map<std::string, std::vector<std::string>> form;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (pair.empty()) continue;
        const auto eq = pair.find('=');
        const std::string name = formDecode(pair.substr(0, eq));
        form[name].push_back(eq == std::string_view::npos ? std::string()
                                                          : formDecode(pair.substr(eq + 1)));
    }
    return form;
}

const std::string* single(const std::map<std::string, std::vector<std::string>>& form,
                          const std::string& name) {
    const auto it = form.find(name);
    if (it == form.end() || it->second.size() != 1) return nullptr;
    return &it->second.front();
}

}  // namespace

std::string formDecode(std::string_view text) {
    std::string decoded;
    try {
        Poco::URI::decode(std::string(text), decoded, true);
    } catch (const Poco::SyntaxException&) {
        return std::string(text);  // a malformed escape: as written, and the check fails
    }
    return decoded;
}

std::string hmacBase64(std::string_view algo, std::string_view key, std::string_view data) {
    const EVP_MD* md = algo == "sha1"     ? EVP_sha1()
                       : algo == "sha256" ? EVP_sha256()
                       : algo == "sha512" ? EVP_sha512()
                                          : nullptr;
    if (md == nullptr) return {};
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (HMAC(md, key.data(), static_cast<int>(key.size()),
             reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data(),
             &length) == nullptr) {
        return {};
    }
    std::string encoded(4 * ((length + 2) / 3), '\0');
    const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                        digest.data(), static_cast<int>(length));
    encoded.resize(static_cast<std::size_t>(written));
    return encoded;
}

bool parseUtcTimestamp(std::string_view text, std::int64_t& unix_seconds) {
    if (text.size() != 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' ||
        text[13] != ':' || text[16] != ':' || text[19] != 'Z') {
        return false;
    }
    std::tm tm{};
    const std::string copy(text);
    if (std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                    &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) {
        return false;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    unix_seconds = timegm(&tm);
    return true;
}

PublikVerifier::PublikVerifier(std::map<std::string, std::string> secrets, int window_seconds)
    : secrets_(std::move(secrets)), window_seconds_(window_seconds) {}

bool PublikVerifier::isSigned(std::string_view raw_query) {
    return raw_query.starts_with("signature=") ||
           raw_query.find("&signature=") != std::string_view::npos;
}

SignatureCheck PublikVerifier::check(std::string_view raw_query, std::int64_t now_unix) {
    SignatureCheck result;
    const auto form = parseForm(raw_query);
    // w.c.s.'s order: orig, algo, signature, timestamp, nonce.
    const std::string* orig = single(form, "orig");
    if (orig == nullptr) {
        result.error = "Missing/multiple orig field.";
        return result;
    }
    const auto secret = secrets_.find(*orig);
    if (secret == secrets_.end()) {
        result.error = "Invalid orig.";
        return result;
    }
    const std::string* algo = single(form, "algo");
    if (algo == nullptr) {
        result.error = "Missing/multiple algo field.";
        return result;
    }
    if (*algo != "sha1" && *algo != "sha256" && *algo != "sha512") {
        result.error = "Invalid algo.";
        return result;
    }
    const auto cut = raw_query.find("&signature=");
    const std::string* signature = single(form, "signature");
    // The signature is the last parameter: nothing unsigned may follow it.
    if (cut == std::string_view::npos || signature == nullptr ||
        raw_query.find('&', cut + 1) != std::string_view::npos) {
        result.error = "Invalid signature.";
        return result;
    }
    const std::string expected = hmacBase64(*algo, secret->second, raw_query.substr(0, cut));
    if (expected.size() != signature->size() ||
        CRYPTO_memcmp(expected.data(), signature->data(), expected.size()) != 0) {
        result.error = "Invalid signature.";
        return result;
    }
    const std::string* timestamp = single(form, "timestamp");
    if (timestamp == nullptr) {
        result.error = "Missing/multiple timestamp field.";
        return result;
    }
    std::int64_t when = 0;
    if (!parseUtcTimestamp(*timestamp, when)) {
        result.error = "Invalid timestamp field; " + *timestamp + ".";
        return result;
    }
    const std::int64_t delta = now_unix - when;
    if (delta > window_seconds_ || -delta > window_seconds_) {
        result.error = "timestamp is more than " + std::to_string(window_seconds_) +
                       " seconds in the " + (delta < 0 ? "future" : "past");
        return result;
    }
    if (const std::string* nonce = single(form, "nonce"); nonce != nullptr && !nonce->empty()) {
        std::lock_guard lock(mutex_);
        for (auto it = nonces_.begin(); it != nonces_.end();) {
            it = it->second < now_unix ? nonces_.erase(it) : std::next(it);
        }
        if (!nonces_.emplace(*nonce, now_unix + window_seconds_).second) {
            result.error = "Nonce already used.";
            return result;
        }
    }
    result.ok = true;
    result.orig = *orig;
    return result;
}

}  // namespace relais::wcs_mock
