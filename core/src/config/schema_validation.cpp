// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/config/xml.h"

// XSD compilation and validation with libxml2.

#include <cstring>

#include <libxml/xmlschemas.h>

#include "relais/common/errors.h"

#include "config/xml_errors.h"

namespace relais::config {
namespace {

constexpr const char* kXsdNamespace = "http://www.w3.org/2001/XMLSchema";

bool isXsdElement(const xmlNode* node, const char* local_name) noexcept {
    return node != nullptr && node->type == XML_ELEMENT_NODE && node->ns != nullptr &&
           node->ns->href != nullptr &&
           std::strcmp(reinterpret_cast<const char*>(node->ns->href), kXsdNamespace) == 0 &&
           std::strcmp(reinterpret_cast<const char*>(node->name), local_name) == 0;
}

const xmlNode* firstXsdChild(const xmlNode* parent, const char* local_name) noexcept {
    for (const xmlNode* child = parent->children; child != nullptr; child = child->next) {
        if (isXsdElement(child, local_name)) return child;
    }
    return nullptr;
}

std::string collapsed(const std::string& text) {
    std::string out;
    bool space = false;
    for (const char c : text) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += c;
    }
    return out;
}

// For every simple type that has both a documentation and pattern facets: pattern →
// documentation. The documentation of such a type is written to complete "… is not …".
void collectPatternHints(const xmlNode* node, detail::PatternHints& hints) {
    for (; node != nullptr; node = node->next) {
        if (node->type != XML_ELEMENT_NODE) continue;
        if (isXsdElement(node, "simpleType")) {
            const xmlNode* annotation = firstXsdChild(node, "annotation");
            const xmlNode* documentation =
                annotation != nullptr ? firstXsdChild(annotation, "documentation") : nullptr;
            const xmlNode* restriction = firstXsdChild(node, "restriction");
            if (documentation != nullptr && restriction != nullptr) {
                const std::string text = collapsed(xmlText(documentation));
                for (const xmlNode* facet = restriction->children; facet != nullptr;
                     facet = facet->next) {
                    if (!isXsdElement(facet, "pattern")) continue;
                    if (auto pattern = xmlAttribute(facet, "value"); pattern && !text.empty()) {
                        hints.emplace(*pattern, text);
                    }
                }
            }
        }
        collectPatternHints(node->children, hints);
    }
}

struct SchemaParserCtxtFree {
    void operator()(xmlSchemaParserCtxt* ctxt) const noexcept { xmlSchemaFreeParserCtxt(ctxt); }
};

struct ValidCtxtFree {
    void operator()(xmlSchemaValidCtxt* ctxt) const noexcept { xmlSchemaFreeValidCtxt(ctxt); }
};

}  // namespace

struct XmlSchema::Impl {
    std::string name;
    /// The schema document: compiled schemas point into it, so it lives as long.
    XmlDocument document;
    xmlSchema* schema = nullptr;
    detail::PatternHints pattern_hints;

    Impl() = default;
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;
    ~Impl() {
        if (schema != nullptr) xmlSchemaFree(schema);
    }
};

XmlSchema::XmlSchema(std::string_view schema_text, std::string schema_name)
    : impl_(std::make_unique<Impl>()) {
    impl_->name = std::move(schema_name);
    // Parsed by our own safe parser (no DTD, no entities), then compiled from the tree:
    // xmlSchemaNewMemParserCtxt would parse the text with entity substitution on.
    impl_->document = parseXmlSafely(schema_text, impl_->name);
    collectPatternHints(xmlDocGetRootElement(impl_->document.get()), impl_->pattern_hints);

    detail::XmlErrorCollector errors;
    std::unique_ptr<xmlSchemaParserCtxt, SchemaParserCtxtFree> parser(
        xmlSchemaNewDocParserCtxt(impl_->document.get()));
    if (parser == nullptr) throw std::bad_alloc();
    {
        detail::ScopedXmlErrorCapture capture(errors);
        xmlSchemaSetParserStructuredErrors(parser.get(),
                                           &detail::XmlErrorCollector::onStructuredError, &errors);
        impl_->schema = xmlSchemaParse(parser.get());
    }
    std::vector<XmlProblem> problems = errors.take();
    if (impl_->schema == nullptr || !problems.empty()) {
        if (problems.empty()) problems.push_back({0, "not a valid XML schema"});
        throw ConfigError(formatXmlProblems(impl_->name, problems));
    }
}

XmlSchema::~XmlSchema() = default;
XmlSchema::XmlSchema(XmlSchema&&) noexcept = default;
XmlSchema& XmlSchema::operator=(XmlSchema&&) noexcept = default;

const std::string& XmlSchema::name() const noexcept { return impl_->name; }

std::vector<XmlProblem> XmlSchema::check(const xmlDoc& doc) const {
    detail::initLibxml2();
    detail::XmlErrorCollector errors;
    errors.setPatternHints(&impl_->pattern_hints);
    int rc = 0;
    {
        detail::ScopedXmlErrorCapture capture(errors);
        // One validation context per call: the compiled schema itself is only read, which
        // is what makes `check` safe to call from several threads.
        std::unique_ptr<xmlSchemaValidCtxt, ValidCtxtFree> validator(
            xmlSchemaNewValidCtxt(impl_->schema));
        if (validator == nullptr) throw std::bad_alloc();
        xmlSchemaSetValidStructuredErrors(validator.get(),
                                          &detail::XmlErrorCollector::onStructuredError, &errors);
        // Without XML_SCHEMA_VAL_VC_I_CREATE the validator adds no default attribute: the
        // document is only read, whatever its constness in libxml2's signature.
        rc = xmlSchemaValidateDoc(validator.get(), const_cast<xmlDoc*>(&doc));
    }
    std::vector<XmlProblem> problems = errors.take();
    if (rc != 0 && problems.empty()) {
        problems.push_back({0, rc < 0 ? "the schema validator failed (internal error)"
                                      : "the document does not match the schema " + impl_->name});
    }
    return problems;
}

void XmlSchema::validate(const xmlDoc& doc, const std::string& file_name) const {
    const std::vector<XmlProblem> problems = check(doc);
    if (!problems.empty()) throw ConfigError(formatXmlProblems(file_name, problems));
}

void validateAgainstSchema(const xmlDoc& doc, std::string_view schema_text,
                           const std::string& file_name) {
    XmlSchema(schema_text, "schema of " + file_name).validate(doc, file_name);
}

}  // namespace relais::config
