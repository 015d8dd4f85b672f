// SPDX-License-Identifier: AGPL-3.0-or-later
// Date patterns, strict date parsing and formatting (see value_functions.h).
#include <charconv>
#include <string>

#include "relais/sdk/time.h"

#include "mapping/value_functions.h"

namespace relais::mapping::detail {
namespace {

constexpr int kMaxYear = 9999;

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

}  // namespace

std::string describeDate(const DatePattern& pattern) {
    return pattern.rfc3339 ? "an RFC 3339 date-time (such as 2026-11-14T09:42:17+01:00)"
                           : "a date in the form " + pattern.text;
}

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

}  // namespace relais::mapping::detail
