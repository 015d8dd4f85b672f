// SPDX-License-Identifier: AGPL-3.0-or-later
#include "mapping/value_functions.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <utility>

#include <Poco/Exception.h>
#include <Poco/UTF8String.h>

#include "relais/sdk/time.h"

namespace relais::mapping::detail {
namespace {

constexpr int kMaxYear = 9999;

bool isDigit(char c) noexcept { return c >= '0' && c <= '9'; }

std::int64_t floorDiv(std::int64_t a, std::int64_t b) noexcept {
    std::int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
    return q;
}

void appendPadded(std::string& out, int value, int width) {
    char buffer[16];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    const auto length = static_cast<int>(end - buffer);
    for (int i = length; i < width; ++i) out += '0';
    out.append(buffer, static_cast<std::size_t>(length));
}

int tokenWidth(DatePattern::Kind kind) noexcept { return kind == DatePattern::Kind::Year ? 4 : 2; }

std::string describeDate(const DatePattern& pattern) {
    return pattern.rfc3339 ? "an RFC 3339 date-time (such as 2026-11-14T09:42:17+01:00)"
                           : "a date in the form " + pattern.text;
}

// Length of the UTF-8 sequence starting with `lead` (1 for stray continuation bytes, so
// that walking never stalls on invalid input).
std::size_t utf8Length(unsigned char lead) noexcept {
    if (lead < 0x80) return 1;
    if ((lead & 0xE0) == 0xC0) return 2;
    if ((lead & 0xF0) == 0xE0) return 3;
    if ((lead & 0xF8) == 0xF0) return 4;
    return 1;
}

// Byte offset of code point `index` in `text` (clamped to the end).
std::size_t byteOffset(std::string_view text, std::size_t index) noexcept {
    std::size_t pos = 0;
    for (std::size_t i = 0; i < index && pos < text.size(); ++i) {
        pos += utf8Length(static_cast<unsigned char>(text[pos]));
    }
    return pos < text.size() ? pos : text.size();
}

std::string formatNumber(const sdk::Json& number, const std::optional<int>& decimals,
                         char separator) {
    std::string out;
    char buffer[400];
    if (number.isInt() && !decimals) {
        const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, number.asInt());
        out.assign(buffer, end);
        return out;
    }
    const double d = number.asDouble();
    if (!std::isfinite(d)) return "";
    std::to_chars_result result{};
    if (decimals) {
        result =
            std::to_chars(buffer, buffer + sizeof buffer, d, std::chars_format::fixed, *decimals);
    } else {
        result = std::to_chars(buffer, buffer + sizeof buffer, d);
    }
    if (result.ec != std::errc{}) return "";
    out.assign(buffer, result.ptr);
    if (separator != '.') {
        for (char& c : out) {
            if (c == '.') c = separator;
        }
    }
    return out;
}

sdk::Json roundNumber(const sdk::Json& number, int decimals) {
    if (number.isInt()) return number;
    const double d = number.asDouble();
    if (!std::isfinite(d)) return number;
    char buffer[400];
    const auto result =
        std::to_chars(buffer, buffer + sizeof buffer, d, std::chars_format::fixed, decimals);
    if (result.ec != std::errc{}) return number;
    if (decimals == 0) {
        std::int64_t integer = 0;
        const auto [end, ec] = std::from_chars(buffer, result.ptr, integer);
        if (ec == std::errc{} && end == result.ptr) return sdk::Json(integer);
    }
    double rounded = 0;
    std::from_chars(buffer, result.ptr, rounded);
    return sdk::Json(rounded);
}

bool equalsIgnoreAsciiCase(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i];
        char y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

std::optional<bool> parseBoolean(std::string_view text) noexcept {
    text = trimText(text);
    for (const char* yes : {"true", "1", "oui", "yes", "on", "o", "y"}) {
        if (equalsIgnoreAsciiCase(text, yes)) return true;
    }
    for (const char* no : {"false", "0", "non", "no", "off", "n"}) {
        if (equalsIgnoreAsciiCase(text, no)) return false;
    }
    return std::nullopt;
}

const char* typeName(const sdk::Json& value) noexcept {
    switch (value.type()) {
        case sdk::Json::Type::Null:
            return "null";
        case sdk::Json::Type::Bool:
            return "a boolean";
        case sdk::Json::Type::Int:
        case sdk::Json::Type::Double:
            return "a number";
        case sdk::Json::Type::String:
            return "a string";
        case sdk::Json::Type::Array:
            return "an array";
        case sdk::Json::Type::Object:
            return "an object";
    }
    return "a value";
}

// Runs a string function on a string. Other scalars are converted to their text first when
// `convert` is set (substring of a number), left alone otherwise (nothing to trim in a
// number); arrays and objects are refused.
template <typename F>
std::optional<std::string> onText(sdk::Json& value, const char* function, bool convert, F&& f) {
    if (value.isString()) {
        std::string out = f(value.asString());
        value = sdk::Json(std::move(out));
        return std::nullopt;
    }
    if (!convert && (value.isNumber() || value.isBool())) return std::nullopt;
    auto text = scalarText(value);
    if (!text) {
        return std::string("expected a text value for ") + function + ", got " + typeName(value);
    }
    value = sdk::Json(f(*text));
    return std::nullopt;
}

}  // namespace

// ------------------------------------------------------------------------------- dates

sdk::Result<DatePattern> DatePattern::parse(std::string_view text, bool for_input) {
    DatePattern pattern;
    pattern.text = std::string(text);
    const auto error = [&](const std::string& what) {
        return sdk::fail(sdk::ErrorCode::InvalidArgument,
                         "bad date pattern '" + std::string(text) + "': " + what);
    };
    if (text == "RFC3339") {
        pattern.rfc3339 = true;
        return pattern;
    }
    if (text.empty()) return error("empty pattern");
    const auto add_literal = [&](std::string_view literal) {
        if (!pattern.tokens.empty() && pattern.tokens.back().kind == Kind::Literal) {
            pattern.tokens.back().literal += literal;
        } else {
            pattern.tokens.push_back(Token{Kind::Literal, std::string(literal)});
        }
    };
    int seen[7] = {};
    std::size_t pos = 0;
    while (pos < text.size()) {
        const char c = text[pos];
        if (c == '\'') {
            const auto close = text.find('\'', pos + 1);
            if (close == std::string_view::npos) return error("unterminated quote");
            add_literal(text.substr(pos + 1, close - pos - 1));
            pos = close + 1;
            continue;
        }
        const bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
        if (!letter) {
            add_literal(text.substr(pos, 1));
            ++pos;
            continue;
        }
        std::size_t run = pos;
        while (run < text.size() && text[run] == c) ++run;
        const std::string_view token = text.substr(pos, run - pos);
        Kind kind = Kind::Literal;
        if (token == "YYYY") {
            kind = Kind::Year;
        } else if (token == "MM") {
            kind = Kind::Month;
        } else if (token == "DD") {
            kind = Kind::Day;
        } else if (token == "HH") {
            kind = Kind::Hour;
        } else if (token == "mm") {
            kind = Kind::Minute;
        } else if (token == "ss") {
            kind = Kind::Second;
        } else if (token == "T" || token == "Z") {
            add_literal(token);
            pos = run;
            continue;
        } else {
            return error("unknown token '" + std::string(token) +
                         "' (known: YYYY, MM, DD, HH, mm, ss; quote literal letters, as in "
                         "'h')");
        }
        if (for_input && seen[static_cast<int>(kind)]++ > 0) {
            return error("'" + std::string(token) + "' appears twice");
        }
        pattern.tokens.push_back(Token{kind, {}});
        pos = run;
    }
    if (for_input &&
        (seen[static_cast<int>(Kind::Year)] == 0 || seen[static_cast<int>(Kind::Month)] == 0 ||
         seen[static_cast<int>(Kind::Day)] == 0)) {
        return error("an input pattern needs YYYY, MM and DD");
    }
    return pattern;
}

std::optional<CivilTime> parseDate(const DatePattern& pattern, std::string_view text) {
    CivilTime time;
    if (pattern.rfc3339) {
        auto timestamp = sdk::Timestamp::parse(text);
        if (!timestamp) return std::nullopt;
        time.has_timestamp = true;
        time.micros = timestamp->micros;
        time.offset_minutes = timestamp->offset_minutes;
        // The broken-down time is the local time of the offset the source wrote, so that
        // 2026-11-14T00:30:00+01:00 stays on the 14th.
        const std::int64_t local_seconds =
            floorDiv(timestamp->micros, 1000000) + std::int64_t{timestamp->offset_minutes} * 60;
        const std::int64_t days = floorDiv(local_seconds, 86400);
        const std::int64_t seconds_of_day = local_seconds - days * 86400;
        const sdk::CivilDate date = sdk::civilFromDays(days);
        if (date.year < 1 || date.year > kMaxYear) return std::nullopt;
        time.year = static_cast<int>(date.year);
        time.month = static_cast<int>(date.month);
        time.day = static_cast<int>(date.day);
        time.hour = static_cast<int>(seconds_of_day / 3600);
        time.minute = static_cast<int>(seconds_of_day / 60 % 60);
        time.second = static_cast<int>(seconds_of_day % 60);
        return time;
    }
    std::size_t pos = 0;
    for (const auto& token : pattern.tokens) {
        if (token.kind == DatePattern::Kind::Literal) {
            if (text.substr(pos, token.literal.size()) != token.literal) return std::nullopt;
            pos += token.literal.size();
            continue;
        }
        const int width = tokenWidth(token.kind);
        int value = 0;
        for (int i = 0; i < width; ++i, ++pos) {
            if (pos >= text.size() || !isDigit(text[pos])) return std::nullopt;
            value = value * 10 + (text[pos] - '0');
        }
        switch (token.kind) {
            case DatePattern::Kind::Year:
                time.year = value;
                break;
            case DatePattern::Kind::Month:
                time.month = value;
                break;
            case DatePattern::Kind::Day:
                time.day = value;
                break;
            case DatePattern::Kind::Hour:
                time.hour = value;
                break;
            case DatePattern::Kind::Minute:
                time.minute = value;
                break;
            case DatePattern::Kind::Second:
                time.second = value;
                break;
            case DatePattern::Kind::Literal:
                break;
        }
    }
    if (pos != text.size()) return std::nullopt;
    if (time.year < 1 || time.month < 1 || time.month > 12 || time.day < 1 ||
        !sdk::isValidDate(time.year, static_cast<unsigned>(time.month),
                          static_cast<unsigned>(time.day)) ||
        time.hour > 23 || time.minute > 59 || time.second > 59) {
        return std::nullopt;
    }
    return time;
}

std::string formatDate(const DatePattern& pattern, const CivilTime& time) {
    std::string out;
    if (pattern.rfc3339) {
        if (time.has_timestamp) return sdk::Timestamp{time.micros, time.offset_minutes}.toString();
        appendPadded(out, time.year, 4);
        out += '-';
        appendPadded(out, time.month, 2);
        out += '-';
        appendPadded(out, time.day, 2);
        out += 'T';
        appendPadded(out, time.hour, 2);
        out += ':';
        appendPadded(out, time.minute, 2);
        out += ':';
        appendPadded(out, time.second, 2);
        out += 'Z';
        return out;
    }
    out.reserve(pattern.text.size());
    for (const auto& token : pattern.tokens) {
        switch (token.kind) {
            case DatePattern::Kind::Literal:
                out += token.literal;
                break;
            case DatePattern::Kind::Year:
                appendPadded(out, time.year, 4);
                break;
            case DatePattern::Kind::Month:
                appendPadded(out, time.month, 2);
                break;
            case DatePattern::Kind::Day:
                appendPadded(out, time.day, 2);
                break;
            case DatePattern::Kind::Hour:
                appendPadded(out, time.hour, 2);
                break;
            case DatePattern::Kind::Minute:
                appendPadded(out, time.minute, 2);
                break;
            case DatePattern::Kind::Second:
                appendPadded(out, time.second, 2);
                break;
        }
    }
    return out;
}

// ------------------------------------------------------------------------------ regexes

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

// -------------------------------------------------------------------------------- steps

std::optional<std::string> runStep(const Step& step, sdk::Json& value) {
    if (value.isNull()) return std::nullopt;
    if (value.isString() && value.asString().empty()) return std::nullopt;
    switch (step.kind) {
        case StepKind::Trim:
            return onText(value, "trim", false,
                          [](const std::string& text) { return std::string(trimText(text)); });
        case StepKind::Upper:
            return onText(value, "upper", false,
                          [](const std::string& text) { return Poco::UTF8::toUpper(text); });
        case StepKind::Lower:
            return onText(value, "lower", false,
                          [](const std::string& text) { return Poco::UTF8::toLower(text); });
        case StepKind::Substring:
            return onText(value, "substring", true, [&](const std::string& text) {
                const std::size_t begin = byteOffset(text, step.start);
                if (!step.length) return text.substr(begin);
                const std::size_t end =
                    begin + byteOffset(std::string_view(text).substr(begin), *step.length);
                return text.substr(begin, end - begin);
            });
        case StepKind::Replace: {
            auto text = scalarText(value);
            if (!text)
                return std::string("expected a text value for replace, got ") + typeName(value);
            std::string out;
            if (!step.replace->apply(*text, out)) {
                return std::string(
                    "the regular expression of replace failed to run "
                    "(too complex for this value)");
            }
            value = sdk::Json(std::move(out));
            return std::nullopt;
        }
        case StepKind::Date: {
            const std::string* text = value.stringIf();
            if (text == nullptr) {
                return "expected " + describeDate(step.date_from) + ", got " + typeName(value);
            }
            auto time = parseDate(step.date_from, *text);
            if (!time) return "expected " + describeDate(step.date_from);
            value = sdk::Json(formatDate(step.date_to, *time));
            return std::nullopt;
        }
        case StepKind::Lookup: {
            auto code = scalarText(value);
            if (!code) {
                return "expected a code of table '" + step.table->name + "', got " +
                       typeName(value);
            }
            const std::string* target = step.table->find(*code);
            if (target == nullptr) {
                std::string shown = code->size() > 40 ? code->substr(0, 40) + "…" : *code;
                return "unknown code '" + shown + "' in table '" + step.table->name +
                       "' (the table has no default)";
            }
            value = sdk::Json(*target);
            return std::nullopt;
        }
        case StepKind::Number: {
            if (value.isString()) {
                auto number = parseNumber(value.asString(), step.decimal_separator);
                if (!number) {
                    return std::string("expected a number (digits, optionally a sign and '") +
                           step.decimal_separator + "' before decimals)";
                }
                value = std::move(*number);
            } else if (!value.isNumber()) {
                return std::string("expected a number, got ") + typeName(value);
            }
            if (step.decimals) value = roundNumber(value, *step.decimals);
            return std::nullopt;
        }
        case StepKind::Text: {
            if (value.isNumber()) {
                std::string text = formatNumber(value, step.decimals, step.decimal_separator);
                if (text.empty()) return std::string("expected a finite number");
                value = sdk::Json(std::move(text));
                return std::nullopt;
            }
            if (value.isString()) return std::nullopt;
            auto text = scalarText(value);
            if (!text) return std::string("expected a scalar value, got ") + typeName(value);
            value = sdk::Json(std::move(*text));
            return std::nullopt;
        }
        case StepKind::Boolean: {
            if (value.isBool()) return std::nullopt;
            if (value.isNumber()) {
                const double d = value.asDouble();
                if (d == 0.0 || d == 1.0) {
                    value = sdk::Json(d == 1.0);
                    return std::nullopt;
                }
            } else if (value.isString()) {
                if (auto b = parseBoolean(value.asString())) {
                    value = sdk::Json(*b);
                    return std::nullopt;
                }
            }
            return std::string("expected a boolean (true/false, 1/0, oui/non, yes/no)");
        }
    }
    return std::nullopt;
}

// ------------------------------------------------------------------------------ helpers

std::optional<std::string> scalarText(const sdk::Json& value) {
    switch (value.type()) {
        case sdk::Json::Type::String:
            return value.asString();
        case sdk::Json::Type::Int:
        case sdk::Json::Type::Double: {
            std::string text = formatNumber(value, std::nullopt, '.');
            if (text.empty()) return std::nullopt;
            return text;
        }
        case sdk::Json::Type::Bool:
            return std::string(value.asBool() ? "true" : "false");
        default:
            return std::nullopt;
    }
}

std::optional<sdk::Json> parseNumber(std::string_view text, char separator) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    std::size_t pos = 0;
    std::string normal;
    normal.reserve(text.size());
    if (pos < text.size() && (text[pos] == '-' || text[pos] == '+')) {
        if (text[pos] == '-') normal += '-';
        ++pos;
    }
    const std::size_t integer_start = pos;
    while (pos < text.size() && isDigit(text[pos])) normal += text[pos++];
    if (pos == integer_start) return std::nullopt;
    bool fraction = false;
    if (pos < text.size() && text[pos] == separator) {
        ++pos;
        const std::size_t fraction_start = pos;
        normal += '.';
        while (pos < text.size() && isDigit(text[pos])) normal += text[pos++];
        if (pos == fraction_start) return std::nullopt;
        fraction = true;
    }
    if (pos != text.size()) return std::nullopt;
    const char* first = normal.data();
    const char* last = normal.data() + normal.size();
    if (!fraction) {
        std::int64_t integer = 0;
        const auto [end, ec] = std::from_chars(first, last, integer);
        if (ec == std::errc{} && end == last) return sdk::Json(integer);
    }
    double d = 0;
    const auto [end, ec] = std::from_chars(first, last, d);
    if (ec != std::errc{} || end != last || !std::isfinite(d)) return std::nullopt;
    return sdk::Json(d);
}

std::string_view trimText(std::string_view text) noexcept {
    const auto strip_front = [&]() {
        if (text.empty()) return false;
        const char c = text.front();
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            text.remove_prefix(1);
            return true;
        }
        if (text.size() >= 2 && text[0] == '\xC2' && text[1] == '\xA0') {
            text.remove_prefix(2);
            return true;
        }
        return false;
    };
    const auto strip_back = [&]() {
        if (text.empty()) return false;
        const char c = text.back();
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            text.remove_suffix(1);
            return true;
        }
        if (text.size() >= 2 && text[text.size() - 2] == '\xC2' && text.back() == '\xA0') {
            text.remove_suffix(2);
            return true;
        }
        return false;
    };
    while (strip_front()) {
    }
    while (strip_back()) {
    }
    return text;
}

bool isEmptyValue(const sdk::Json& value) noexcept {
    switch (value.type()) {
        case sdk::Json::Type::Null:
            return true;
        case sdk::Json::Type::String:
            return value.asString().empty();
        case sdk::Json::Type::Array:
        case sdk::Json::Type::Object:
            return value.size() == 0;
        default:
            return false;
    }
}

}  // namespace relais::mapping::detail
