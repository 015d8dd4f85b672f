// SPDX-License-Identifier: AGPL-3.0-or-later
// Fuzz target: the Publik query signature (relais/http/publik_signature.h). The input is a
// raw query string as received; it goes to verifyQuery with a fixed clock
// (2026-11-25T10:00:00Z, the test vectors' time) and a secret function that knows every
// `orig` but one, so a mutated query gets as far as the HMAC comparison. The corpus holds
// queries signed with that secret, which verify.
//
// The same input is then used as the query a caller signs, to check that what relais
// signs, relais verifies.
//
// Invariants asserted, besides "no crash, no sanitizer report":
//   - verifyQuery refuses with `Unauthorized` (field `signature`) and never quotes the
//     secret in its message; what it accepts has the orig, nonce and timestamp that the
//     query's own parameters give, within the window;
//   - signQuery(q, …) then verifyQuery accepts, with the orig of q and the signer's nonce
//     and time, whenever q is a query it can extend (it parses, has exactly one non-empty
//     `orig`, and none of `algo`, `timestamp`, `nonce`, `signature`);
//   - a signed query with the first character of its signature changed is refused.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "relais/http/publik_signature.h"

#include "fuzz_check.h"
#include "http/url.h"

namespace relais::fuzz {
namespace {

namespace publik = http::publik;

constexpr std::int64_t kNow = 1795600800;  // 2026-11-25T10:00:00Z
constexpr std::int64_t kWindow = 30;
const std::string kVectorSecret = "s3cr3t-partag3";  // tests/core/http/publik_signature_test

std::optional<std::string> secretFor(std::string_view orig) {
    if (orig == "unknown.example.org") return std::nullopt;
    if (orig == "wcs.example.org") return kVectorSecret;
    return "secret-of-" + std::string(orig);
}

// The single value of parameter `name`, or nothing when absent or repeated.
std::optional<std::string> single(const http::Params& params, std::string_view name, int& count) {
    std::optional<std::string> value;
    count = 0;
    for (const auto& [key, item] : params) {
        if (key != name) continue;
        ++count;
        value = item;
    }
    if (count != 1) return std::nullopt;
    return value;
}

void checkVerify(std::string_view query) {
    auto verified = publik::verifyQuery(query, secretFor, kNow, kWindow);
    if (!verified) {
        const sdk::Error& error = verified.error();
        if (verbose()) note(error.message);
        RELAIS_FUZZ_CHECK(error.code == sdk::ErrorCode::Unauthorized, error.message);
        RELAIS_FUZZ_CHECK(error.field == "signature", error.field);
        RELAIS_FUZZ_CHECK(error.message.find(kVectorSecret) == std::string::npos,
                          "a refusal quotes the secret");
        return;
    }
    if (verbose()) note("verified: orig " + verified->orig + ", nonce " + verified->nonce);
    // Accepted: the parameters before `&signature=` say what was verified.
    const auto cut = query.rfind("&signature=");
    RELAIS_FUZZ_CHECK(cut != std::string_view::npos, "accepted without a signature");
    auto params = http::url::parseQuery(query.substr(0, cut));
    RELAIS_FUZZ_CHECK(params.ok(), "accepted a query that does not parse");
    int count = 0;
    RELAIS_FUZZ_CHECK(single(*params, "orig", count) == verified->orig, "orig differs");
    RELAIS_FUZZ_CHECK(single(*params, "nonce", count) == verified->nonce, "nonce differs");
    RELAIS_FUZZ_CHECK(!verified->orig.empty() && !verified->nonce.empty(), "empty orig/nonce");
    RELAIS_FUZZ_CHECK(
        verified->timestamp >= kNow - kWindow && verified->timestamp <= kNow + kWindow,
        "accepted a timestamp outside the window");
}

// Whether signQuery(query) must verify: see the file comment.
std::optional<std::string> signableOrig(std::string_view query) {
    auto params = http::url::parseQuery(query);
    if (!params) return std::nullopt;
    int count = 0;
    for (const char* reserved : {"algo", "timestamp", "nonce", "signature"}) {
        (void)single(*params, reserved, count);
        if (count != 0) return std::nullopt;
    }
    auto orig = single(*params, "orig", count);
    if (!orig || orig->empty() || !secretFor(*orig)) return std::nullopt;
    return orig;
}

void checkSignThenVerify(std::string_view query, std::uint8_t selector) {
    const auto orig = signableOrig(query);
    if (!orig) return;
    static constexpr const char* kAlgorithms[] = {"sha1", "sha256", "sha512"};
    const char* algo = kAlgorithms[selector % 3];
    const std::string nonce = "fuzz-nonce-" + std::to_string(selector);
    const std::int64_t signed_at = kNow - kWindow + selector % (2 * kWindow + 1);
    const std::string secret = *secretFor(*orig);
    const std::string signed_query = publik::signQuery(query, secret, algo, signed_at, nonce);

    auto verified = publik::verifyQuery(signed_query, secretFor, kNow, kWindow);
    RELAIS_FUZZ_CHECK(verified.ok(), "a query relais signed does not verify: " +
                                         verified.error().message + "\n  " + signed_query);
    RELAIS_FUZZ_CHECK(verified->orig == *orig, "orig changed: " + verified->orig);
    RELAIS_FUZZ_CHECK(verified->nonce == nonce, "nonce changed: " + verified->nonce);
    RELAIS_FUZZ_CHECK(verified->timestamp == signed_at, "timestamp changed");

    // Tamper with the signature's first character: another base64 digit, other HMAC bytes.
    std::string tampered = signed_query;
    char& first = tampered[tampered.rfind("&signature=") + std::string_view("&signature=").size()];
    first = first == 'A' ? 'B' : 'A';
    RELAIS_FUZZ_CHECK(!publik::verifyQuery(tampered, secretFor, kNow, kWindow).ok(),
                      "a tampered signature verified: " + tampered);
}

}  // namespace
}  // namespace relais::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace relais::fuzz;
    const std::string_view query = asText(data, size);
    checkVerify(query);
    checkSignThenVerify(query, size == 0 ? 0 : data[size - 1]);
    return 0;
}
