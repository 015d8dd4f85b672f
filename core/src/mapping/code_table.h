// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

/// @file
/// Internal to the mapping module: code tables (lookups) and their CSV files.

namespace relais::mapping::detail {

/// Hash that lets an `unordered_map<std::string, …>` be searched with a `string_view`.
struct TransparentHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept {
        return std::hash<std::string_view>{}(text);
    }
};

/// A code table: portal code → target code. Immutable after load; read concurrently.
struct CodeTable {
    std::string name;
    std::unordered_map<std::string, std::string, TransparentHash, std::equal_to<>> entries;
    /// The value for codes not in the table; without it an unknown code is an error.
    std::optional<std::string> default_value;

    /// The target code for `code`: the entry, else the default, else null.
    const std::string* find(std::string_view code) const noexcept {
        const auto it = entries.find(code);
        if (it != entries.end()) return &it->second;
        return default_value ? &*default_value : nullptr;
    }
};

/// One problem in a CSV file: the 1-based line it starts on and what is wrong.
struct CsvProblem {
    int line = 0;
    std::string message;
};

/// Adds the records of a CSV file (RFC 4180: fields separated by `separator`, optionally
/// quoted with `"`, `""` for a quote inside; CRLF or LF; a UTF-8 byte-order mark is skipped)
/// to `table`. Each record has exactly two fields, code then value; empty lines are skipped;
/// with `header`, the first record is skipped. Returns the first problem (wrong number of
/// fields, unterminated quote, empty or duplicate code), if any.
std::optional<CsvProblem> readCsvTable(std::string_view text, char separator, bool header,
                                       CodeTable& table);

}  // namespace relais::mapping::detail
