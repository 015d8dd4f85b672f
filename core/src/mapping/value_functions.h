// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <Poco/RegularExpression.h>

#include "relais/sdk/json.h"
#include "relais/sdk/result.h"

#include "mapping/code_table.h"

/// @file
/// Internal to the mapping module: the value steps (string functions, dates, numbers, types,
/// lookups), compiled once at load and run on every apply. Implemented one subject a file:
/// date_functions.cpp, regex_functions.cpp, number_functions.cpp, value_steps.cpp
/// (`runStep`) and value_helpers.cpp. Every function here is
/// reentrant: compiled steps are read-only and may be shared by threads.

namespace relais::mapping::detail {

// ------------------------------------------------------------------------------- dates

/// A date pattern such as `DD/MM/YYYY`, or `RFC3339`. Tokens: `YYYY` year, `MM` month,
/// `DD` day, `HH` hour (00-23), `mm` minute, `ss` second; `T`, `Z`, any non-letter and
/// text in single quotes are literal.
struct DatePattern {
    enum class Kind : std::uint8_t { Literal, Year, Month, Day, Hour, Minute, Second };
    struct Token {
        Kind kind = Kind::Literal;
        std::string literal;
    };

    std::string text;
    bool rfc3339 = false;
    std::vector<Token> tokens;

    /// Parses a pattern. An input pattern (`for_input`) must hold YYYY, MM and DD, each token
    /// once. Errors say what is wrong.
    static sdk::Result<DatePattern> parse(std::string_view text, bool for_input);
};

/// A broken-down date and time, with the timestamp when the input was RFC 3339.
struct CivilTime {
    int year = 0;
    int month = 0;
    int day = 0;
    int hour = 0;
    int minute = 0;
    int second = 0;
    bool has_timestamp = false;
    std::int64_t micros = 0;          ///< when `has_timestamp`
    std::int32_t offset_minutes = 0;  ///< when `has_timestamp`
};

/// Strict parse of `text` against `pattern` (exact digit counts, real calendar dates).
std::optional<CivilTime> parseDate(const DatePattern& pattern, std::string_view text);

/// Formats `time` with `pattern`. RFC 3339 output of a time without a timestamp is in UTC.
std::string formatDate(const DatePattern& pattern, const CivilTime& time);

/// What a step error says was expected: `a date in the form DD/MM/YYYY`, or the RFC 3339
/// form with an example.
std::string describeDate(const DatePattern& pattern);

// ------------------------------------------------------------------------------ regexes

/// A compiled regular-expression replacement: every match of `regex` is replaced by
/// `replacement`, where `$0`…`$9` insert a captured group and `$$` a dollar sign.
class RegexReplace {
public:
    /// Compiles (PCRE, UTF-8). Errors carry PCRE's message.
    static sdk::Result<std::shared_ptr<const RegexReplace>> compile(const std::string& pattern,
                                                                    std::string_view replacement);

    /// Replaces every match in `text` (empty matches included, advancing one character
    /// after each). Returns false when PCRE fails to run (e.g. its match limit).
    bool apply(const std::string& text, std::string& out) const;

private:
    struct Piece {
        std::string literal;
        int group = -1;  ///< >= 0: insert that captured group
    };
    RegexReplace(std::string pattern, int options);

    Poco::RegularExpression regex_;
    std::vector<Piece> pieces_;
};

/// Compiles `pattern` (PCRE, UTF-8), or an error carrying PCRE's message.
sdk::Result<std::shared_ptr<const Poco::RegularExpression>> compileRegex(
    const std::string& pattern);

/// Whether `regex` finds a match anywhere in `text`; false when PCRE fails to run.
bool regexSearch(const Poco::RegularExpression& regex, const std::string& text) noexcept;

// -------------------------------------------------------------------------------- steps

enum class StepKind : std::uint8_t {
    Trim,
    Upper,
    Lower,
    Substring,
    Replace,
    Date,
    Lookup,
    Number,
    Text,
    Boolean,
};

/// One compiled value step. Immutable; `table` points into the mapping that owns the step.
struct Step {
    StepKind kind = StepKind::Trim;
    std::size_t start = 0;              ///< Substring
    std::optional<std::size_t> length;  ///< Substring; none: to the end
    std::shared_ptr<const RegexReplace> replace;
    DatePattern date_from;
    DatePattern date_to;
    const CodeTable* table = nullptr;
    char decimal_separator = '.';  ///< Number (reading text), Text (writing numbers)
    std::optional<int> decimals;   ///< Number: rounding; Text: fixed decimals
};

/// Runs `step` on `value` in place. A null value and the empty string pass through every
/// step unchanged ("empty stays empty"). On failure returns what was expected, e.g.
/// "expected a date in the form DD/MM/YYYY" (no value is quoted but a table code).
std::optional<std::string> runStep(const Step& step, sdk::Json& value);

// ------------------------------------------------------------------------------ helpers

/// An ASCII digit.
constexpr bool isDigit(char c) noexcept { return c >= '0' && c <= '9'; }

/// Length of the UTF-8 sequence starting with `lead` (1 for stray continuation bytes, so
/// that walking never stalls on invalid input).
constexpr std::size_t utf8Length(unsigned char lead) noexcept {
    if (lead < 0x80) return 1;
    if ((lead & 0xE0) == 0xC0) return 2;
    if ((lead & 0xF0) == 0xE0) return 3;
    if ((lead & 0xF8) == 0xF0) return 4;
    return 1;
}

/// The text of a scalar: strings as they are, integers in decimal, doubles in their
/// shortest form, booleans `true`/`false`. Null for null, arrays and objects.
std::optional<std::string> scalarText(const sdk::Json& value);

/// `number` as text: integers in decimal, doubles in their shortest form, or with exactly
/// `decimals` decimals; `separator` instead of the dot. Empty for a non-finite double.
std::string formatNumber(const sdk::Json& number, const std::optional<int>& decimals,
                         char separator);

/// `number` rounded to `decimals` decimals (an integer when 0 and it fits); integers and
/// non-finite doubles unchanged.
sdk::Json roundNumber(const sdk::Json& number, int decimals);

/// Strict decimal number: optional sign, digits, optionally `separator` and digits;
/// surrounding ASCII spaces allowed. An integer that fits 64 bits stays an integer.
std::optional<sdk::Json> parseNumber(std::string_view text, char separator);

/// ASCII white space and no-break spaces (U+00A0) removed at both ends.
std::string_view trimText(std::string_view text) noexcept;

/// Whether `value` is null, `""`, `[]` or `{}` (the "empty" of drop-empty and conditions).
bool isEmptyValue(const sdk::Json& value) noexcept;

}  // namespace relais::mapping::detail
