// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/config/xml.h"

// The core's view of the SDK's XML toolkit: libxml2 documents with ConfigError messages,
// and small DOM accessors for the config and mapping readers.

#include "relais/common/errors.h"

#include "sdk/xml_native.h"

namespace relais::config {

void XmlDocFree::operator()(xmlDoc* doc) const noexcept { xmlFreeDoc(doc); }

XmlDocument parseXmlSafely(std::string_view text, const std::string& file_name) {
    std::vector<XmlProblem> problems;
    sdk::XmlDocPtr doc = sdk::native::parse(text, file_name, problems);
    if (doc == nullptr) throw ConfigError(formatXmlProblems(file_name, problems));
    return XmlDocument(doc.release());
}

sdk::Result<XmlDocument> tryParseXmlSafely(std::string_view text, const std::string& file_name) {
    std::vector<XmlProblem> problems;
    sdk::XmlDocPtr doc = sdk::native::parse(text, file_name, problems);
    if (doc == nullptr) {
        return sdk::fail(sdk::ErrorCode::InvalidArgument, formatXmlProblems(file_name, problems));
    }
    return XmlDocument(doc.release());
}

struct XmlSchema::Impl {
    std::unique_ptr<sdk::XmlSchema> schema;
};

XmlSchema::XmlSchema(std::string_view schema_text, std::string schema_name)
    : impl_(std::make_unique<Impl>()) {
    std::vector<XmlProblem> problems;
    impl_->schema = sdk::XmlSchema::compile(schema_text, schema_name, problems);
    if (impl_->schema == nullptr) throw ConfigError(formatXmlProblems(schema_name, problems));
}

XmlSchema::~XmlSchema() = default;
XmlSchema::XmlSchema(XmlSchema&&) noexcept = default;
XmlSchema& XmlSchema::operator=(XmlSchema&&) noexcept = default;

const std::string& XmlSchema::name() const noexcept { return impl_->schema->name(); }

std::vector<XmlProblem> XmlSchema::check(const xmlDoc& doc) const {
    return sdk::native::check(*impl_->schema, doc);
}

void XmlSchema::validate(const xmlDoc& doc, const std::string& file_name) const {
    const std::vector<XmlProblem> problems = check(doc);
    if (!problems.empty()) throw ConfigError(formatXmlProblems(file_name, problems));
}

void validateAgainstSchema(const xmlDoc& doc, std::string_view schema_text,
                           const std::string& file_name) {
    XmlSchema(schema_text, "schema of " + file_name).validate(doc, file_name);
}

int lineOf(const xmlNode* node) noexcept { return sdk::native::lineOf(node); }

std::optional<std::string> xmlAttribute(const xmlNode* element, const char* name) {
    if (element == nullptr || element->type != XML_ELEMENT_NODE) return std::nullopt;
    return sdk::XmlElementAccess::of(element).attribute(name);
}

std::string xmlText(const xmlNode* node) {
    if (node == nullptr) return {};
    if (node->type == XML_ELEMENT_NODE) return sdk::XmlElementAccess::of(node).text();
    xmlChar* content = xmlNodeGetContent(node);
    if (content == nullptr) return {};
    std::string out(reinterpret_cast<const char*>(content));
    xmlFree(content);
    return out;
}

bool isNamed(const xmlNode* node, std::string_view name) noexcept {
    return node != nullptr && node->type == XML_ELEMENT_NODE &&
           name == reinterpret_cast<const char*>(node->name);
}

std::string_view nameOf(const xmlNode* node) noexcept {
    return reinterpret_cast<const char*>(node->name);
}

std::vector<const xmlNode*> elementsOf(const xmlNode* parent) {
    std::vector<const xmlNode*> out;
    for (const xmlNode* child = parent->children; child != nullptr; child = child->next) {
        if (child->type == XML_ELEMENT_NODE) out.push_back(child);
    }
    return out;
}

}  // namespace relais::config
