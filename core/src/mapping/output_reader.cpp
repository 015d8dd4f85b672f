// SPDX-License-Identifier: AGPL-3.0-or-later
// The <output> element of a mapping file (format, root, namespaces, schema), and the XML
// names the targets use.

#include "mapping/output_reader.h"

#include <filesystem>

#include <libxml/uri.h>

#include "relais/common/errors.h"
#include "relais/common/files.h"
#include "relais/config/xml.h"
#include "relais/sdk/xml.h"

namespace relais::mapping::detail {
namespace {

constexpr std::size_t kMaxSchemaBytes = std::size_t{16} * 1024 * 1024;

using config::elementsOf;

bool prefixDeclared(const CompiledMapping& mapping, std::string_view prefix) noexcept {
    for (const auto& [known, uri] : mapping.namespaces) {
        if (known == prefix) return true;
    }
    return false;
}

}  // namespace

void readOutput(MappingReader& in, const xmlNode* node) {
    const std::string format = in.attribute(node, "format").value_or("json");
    in.mapping().format = format == "xml" ? OutputFormat::Xml : OutputFormat::Json;
    in.mapping().drop_empty = in.booleanAttribute(node, "drop-empty", true);
    in.mapping().indent = in.booleanAttribute(node, "indent", false);
    auto root = in.attribute(node, "root");
    auto schema = in.attribute(node, "schema");
    const auto namespaces = elementsOf(node);
    if (in.json()) {
        if (root) in.fail(node, "'root' is for XML output (format=\"xml\")");
        if (schema) in.fail(node, "'schema' is for XML output (format=\"xml\")");
        if (!namespaces.empty()) in.fail(namespaces.front(), "namespaces are for XML output");
        if (in.mapping().indent) in.fail(node, "'indent' is for XML output (format=\"xml\")");
        in.mapping().content_type = in.attribute(node, "content-type").value_or("application/json");
        return;
    }
    in.mapping().content_type = in.attribute(node, "content-type").value_or("application/xml");
    for (const xmlNode* ns : namespaces) {
        const std::string prefix = in.attribute(ns, "prefix").value_or("");
        const std::string uri = in.attribute(ns, "uri").value_or("");
        if (prefix == "xml" || prefix == "xmlns") {
            in.fail(ns, "the prefix '" + prefix + "' is reserved by XML");
        }
        // What libxml2 (ours, and any receiver's) refuses in an xmlns attribute would
        // make every document of this mapping unreadable: refused here, at its line.
        // Found by the mapping_loader fuzzer.
        if (xmlURIPtr parsed = xmlParseURI(uri.c_str()); parsed != nullptr) {
            xmlFreeURI(parsed);
        } else {
            in.fail(ns, "'" + uri + "' is not a valid namespace URI");
        }
        for (const auto& [known, known_uri] : in.mapping().namespaces) {
            if (known == prefix) {
                in.fail(ns, prefix.empty() ? "the default namespace is declared twice"
                                           : "the prefix '" + prefix + "' is declared twice");
            }
        }
        in.mapping().namespaces.emplace_back(prefix, uri);
    }
    if (!root) in.fail(node, "XML output needs a 'root' element name");
    checkQName(in, node, *root, "root", false);
    in.mapping().root_name = *root;
    if (schema) {
        const std::filesystem::path schema_path = in.resolve(*schema);
        auto text = common::readFile(schema_path.string(), kMaxSchemaBytes);
        if (!text) in.fail(node, "schema: " + text.error().message);
        try {
            in.mapping().schema = std::make_unique<config::XmlSchema>(*text, schema_path.string());
        } catch (const ConfigError& e) {
            in.fail(node, "schema '" + *schema + "' is not a valid XML schema:\n" + e.message());
        }
        in.mapping().schema_name = *schema;
    }
}

void checkQName(const MappingReader& in, const xmlNode* node, std::string_view name,
                std::string_view what, bool attribute_name) {
    const auto colon = name.find(':');
    const std::string_view prefix =
        colon == std::string_view::npos ? std::string_view{} : name.substr(0, colon);
    const std::string_view local = colon == std::string_view::npos ? name : name.substr(colon + 1);
    if ((colon != std::string_view::npos && !sdk::isNcName(prefix)) || !sdk::isNcName(local)) {
        in.fail(node, std::string(what) + ": '" + std::string(name) + "' is not an XML name");
    }
    if (prefix.empty()) return;
    if (attribute_name && prefix == "xml") return;
    if (!prefixDeclared(in.mapping(), prefix)) {
        in.fail(node, std::string(what) + ": the prefix '" + std::string(prefix) +
                          "' is not declared (add <namespace prefix=\"" + std::string(prefix) +
                          "\" uri=\"…\"/> to <output>)");
    }
}

}  // namespace relais::mapping::detail
