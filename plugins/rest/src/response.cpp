// SPDX-License-Identifier: AGPL-3.0-or-later
#include "response.h"

#include "relais/sdk/http_helpers.h"
#include "relais/sdk/text.h"
#include "relais/sdk/url_encoding.h"

namespace relais::plugins::rest {
namespace {

// Longest identifier kept: ids become links, URL segments and log fields.
constexpr std::size_t kMaxIdBytes = 255;

// The last non-empty path segment of a URI reference (query and fragment ignored).
std::string lastPathSegment(std::string_view uri) {
    uri = uri.substr(0, uri.find_first_of("?#"));
    if (const auto scheme = uri.find("://"); scheme != std::string_view::npos) {
        const auto path = uri.find('/', scheme + 3);
        uri = path == std::string_view::npos ? std::string_view() : uri.substr(path);
    }
    while (!uri.empty() && uri.back() == '/') uri.remove_suffix(1);
    const auto slash = uri.rfind('/');
    // Lenient: an id is read from what the server wrote; a stray `%` stays as written.
    return sdk::url::percentDecodeLenient(slash == std::string_view::npos ? uri
                                                                          : uri.substr(slash + 1));
}

bool usableId(const std::string& id, std::string& problem) {
    if (id.empty()) {
        problem = "it is empty";
        return false;
    }
    if (id.size() > kMaxIdBytes) {
        problem = "it is longer than " + std::to_string(kMaxIdBytes) + " bytes";
        return false;
    }
    for (std::size_t i = 0; i < id.size();) {
        char32_t c = 0;
        const std::size_t length = sdk::text::decodeUtf8(id, i, c);
        if (length == 0) {
            problem = "it is not valid UTF-8";
            return false;
        }
        if (c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F)) {
            problem = "it contains control characters";
            return false;
        }
        i += length;
    }
    return true;
}

}  // namespace

int retryAfterSeconds(std::string_view value, sdk::Timestamp now) {
    return sdk::http::retryAfterSeconds(value, now, kMaxRetryAfterSeconds);
}

std::string bodyExcerpt(std::string_view body, const std::vector<std::string>& masked,
                        std::size_t max_bytes) {
    return sdk::http::safeExcerpt(body, masked, max_bytes);
}

std::optional<std::string> findId(const IdLocator& locator, const sdk::HttpResponse& response,
                                  const sdk::Json* json, std::string& problem) {
    std::string id;
    switch (locator.source) {
        case IdLocator::Source::None:
            problem = "no location configured";
            return std::nullopt;
        case IdLocator::Source::Json: {
            if (json == nullptr) {
                problem = "the response body is not JSON";
                return std::nullopt;
            }
            const sdk::Json* value = json->path(locator.where);
            if (value == nullptr || value->isNull()) {
                problem = "the response has no " + locator.where;
                return std::nullopt;
            }
            if (value->isString()) {
                id = value->asString();
            } else if (value->isInt()) {
                id = std::to_string(value->asInt());
            } else {
                problem = locator.where + " is neither a string nor an integer";
                return std::nullopt;
            }
            break;
        }
        case IdLocator::Source::Header: {
            bool present = false;
            for (const auto& [name, value] : response.headers) {
                if (sdk::text::equalsIgnoreCase(name, locator.where)) {
                    present = true;
                    id = std::string(sdk::text::trimSpacesAndTabs(value));
                }
            }
            if (!present) {
                problem = "the response has no " + locator.where + " header";
                return std::nullopt;
            }
            if (sdk::text::equalsIgnoreCase(locator.where, "Location") ||
                sdk::text::equalsIgnoreCase(locator.where, "Content-Location")) {
                id = lastPathSegment(id);
            }
            break;
        }
    }
    std::string why;
    if (!usableId(id, why)) {
        problem = "the value at " + locator.text + " is not usable: " + why;
        return std::nullopt;
    }
    return id;
}

}  // namespace relais::plugins::rest
