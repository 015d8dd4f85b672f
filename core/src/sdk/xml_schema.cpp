// SPDX-License-Identifier: AGPL-3.0-or-later
// XSD compilation and validation with libxml2 (relais/sdk/xml.h).

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <new>
#include <system_error>

#include <libxml/xmlschemas.h>

#include "relais/sdk/xml.h"

#include "sdk/xml_errors.h"
#include "sdk/xml_native.h"

namespace relais::sdk {
namespace {

constexpr std::size_t kMaxSchemaBytes = 16 << 20;  // an XSD is a few hundred kilobytes

constexpr const char* kXsdNamespace = "http://www.w3.org/2001/XMLSchema";

struct XmlCharFree {
    void operator()(xmlChar* text) const noexcept { xmlFree(text); }
};

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

std::string textOf(const xmlNode* node) {
    std::unique_ptr<xmlChar, XmlCharFree> content(xmlNodeGetContent(node));
    return content == nullptr ? std::string() : reinterpret_cast<const char*>(content.get());
}

std::optional<std::string> attributeOf(const xmlNode* element, const char* name) {
    std::unique_ptr<xmlChar, XmlCharFree> value(
        xmlGetNoNsProp(element, reinterpret_cast<const xmlChar*>(name)));
    if (value == nullptr) return std::nullopt;
    return std::string(reinterpret_cast<const char*>(value.get()));
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
                const std::string text = detail::collapseWhitespace(textOf(documentation));
                for (const xmlNode* facet = restriction->children; facet != nullptr;
                     facet = facet->next) {
                    if (!isXsdElement(facet, "pattern")) continue;
                    if (auto pattern = attributeOf(facet, "value"); pattern && !text.empty()) {
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

Result<std::string> readFile(const std::string& path, std::size_t max_bytes) {
    std::error_code ec;
    if (std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec)) {
        return fail(ErrorCode::InvalidArgument, "'" + path + "' is not a regular file");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return fail(ErrorCode::InvalidArgument,
                    "cannot read '" + path + "': " + std::generic_category().message(errno));
    }
    std::string content;
    char buffer[8192];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
        content.append(buffer, static_cast<std::size_t>(in.gcount()));
        if (content.size() > max_bytes) {
            return fail(ErrorCode::InvalidArgument, "'" + path + "' is too large");
        }
    }
    if (in.bad()) return fail(ErrorCode::InvalidArgument, "cannot read '" + path + "'");
    return content;
}

}  // namespace

struct XmlSchema::Impl {
    std::string name;
    /// The schema document: compiled schemas point into it, so it lives as long.
    XmlDocPtr document;
    xmlSchema* schema = nullptr;
    detail::PatternHints pattern_hints;

    Impl() = default;
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;
    ~Impl() {
        if (schema != nullptr) xmlSchemaFree(schema);
    }
};

XmlSchema::XmlSchema(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}

XmlSchema::~XmlSchema() = default;

std::unique_ptr<XmlSchema> XmlSchema::compile(std::string_view text, std::string name,
                                              std::vector<XmlProblem>& problems) {
    auto impl = std::make_unique<Impl>();
    impl->name = std::move(name);
    // Parsed by our own safe parser (no DTD, no entities), then compiled from the tree:
    // xmlSchemaNewMemParserCtxt would parse the text with entity substitution on.
    impl->document = native::parse(text, impl->name, problems);
    if (impl->document == nullptr) return nullptr;
    collectPatternHints(xmlDocGetRootElement(impl->document.get()), impl->pattern_hints);

    detail::XmlErrorCollector errors;
    std::unique_ptr<xmlSchemaParserCtxt, SchemaParserCtxtFree> parser(
        xmlSchemaNewDocParserCtxt(impl->document.get()));
    if (parser == nullptr) throw std::bad_alloc();
    {
        detail::ScopedXmlErrorCapture capture(errors);
        xmlSchemaSetParserStructuredErrors(parser.get(),
                                           &detail::XmlErrorCollector::onStructuredError, &errors);
        impl->schema = xmlSchemaParse(parser.get());
    }
    problems = errors.take();
    if (impl->schema == nullptr || !problems.empty()) {
        if (problems.empty()) problems.push_back({0, "not a valid XML schema"});
        return nullptr;
    }
    return std::unique_ptr<XmlSchema>(new XmlSchema(std::move(impl)));
}

Result<std::unique_ptr<XmlSchema>> XmlSchema::load(const std::string& path) {
    auto text = readFile(path, kMaxSchemaBytes);
    if (!text) return std::move(text).error();
    std::vector<XmlProblem> problems;
    std::unique_ptr<XmlSchema> schema = compile(*text, path, problems);
    if (schema == nullptr) {
        return fail(ErrorCode::InvalidArgument,
                    "schema '" + path + "': " + describeProblems(problems));
    }
    return schema;
}

const std::string& XmlSchema::name() const noexcept { return impl_->name; }

std::vector<XmlProblem> XmlSchema::check(const XmlDocument& doc) const {
    return native::check(*this, *doc.impl().doc);
}

std::vector<XmlProblem> native::check(const XmlSchema& schema, const xmlDoc& doc) {
    initLibxml2();
    const XmlSchema::Impl& impl = schema.impl();
    detail::XmlErrorCollector errors;
    errors.setPatternHints(&impl.pattern_hints);
    int rc = 0;
    {
        detail::ScopedXmlErrorCapture capture(errors);
        // One validation context per call: the compiled schema itself is only read, which
        // is what makes `check` safe to call from several threads.
        std::unique_ptr<xmlSchemaValidCtxt, ValidCtxtFree> validator(
            xmlSchemaNewValidCtxt(impl.schema));
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
                                      : "the document does not match the schema " + impl.name});
    }
    return problems;
}

}  // namespace relais::sdk
