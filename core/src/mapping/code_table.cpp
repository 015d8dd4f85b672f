// SPDX-License-Identifier: AGPL-3.0-or-later
#include "mapping/code_table.h"

#include <vector>

namespace relais::mapping::detail {

std::optional<CsvProblem> readCsvTable(std::string_view text, char separator, bool header,
                                       CodeTable& table) {
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    std::size_t pos = 0;
    int line = 1;
    bool first_record = true;
    std::vector<std::string> fields;
    while (pos < text.size()) {
        const int record_line = line;
        fields.clear();
        fields.emplace_back();
        bool end_of_record = false;
        // One record: fields until an unquoted line break or the end of the text.
        while (!end_of_record) {
            std::string& field = fields.back();
            if (pos < text.size() && text[pos] == '"') {
                ++pos;
                for (;;) {
                    if (pos >= text.size()) {
                        return CsvProblem{record_line, "unterminated quoted field"};
                    }
                    const char c = text[pos++];
                    if (c == '"') {
                        if (pos < text.size() && text[pos] == '"') {
                            field += '"';
                            ++pos;
                            continue;
                        }
                        break;
                    }
                    if (c == '\n') ++line;
                    field += c;
                }
                if (pos < text.size() && text[pos] != separator && text[pos] != '\n' &&
                    text[pos] != '\r') {
                    return CsvProblem{line, "unexpected character after a closing quote"};
                }
            }
            while (pos < text.size() && text[pos] != separator && text[pos] != '\n' &&
                   text[pos] != '\r') {
                if (text[pos] == '"') {
                    return CsvProblem{line,
                                      "a quote inside an unquoted field (quote the field "
                                      "and double the quote)"};
                }
                field += text[pos++];
            }
            if (pos >= text.size()) {
                end_of_record = true;
            } else if (text[pos] == separator) {
                ++pos;
                fields.emplace_back();
            } else {
                if (text[pos] == '\r') ++pos;
                if (pos < text.size() && text[pos] == '\n') ++pos;
                ++line;
                end_of_record = true;
            }
        }
        if (fields.size() == 1 && fields[0].empty()) continue;  // empty line
        if (first_record) {
            first_record = false;
            if (header) continue;
        }
        if (fields.size() != 2) {
            return CsvProblem{record_line, "expected 2 fields (code" + std::string(1, separator) +
                                               "value), found " + std::to_string(fields.size())};
        }
        if (fields[0].empty()) return CsvProblem{record_line, "empty code"};
        if (table.entries.find(fields[0]) != table.entries.end()) {
            return CsvProblem{record_line, "duplicate code '" + fields[0] + "'"};
        }
        table.entries.emplace(std::move(fields[0]), std::move(fields[1]));
    }
    return std::nullopt;
}

}  // namespace relais::mapping::detail
