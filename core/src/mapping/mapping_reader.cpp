// SPDX-License-Identifier: AGPL-3.0-or-later
// What every reader of a mapping file shares: the mapping being compiled, its directory,
// attribute access and errors naming file, line and element.

#include "mapping/mapping_reader.h"

#include "relais/common/errors.h"
#include "relais/config/xml.h"

namespace relais::mapping::detail {

using config::nameOf;

MappingReader::MappingReader(CompiledMapping& out) : out_(out) {
    std::filesystem::path base = std::filesystem::path(out.path).parent_path();
    base_dir_ = base.empty() ? std::filesystem::path(".") : base;
}

void MappingReader::fail(const xmlNode* node, const std::string& what) const {
    std::string where = out_.path;
    if (const int line = config::lineOf(node); line > 0) where += ":" + std::to_string(line);
    if (node != nullptr && node->type == XML_ELEMENT_NODE) {
        throw ConfigError(where + ": <" + std::string(nameOf(node)) + ">: " + what);
    }
    throw ConfigError(where + ": " + what);
}

std::optional<std::string> MappingReader::attribute(const xmlNode* node, const char* name) const {
    return config::xmlAttribute(node, name);
}

bool MappingReader::booleanAttribute(const xmlNode* node, const char* name, bool fallback) const {
    auto value = attribute(node, name);
    if (!value) return fallback;
    return *value == "true" || *value == "1";
}

std::filesystem::path MappingReader::resolve(const std::string& relative) const {
    std::filesystem::path path(relative);
    if (path.is_relative()) path = base_dir_ / path;
    return path.lexically_normal();
}

}  // namespace relais::mapping::detail
