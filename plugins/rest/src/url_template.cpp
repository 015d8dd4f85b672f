// SPDX-License-Identifier: AGPL-3.0-or-later
#include "url_template.h"

#include <utility>

#include "relais/sdk/url_encoding.h"

namespace relais::plugins::rest {
namespace {

using sdk::ErrorCode;

// Where the path starts: after `scheme://authority`. The whole text when there is no `://`
// (the host checked the URL already; a template without one is refused by parse).
std::size_t pathStart(std::string_view text) noexcept {
    const auto scheme_end = text.find("://");
    if (scheme_end == std::string_view::npos) return std::string_view::npos;
    const auto authority_end = text.find_first_of("/?#", scheme_end + 3);
    return authority_end == std::string_view::npos ? text.size() : authority_end;
}

}  // namespace

sdk::Result<UrlTemplate> UrlTemplate::parse(std::string_view text, const std::string& field) {
    UrlTemplate parsed;
    parsed.text_ = std::string(text);
    const std::size_t path_start = pathStart(text);
    if (path_start == std::string_view::npos) {
        return sdk::fail(ErrorCode::InvalidArgument,
                         field + ": not an absolute URL (scheme://host/path)", field);
    }
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto open = text.find_first_of("{}", pos);
        const std::string_view literal =
            text.substr(pos, open == std::string_view::npos ? std::string_view::npos : open - pos);
        if (!literal.empty()) parsed.parts_.push_back({Kind::Literal, std::string(literal)});
        if (open == std::string_view::npos) break;
        if (text[open] == '}') {
            return sdk::fail(
                ErrorCode::InvalidArgument,
                field + ": '}' at offset " + std::to_string(open) + " closes no placeholder",
                field);
        }
        const auto close = text.find('}', open);
        if (close == std::string_view::npos) {
            return sdk::fail(ErrorCode::InvalidArgument,
                             field + ": the placeholder at offset " + std::to_string(open) +
                                 " has no closing '}'",
                             field);
        }
        const std::string name(text.substr(open + 1, close - open - 1));
        Kind kind = Kind::Literal;
        if (name == "dossier_id") {
            kind = Kind::DossierId;
        } else if (name == "source_key") {
            kind = Kind::SourceKey;
        } else if (name == "procedure") {
            kind = Kind::Procedure;
        } else if (name == "route") {
            kind = Kind::Route;
        } else if (name == "business_id") {
            kind = Kind::BusinessId;
        } else {
            std::string message = field;
            message += ": unknown placeholder {" + name;
            message += "} (known: {dossier_id}, {source_key}, {procedure}, {route}, {business_id})";
            return sdk::fail(ErrorCode::InvalidArgument, std::move(message), field);
        }
        if (open < path_start) {
            std::string message = field;
            message += ": placeholder {" + name;
            message += "} is before the path; only the path and the query may vary";
            return sdk::fail(ErrorCode::InvalidArgument, std::move(message), field);
        }
        parsed.parts_.push_back({kind, name});
        pos = close + 1;
    }
    return parsed;
}

sdk::Result<std::string> UrlTemplate::expand(const UrlValues& values) const {
    std::string out;
    out.reserve(text_.size() + 64);
    for (const Part& part : parts_) {
        const std::string* value = nullptr;
        switch (part.kind) {
            case Kind::Literal:
                out += part.text;
                continue;
            case Kind::DossierId:
                value = &values.dossier_id;
                break;
            case Kind::SourceKey:
                value = &values.source_key;
                break;
            case Kind::Procedure:
                value = &values.procedure;
                break;
            case Kind::Route:
                value = &values.route;
                break;
            case Kind::BusinessId:
                value = &values.business_id;
                break;
        }
        if (value == nullptr || value->empty()) {
            return sdk::fail(ErrorCode::InvalidArgument,
                             "the url needs {" + part.text + "} but it is empty for this delivery" +
                                 (part.kind == Kind::BusinessId
                                      ? " (the application has not given this dossier an id "
                                        "through this connector yet)"
                                      : ""),
                             "url");
        }
        out += sdk::url::percentEncode(*value);
    }
    return out;
}

bool UrlTemplate::uses(std::string_view name) const noexcept {
    for (const Part& part : parts_) {
        if (part.kind != Kind::Literal && part.text == name) return true;
    }
    return false;
}

std::string urlForMessages(std::string_view url) {
    return std::string(url.substr(0, url.find_first_of("?#")));
}

}  // namespace relais::plugins::rest
