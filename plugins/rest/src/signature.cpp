// SPDX-License-Identifier: AGPL-3.0-or-later
#include "signature.h"

#include <algorithm>

#include "relais/sdk/signing.h"
#include "relais/sdk/url_encoding.h"

#include "url_template.h"

namespace relais::plugins::rest {
namespace {

// Parameter names are form-encoded: `+` is a space.
constexpr bool kPlusAsSpace = true;

// The query of `url`: after the first `?`, before any `#`.
std::string_view queryOf(std::string_view url) noexcept {
    url = url.substr(0, url.find('#'));
    const auto question = url.find('?');
    return question == std::string_view::npos ? std::string_view{} : url.substr(question + 1);
}

}  // namespace

std::string publikParameterIn(std::string_view url) {
    std::string_view query = queryOf(url);
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view item = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        // Lenient: a malformed escape in a name stays as written.
        const std::string name =
            sdk::url::percentDecodeLenient(item.substr(0, item.find('=')), kPlusAsSpace);
        if (std::find(std::begin(kPublikParameters), std::end(kPublikParameters), name) !=
            std::end(kPublikParameters)) {
            return name;
        }
    }
    return {};
}

sdk::Result<std::string> publikSignUrl(std::string_view url, std::string_view orig,
                                       std::string_view secret, std::string_view algo,
                                       std::int64_t unix_seconds, std::string_view nonce) {
    if (const std::string name = publikParameterIn(url); !name.empty()) {
        return sdk::fail(
            sdk::ErrorCode::InvalidArgument,
            "url: the query already has a '" + name + "' parameter, which auth=publik sets itself",
            "url");
    }
    url = url.substr(0, url.find('#'));
    const auto question = url.find('?');
    const std::string_view base = url.substr(0, question);
    const std::string_view query =
        question == std::string_view::npos ? std::string_view{} : url.substr(question + 1);

    // The HTTP client percent-encodes bytes above 0x7F on the wire: do it first, so that
    // what is signed is what is sent.
    std::string unsigned_query = sdk::url::percentEncodeNonAscii(query);
    if (!unsigned_query.empty()) unsigned_query.push_back('&');
    unsigned_query += "orig=" + sdk::url::percentEncode(orig);

    auto signed_query =
        sdk::signing::publikSignQuery(unsigned_query, secret, algo, unix_seconds, nonce);
    if (!signed_query) return std::move(signed_query).error();
    std::string out(base);
    out.push_back('?');
    out += *signed_query;
    return out;
}

}  // namespace relais::plugins::rest
