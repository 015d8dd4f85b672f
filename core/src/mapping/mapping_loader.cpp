// SPDX-License-Identifier: AGPL-3.0-or-later
// Loading a mapping file: read, parse safely, validate against the built-in mapping.xsd,
// then compile (paths split, conditions parsed, regexes compiled, date patterns parsed,
// tables hashed, constants evaluated) with the checks the schema cannot express. Each
// family of elements has its reader: output_reader, table_reader, target_reader,
// step_reader, rule_reader (state shared through mapping_reader).

#include <vector>

#include "relais/common/errors.h"
#include "relais/common/files.h"
#include "relais/config/xml.h"
#include "relais/mapping/mapping.h"

#include "mapping/compiled_mapping.h"
#include "mapping/mapping_reader.h"
#include "mapping/output_reader.h"
#include "mapping/rule_reader.h"
#include "mapping/table_reader.h"
#include "mapping/target_reader.h"

namespace relais::embedded {
/// mappings/schema/mapping.xsd, compiled in by relais_embed().
extern const std::string_view kMappingSchema;  // NOLINT(readability-identifier-naming)
}  // namespace relais::embedded

namespace relais::mapping {
namespace detail {
namespace {

constexpr std::size_t kMaxMappingBytes = std::size_t{16} * 1024 * 1024;
constexpr const char* kSchemaName = "mapping.xsd (built in)";

using config::elementsOf;
using config::isNamed;
using config::nameOf;

}  // namespace

void compileMapping(const xmlDoc& doc, CompiledMapping& out) {
    MappingReader in(out);
    const xmlNode* root = xmlDocGetRootElement(&doc);
    if (!isNamed(root, "mapping")) in.fail(root, "the root element must be <mapping>");
    in.mapping().content_type = "application/json";
    std::vector<const xmlNode*> rules;
    for (const xmlNode* child : elementsOf(root)) {
        const std::string_view name = nameOf(child);
        if (name == "description") continue;
        if (name == "output") {
            readOutput(in, child);
        } else if (name == "table") {
            readTable(in, child);
        } else {
            rules.push_back(child);
        }
    }
    TargetRegistry registry(in.json() ? '.' : '/');
    for (const xmlNode* rule : rules) {
        readRule(in, rule, in.mapping().rules, Target{}, registry, false, false);
    }
}

}  // namespace detail

std::shared_ptr<const Mapping> Mapping::load(const std::string& path) {
    auto text = common::readFile(path, detail::kMaxMappingBytes);
    if (!text) throw ConfigError(path + ": cannot read the mapping: " + text.error().message);
    return fromString(*text, path);
}

std::shared_ptr<const Mapping> Mapping::fromString(std::string_view text, const std::string& path) {
    const config::XmlDocument doc = config::parseXmlSafely(text, path);
    config::XmlSchema(embedded::kMappingSchema, detail::kSchemaName).validate(*doc, path);
    auto compiled = std::make_unique<detail::CompiledMapping>();
    compiled->path = path;
    detail::compileMapping(*doc, *compiled);
    return std::shared_ptr<const Mapping>(new Mapping(std::move(compiled)));
}

}  // namespace relais::mapping
