// SPDX-License-Identifier: AGPL-3.0-or-later
// The <table> elements of a mapping file: code tables, inline or from a CSV file.

#include "mapping/table_reader.h"

#include <memory>

#include "relais/common/files.h"
#include "relais/config/xml.h"

namespace relais::mapping::detail {
namespace {

constexpr std::size_t kMaxTableBytes = std::size_t{64} * 1024 * 1024;

using config::elementsOf;

}  // namespace

void readTable(MappingReader& in, const xmlNode* node) {
    auto table = std::make_unique<CodeTable>();
    table->name = in.attribute(node, "name").value_or("");
    if (in.tables().count(table->name) != 0) {
        in.fail(node, "the table '" + table->name + "' is declared twice");
    }
    table->default_value = in.attribute(node, "default");
    if (auto file = in.attribute(node, "file")) {
        const std::string path = in.resolve(*file).string();
        auto text = common::readFile(path, kMaxTableBytes);
        if (!text) in.fail(node, "file: " + text.error().message);
        const std::string separator_name = in.attribute(node, "separator").value_or(",");
        const char separator = separator_name == "tab" ? '\t' : separator_name.front();
        if (auto problem = readCsvTable(*text, separator,
                                        in.booleanAttribute(node, "header", false), *table)) {
            in.fail(node, *file + ":" + std::to_string(problem->line) + ": " + problem->message);
        }
    } else if (in.attribute(node, "separator") || in.attribute(node, "header")) {
        in.fail(node, "'separator' and 'header' describe a CSV 'file'");
    }
    for (const xmlNode* entry : elementsOf(node)) {
        std::string code = in.attribute(entry, "code").value_or("");
        if (table->entries.count(code) != 0) {
            in.fail(entry,
                    "the code '" + code + "' appears twice in the table '" + table->name + "'");
        }
        table->entries.emplace(std::move(code), in.attribute(entry, "value").value_or(""));
    }
    in.tables().emplace(table->name, table.get());
    in.mapping().tables.push_back(std::move(table));
}

const CodeTable* findTable(const MappingReader& in, const xmlNode* node, const std::string& name) {
    const auto it = in.tables().find(name);
    if (it == in.tables().end()) {
        std::string known;
        for (const auto& table : in.mapping().tables) {
            known += known.empty() ? "" : ", ";
            known += table->name;
        }
        in.fail(node,
                "unknown table '" + name + "'" +
                    (known.empty() ? " (no <table> is declared)" : " (declared: " + known + ")"));
    }
    return it->second;
}

}  // namespace relais::mapping::detail
