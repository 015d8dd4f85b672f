// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/http/publik_signature.h"

#include <ctime>
#include <stdexcept>
#include <utility>

#include "relais/common/crypto.h"
#include "relais/sdk/signing.h"

#include "http/url.h"

namespace relais::http::publik {
namespace {

constexpr std::string_view kSignatureParam = "&signature=";

bool isKnownAlgorithm(std::string_view algo) {
    return algo == "sha1" || algo == "sha256" || algo == "sha512";
}

/// `%Y-%m-%dT%H:%M:%SZ` to unix seconds; nothing when malformed.
std::optional<std::int64_t> parseTimestamp(std::string_view text) {
    if (text.size() != 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' ||
        text[13] != ':' || text[16] != ':' || text[19] != 'Z') {
        return std::nullopt;
    }
    const auto number = [&](std::size_t at, std::size_t length) -> int {
        int value = 0;
        for (std::size_t i = at; i < at + length; ++i) {
            if (text[i] < '0' || text[i] > '9') return -1;
            value = value * 10 + (text[i] - '0');
        }
        return value;
    };
    std::tm utc{};
    utc.tm_year = number(0, 4) - 1900;
    utc.tm_mon = number(5, 2) - 1;
    utc.tm_mday = number(8, 2);
    utc.tm_hour = number(11, 2);
    utc.tm_min = number(14, 2);
    utc.tm_sec = number(17, 2);
    if (utc.tm_year < 70 || utc.tm_mon < 0 || utc.tm_mon > 11 || utc.tm_mday < 1 ||
        utc.tm_mday > 31 || utc.tm_hour < 0 || utc.tm_hour > 23 || utc.tm_min < 0 ||
        utc.tm_min > 59 || utc.tm_sec < 0 || utc.tm_sec > 60) {
        return std::nullopt;
    }
    return static_cast<std::int64_t>(timegm(&utc));
}

sdk::Error refused(std::string why) {
    return sdk::Error{sdk::ErrorCode::Unauthorized, "Publik signature refused: " + std::move(why),
                      "signature"};
}

}  // namespace

std::string signQuery(std::string_view query, std::string_view secret, std::string_view algo,
                      std::int64_t unix_seconds, std::string_view nonce) {
    // One implementation for the core and the plugins: the SDK's.
    auto signed_query = sdk::signing::publikSignQuery(query, secret, algo, unix_seconds, nonce);
    if (!signed_query) throw std::invalid_argument(signed_query.error().message);
    return std::move(signed_query).value();
}

std::string newNonce() { return sdk::signing::newNonce(); }

sdk::Result<VerifiedQuery> verifyQuery(
    std::string_view raw_query,
    const std::function<std::optional<std::string>(std::string_view orig)>& secret_for,
    std::int64_t now_seconds, std::int64_t window_seconds) {
    // The signed bytes: everything before the last `&signature=`, which must end the query.
    const std::size_t cut = raw_query.rfind(kSignatureParam);
    if (cut == std::string_view::npos) return refused("no signature parameter");
    const std::string_view unsigned_part = raw_query.substr(0, cut);
    const std::string_view signature_text = raw_query.substr(cut + kSignatureParam.size());
    if (signature_text.find('&') != std::string_view::npos) {
        return refused("signature must be the last parameter");
    }

    auto params = url::parseQuery(unsigned_part);
    if (!params) return refused("malformed query string");
    std::optional<std::string> orig, algo, timestamp, nonce;
    for (const auto& [name, value] : *params) {
        if (name == "signature") return refused("signature given twice");
        std::optional<std::string>* slot = nullptr;
        if (name == "orig") slot = &orig;
        if (name == "algo") slot = &algo;
        if (name == "timestamp") slot = &timestamp;
        if (name == "nonce") slot = &nonce;
        if (slot == nullptr) continue;
        if (slot->has_value()) return refused("'" + name + "' given twice");
        *slot = value;
    }
    if (!orig || orig->empty()) return refused("no orig (the caller's name)");
    if (!algo || !isKnownAlgorithm(*algo)) return refused("algo must be sha1, sha256 or sha512");
    if (!nonce || nonce->empty()) return refused("no nonce");
    if (!timestamp) return refused("no timestamp");
    const auto at = parseTimestamp(*timestamp);
    if (!at) return refused("timestamp is not %Y-%m-%dT%H:%M:%SZ");
    if (*at > now_seconds + window_seconds || *at < now_seconds - window_seconds) {
        return refused("timestamp outside the " + std::to_string(window_seconds) + " s window");
    }
    const std::optional<std::string> secret = secret_for(*orig);
    if (!secret) return refused("unknown orig '" + *orig + "'");

    std::string decoded;
    std::string given;
    if (!url::percentDecode(signature_text, decoded, false) ||
        !common::base64Decode(decoded, given)) {
        return refused("signature is not base64");
    }
    const std::string expected = common::hmac(*algo, *secret, unsigned_part);
    if (expected.empty() || !common::constantTimeEquals(expected, given)) {
        return refused("signature does not match");
    }
    return VerifiedQuery{*orig, *nonce, *at};
}

}  // namespace relais::http::publik
