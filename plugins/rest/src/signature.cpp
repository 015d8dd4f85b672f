// SPDX-License-Identifier: AGPL-3.0-or-later
#include "signature.h"

#include <algorithm>

#include "relais/sdk/signing.h"

#include "url_template.h"

namespace relais::plugins::rest {
namespace {

int hexValue(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Form decoding of a parameter name, lenient: a malformed escape stays as written.
std::string formDecode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '+') {
            out.push_back(' ');
        } else if (c == '%' && i + 2 < text.size() && hexValue(text[i + 1]) >= 0 &&
                   hexValue(text[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hexValue(text[i + 1]) * 16 + hexValue(text[i + 2])));
            i += 2;
        } else {
            out.push_back(c);
        }
    }
    return out;
}

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
        const std::string name = formDecode(item.substr(0, item.find('=')));
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
    constexpr std::string_view kUpperHex = "0123456789ABCDEF";
    std::string unsigned_query;
    unsigned_query.reserve(query.size() + 6 + orig.size());
    for (const char c : query) {
        const auto u = static_cast<unsigned char>(c);
        if (u > 0x7F) {
            unsigned_query.push_back('%');
            unsigned_query.push_back(kUpperHex[u >> 4U]);
            unsigned_query.push_back(kUpperHex[u & 0x0FU]);
        } else {
            unsigned_query.push_back(c);
        }
    }
    if (!unsigned_query.empty()) unsigned_query.push_back('&');
    unsigned_query += "orig=" + percentEncode(orig);

    auto signed_query =
        sdk::signing::publikSignQuery(unsigned_query, secret, algo, unix_seconds, nonce);
    if (!signed_query) return std::move(signed_query).error();
    std::string out(base);
    out.push_back('?');
    out += *signed_query;
    return out;
}

}  // namespace relais::plugins::rest
