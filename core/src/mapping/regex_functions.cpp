// SPDX-License-Identifier: AGPL-3.0-or-later
// Regular-expression replacement and search (see value_functions.h).
#include <Poco/Exception.h>

#include "mapping/value_functions.h"

namespace relais::mapping::detail {

RegexReplace::RegexReplace(std::string pattern, int options) : regex_(pattern, options) {}

sdk::Result<std::shared_ptr<const RegexReplace>> RegexReplace::compile(
    const std::string& pattern, std::string_view replacement) {
    std::shared_ptr<RegexReplace> compiled;
    try {
        compiled.reset(new RegexReplace(pattern, Poco::RegularExpression::RE_UTF8));
    } catch (const Poco::Exception& e) {
        return sdk::fail(sdk::ErrorCode::InvalidArgument,
                         "bad regular expression '" + pattern + "': " + e.message());
    }
    Piece current;
    for (std::size_t i = 0; i < replacement.size(); ++i) {
        const char c = replacement[i];
        if (c == '$' && i + 1 < replacement.size()) {
            const char next = replacement[i + 1];
            if (next == '$') {
                current.literal += '$';
                ++i;
                continue;
            }
            if (isDigit(next)) {
                if (!current.literal.empty()) compiled->pieces_.push_back(std::move(current));
                current = Piece{};
                compiled->pieces_.push_back(Piece{{}, next - '0'});
                ++i;
                continue;
            }
        }
        current.literal += c;
    }
    if (!current.literal.empty()) compiled->pieces_.push_back(std::move(current));
    return std::shared_ptr<const RegexReplace>(std::move(compiled));
}

bool RegexReplace::apply(const std::string& text, std::string& out) const {
    out.clear();
    Poco::RegularExpression::MatchVec groups;
    std::size_t pos = 0;
    try {
        while (pos <= text.size()) {
            if (regex_.match(text, pos, groups, 0) <= 0 || groups.empty()) break;
            const auto& whole = groups[0];
            if (whole.offset == std::string::npos || whole.offset < pos) break;
            out.append(text, pos, whole.offset - pos);
            for (const Piece& piece : pieces_) {
                if (piece.group < 0) {
                    out += piece.literal;
                } else if (static_cast<std::size_t>(piece.group) < groups.size() &&
                           groups[static_cast<std::size_t>(piece.group)].offset !=
                               std::string::npos) {
                    const auto& g = groups[static_cast<std::size_t>(piece.group)];
                    out.append(text, g.offset, g.length);
                }
            }
            pos = whole.offset + whole.length;
            if (whole.length == 0) {
                // An empty match: copy one character and move on, or stop at the end.
                if (pos >= text.size()) {
                    pos = text.size() + 1;
                    break;
                }
                const std::size_t step = utf8Length(static_cast<unsigned char>(text[pos]));
                out.append(text, pos, step);
                pos += step;
            }
        }
    } catch (const Poco::Exception&) {
        return false;
    }
    if (pos < text.size()) out.append(text, pos, std::string::npos);
    return true;
}

sdk::Result<std::shared_ptr<const Poco::RegularExpression>> compileRegex(
    const std::string& pattern) {
    try {
        return std::shared_ptr<const Poco::RegularExpression>(
            std::make_shared<Poco::RegularExpression>(pattern, Poco::RegularExpression::RE_UTF8));
    } catch (const Poco::Exception& e) {
        return sdk::fail(sdk::ErrorCode::InvalidArgument,
                         "bad regular expression '" + pattern + "': " + e.message());
    }
}

bool regexSearch(const Poco::RegularExpression& regex, const std::string& text) noexcept {
    try {
        Poco::RegularExpression::Match match;
        return regex.match(text, 0, match, 0) > 0;
    } catch (...) {
        return false;
    }
}

}  // namespace relais::mapping::detail
