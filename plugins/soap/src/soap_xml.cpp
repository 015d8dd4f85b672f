// SPDX-License-Identifier: AGPL-3.0-or-later
#include "soap_xml.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <new>
#include <system_error>

#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/xmlIO.h>
#include <libxml/xmlschemas.h>
#include <libxml/xpathInternals.h>

namespace relais::plugins::soap {
namespace {

using sdk::ErrorCode;

constexpr std::size_t kMaxProblems = 50;           // a broken document yields thousands
constexpr std::size_t kMaxMessageBytes = 300;      // per problem
constexpr std::size_t kMaxSchemaBytes = 16 << 20;  // an XSD is a few hundred kilobytes

// No NOENT (entities stay unexpanded), no DTDLOAD/DTDATTR/DTDVALID (no DTD is read), no
// network, line numbers past 65535 kept. Documents with a DTD are refused anyway.
constexpr int kParseOptions = XML_PARSE_NONET | XML_PARSE_BIG_LINES;

bool isSpace(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// One line: white space collapsed, control characters dropped, no trailing period, cut at
// kMaxMessageBytes on a UTF-8 boundary.
std::string cleanMessage(std::string_view raw) {
    std::string out;
    out.reserve(raw.size());
    bool pending_space = false;
    for (const char c : raw) {
        const auto u = static_cast<unsigned char>(c);
        if (isSpace(c)) {
            pending_space = !out.empty();
            continue;
        }
        if (u < 0x20 || u == 0x7f) continue;
        if (pending_space) out += ' ';
        pending_space = false;
        out += c;
    }
    // "[facet 'enumeration'] " says which XSD facet failed, which the rest repeats.
    for (auto at = out.find("[facet '"); at != std::string::npos; at = out.find("[facet '", at)) {
        const auto end = out.find("] ", at);
        if (end == std::string::npos) break;
        out.erase(at, end + 2 - at);
    }
    while (!out.empty() && out.back() == '.') out.pop_back();
    if (out.size() > kMaxMessageBytes) {
        std::size_t cut = kMaxMessageBytes;
        while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
        out.resize(cut);
        out += "…";
    }
    if (out.empty()) out = "XML error";
    return out;
}

struct ParserCtxtFree {
    void operator()(xmlParserCtxt* ctxt) const noexcept { xmlFreeParserCtxt(ctxt); }
};

struct SchemaParserCtxtFree {
    void operator()(xmlSchemaParserCtxt* ctxt) const noexcept { xmlSchemaFreeParserCtxt(ctxt); }
};

struct SchemaValidCtxtFree {
    void operator()(xmlSchemaValidCtxt* ctxt) const noexcept { xmlSchemaFreeValidCtxt(ctxt); }
};

struct XPathContextFree {
    void operator()(xmlXPathContext* ctxt) const noexcept { xmlXPathFreeContext(ctxt); }
};

struct XPathObjectFree {
    void operator()(xmlXPathObject* object) const noexcept { xmlXPathFreeObject(object); }
};

struct XmlCharFree {
    void operator()(xmlChar* text) const noexcept { xmlFree(text); }
};

// State of one parse, reached from SAX callbacks through `ctxt->_private`.
struct ParseState {
    XmlErrorCollector errors;
    bool doctype_seen = false;
    int doctype_line = 0;
};

ParseState* stateOf(void* user_data) noexcept {
    auto* ctxt = static_cast<xmlParserCtxt*>(user_data);
    return ctxt != nullptr ? static_cast<ParseState*>(ctxt->_private) : nullptr;
}

// SAX `internalSubset`: called as soon as `<!DOCTYPE name …` is read, before the internal
// subset (where entities are declared) is parsed. Stopping here means not one entity
// declaration is looked at.
void refuseDoctype(void* user_data, const xmlChar* /*name*/, const xmlChar* /*external_id*/,
                   const xmlChar* /*system_id*/) {
    auto* ctxt = static_cast<xmlParserCtxt*>(user_data);
    if (ParseState* state = stateOf(user_data); state != nullptr) {
        state->doctype_seen = true;
        state->doctype_line = ctxt->input != nullptr ? ctxt->input->line : 0;
    }
    xmlStopParser(ctxt);
}

// SAX `serror` of the parser context: its user data is the context itself.
void onParserError(void* user_data, xmlError* error) {
    ParseState* state = stateOf(user_data);
    if (state != nullptr && error != nullptr) state->errors.add(*error);
}

bool onlyWhitespace(std::string_view text) noexcept {
    for (const char c : text) {
        if (!isSpace(c)) return false;
    }
    return true;
}

bool isAsciiLetter(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

sdk::Result<std::string> readFile(const std::string& path, std::size_t max_bytes) {
    std::error_code ec;
    if (std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec)) {
        return sdk::fail(ErrorCode::InvalidArgument, "'" + path + "' is not a regular file");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return sdk::fail(ErrorCode::InvalidArgument,
                         "cannot read '" + path + "': " + std::generic_category().message(errno));
    }
    std::string content;
    char buffer[8192];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
        content.append(buffer, static_cast<std::size_t>(in.gcount()));
        if (content.size() > max_bytes) {
            return sdk::fail(ErrorCode::InvalidArgument, "'" + path + "' is too large");
        }
    }
    if (in.bad()) return sdk::fail(ErrorCode::InvalidArgument, "cannot read '" + path + "'");
    return content;
}

}  // namespace

void initXml() {
    static std::once_flag once;
    std::call_once(once, [] {
        xmlInitParser();
        // Process-wide policy, the core's too: libxml2 never fetches anything over the
        // network. Local files stay reachable for schema includes.
        xmlSetExternalEntityLoader(xmlNoNetExternalEntityLoader);
    });
}

std::string describeProblems(const std::vector<XmlProblem>& problems, std::size_t max_shown) {
    std::string out;
    std::size_t shown = 0;
    for (const XmlProblem& problem : problems) {
        if (shown == max_shown) {
            out += " (and " + std::to_string(problems.size() - shown) + " more)";
            break;
        }
        if (shown > 0) out += "; ";
        if (problem.line > 0) out += "line " + std::to_string(problem.line) + ": ";
        out += problem.message;
        ++shown;
    }
    return out;
}

void XmlErrorCollector::add(const xmlError& error) noexcept {
    if (error.level == XML_ERR_WARNING || error.level == XML_ERR_NONE) return;
    int line = error.node != nullptr ? lineOf(static_cast<const xmlNode*>(error.node)) : 0;
    if (line <= 0) line = error.line;
    try {
        add(line, cleanMessage(error.message != nullptr ? error.message : ""));
    } catch (...) {
        // Out of memory while collecting: the caller still sees the operation fail.
    }
}

void XmlErrorCollector::add(int line, std::string message) noexcept {
    if (problems_.size() >= kMaxProblems) return;
    try {
        problems_.push_back(XmlProblem{line > 0 ? line : 0, std::move(message)});
    } catch (...) {
        // Dropped: see above.
    }
}

std::vector<XmlProblem> XmlErrorCollector::take() {
    if (!onlyWhitespace(generic_text_)) add(0, cleanMessage(generic_text_));
    generic_text_.clear();
    return std::move(problems_);
}

void XmlErrorCollector::onStructuredError(void* collector, xmlError* error) {
    if (collector == nullptr || error == nullptr) return;
    static_cast<XmlErrorCollector*>(collector)->add(*error);
}

void XmlErrorCollector::onGenericError(void* collector, const char* format, ...) {
    if (collector == nullptr || format == nullptr) return;
    char buffer[1024];
    va_list args;
    va_start(args, format);
    const int n = std::vsnprintf(buffer, sizeof buffer, format, args);
    va_end(args);
    if (n <= 0) return;
    auto* self = static_cast<XmlErrorCollector*>(collector);
    const std::size_t length = std::min(static_cast<std::size_t>(n), sizeof buffer - 1);
    try {
        if (self->generic_text_.size() < 4096) self->generic_text_.append(buffer, length);
    } catch (...) {
        // Dropped: see XmlErrorCollector::add.
    }
}

ScopedXmlErrorCapture::ScopedXmlErrorCapture(XmlErrorCollector& collector) noexcept
    : saved_structured_(xmlStructuredError),
      saved_structured_context_(xmlStructuredErrorContext),
      saved_generic_(xmlGenericError),
      saved_generic_context_(xmlGenericErrorContext) {
    // These globals are per thread in a threaded libxml2 (Debian's is): other threads are
    // not affected, and the destructor puts back what was there.
    xmlSetStructuredErrorFunc(&collector, &XmlErrorCollector::onStructuredError);
    xmlSetGenericErrorFunc(&collector, &XmlErrorCollector::onGenericError);
}

ScopedXmlErrorCapture::~ScopedXmlErrorCapture() {
    xmlSetStructuredErrorFunc(saved_structured_context_, saved_structured_);
    xmlSetGenericErrorFunc(saved_generic_context_, saved_generic_);
}

void XmlDocFree::operator()(xmlDoc* doc) const noexcept { xmlFreeDoc(doc); }

ParsedXml parseXmlSafely(std::string_view text, const std::string& url) {
    initXml();
    ParsedXml out;
    if (onlyWhitespace(text)) {
        out.problems.push_back({1, "the document is empty"});
        return out;
    }
    if (text.size() > static_cast<std::size_t>(INT_MAX)) {
        out.problems.push_back({0, "the document is too large"});
        return out;
    }
    std::unique_ptr<xmlParserCtxt, ParserCtxtFree> ctxt(xmlNewParserCtxt());
    if (ctxt == nullptr || ctxt->sax == nullptr) throw std::bad_alloc();
    ParseState state;
    ctxt->_private = &state;
    ctxt->sax->serror = &onParserError;
    ctxt->sax->internalSubset = &refuseDoctype;
    ctxt->sax->externalSubset = nullptr;

    XmlDocPtr doc;
    {
        ScopedXmlErrorCapture capture(state.errors);
        doc.reset(xmlCtxtReadMemory(ctxt.get(), text.data(), static_cast<int>(text.size()),
                                    url.empty() ? nullptr : url.c_str(), nullptr, kParseOptions));
    }
    const bool well_formed = ctxt->wellFormed != 0 && ctxt->nsWellFormed != 0;
    ctxt.reset();

    if (state.doctype_seen ||
        (doc != nullptr && (doc->intSubset != nullptr || doc->extSubset != nullptr))) {
        // The refusal comes first: what libxml2 said after the stop is noise.
        out.problems.push_back({state.doctype_line, std::string(kDoctypeRefused)});
        out.doctype_refused = true;
        return out;
    }
    out.problems = state.errors.take();
    if (out.problems.empty() && !well_formed) {
        out.problems.push_back({0, "the document is not well-formed"});
    }
    if (out.problems.empty() && (doc == nullptr || xmlDocGetRootElement(doc.get()) == nullptr)) {
        out.problems.push_back({1, "the document has no root element"});
    }
    if (out.problems.empty()) out.doc = std::move(doc);
    return out;
}

int lineOf(const xmlNode* node) noexcept {
    if (node == nullptr) return 0;
    if (node->type == XML_ATTRIBUTE_NODE) node = node->parent;
    if (node == nullptr) return 0;
    const long line = xmlGetLineNo(node);
    if (line <= 0 || line > INT_MAX) return 0;
    return static_cast<int>(line);
}

sdk::Result<std::unique_ptr<CompiledSchema>> CompiledSchema::load(const std::string& path) {
    initXml();
    auto text = readFile(path, kMaxSchemaBytes);
    if (!text) return std::move(text).error();

    std::unique_ptr<CompiledSchema> schema(new CompiledSchema());
    schema->path_ = path;
    // Parsed by our own safe parser, then compiled from the tree: a parser context made
    // from memory or a file would parse the schema with entity substitution on.
    ParsedXml parsed = parseXmlSafely(*text, path);
    if (parsed.doc == nullptr) {
        return sdk::fail(ErrorCode::InvalidArgument,
                         "schema '" + path + "': " + describeProblems(parsed.problems));
    }
    schema->document_ = std::move(parsed.doc);

    XmlErrorCollector errors;
    std::unique_ptr<xmlSchemaParserCtxt, SchemaParserCtxtFree> parser(
        xmlSchemaNewDocParserCtxt(schema->document_.get()));
    if (parser == nullptr) throw std::bad_alloc();
    {
        ScopedXmlErrorCapture capture(errors);
        xmlSchemaSetParserStructuredErrors(parser.get(), &XmlErrorCollector::onStructuredError,
                                           &errors);
        schema->schema_ = xmlSchemaParse(parser.get());
    }
    std::vector<XmlProblem> problems = errors.take();
    if (schema->schema_ == nullptr || !problems.empty()) {
        if (problems.empty()) problems.push_back({0, "not a valid XML schema"});
        return sdk::fail(ErrorCode::InvalidArgument,
                         "schema '" + path + "': " + describeProblems(problems));
    }
    return schema;
}

CompiledSchema::~CompiledSchema() {
    if (schema_ != nullptr) xmlSchemaFree(schema_);
}

std::vector<XmlProblem> CompiledSchema::check(const xmlDoc& doc) const {
    XmlErrorCollector errors;
    int rc = 0;
    {
        ScopedXmlErrorCapture capture(errors);
        // One validation context per call: libxml2's validation context is not
        // thread-safe, the compiled schema is only read.
        std::unique_ptr<xmlSchemaValidCtxt, SchemaValidCtxtFree> validator(
            xmlSchemaNewValidCtxt(schema_));
        if (validator == nullptr) throw std::bad_alloc();
        xmlSchemaSetValidStructuredErrors(validator.get(), &XmlErrorCollector::onStructuredError,
                                          &errors);
        // Without XML_SCHEMA_VAL_VC_I_CREATE no default attribute is added: the document
        // is only read, whatever libxml2's signature says.
        rc = xmlSchemaValidateDoc(validator.get(), const_cast<xmlDoc*>(&doc));
    }
    std::vector<XmlProblem> problems = errors.take();
    if (rc != 0 && problems.empty()) {
        problems.push_back({0, rc < 0 ? "the schema validator failed (internal error)"
                                      : "the document does not match the schema"});
    }
    return problems;
}

bool isNcName(std::string_view name) noexcept {
    if (name.empty()) return false;
    const auto first = static_cast<unsigned char>(name.front());
    if (!isAsciiLetter(name.front()) && name.front() != '_' && first < 0x80) return false;
    for (const char c : name) {
        const auto u = static_cast<unsigned char>(c);
        const bool ok = isAsciiLetter(c) || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
                        c == '.' || u >= 0x80;
        if (!ok) return false;
    }
    return true;
}

sdk::Result<std::vector<NamespaceBinding>> parseNamespaceBindings(
    const std::vector<std::string>& entries) {
    std::vector<NamespaceBinding> bindings;
    for (const std::string& entry : entries) {
        if (entry.empty()) continue;
        const auto equals = entry.find('=');
        if (equals == std::string::npos) {
            return sdk::fail(ErrorCode::InvalidArgument,
                             "namespaces entry '" + entry + "' is not prefix=uri", "namespaces");
        }
        NamespaceBinding binding{std::string(trimXmlSpace(entry.substr(0, equals))),
                                 std::string(trimXmlSpace(entry.substr(equals + 1)))};
        if (!isNcName(binding.prefix)) {
            return sdk::fail(ErrorCode::InvalidArgument,
                             "namespaces entry '" + entry + "': '" + binding.prefix +
                                 "' is not a valid prefix (letters, digits, '_', '-', '.', "
                                 "not starting with a digit)",
                             "namespaces");
        }
        if (binding.prefix == "xml" || binding.prefix == "xmlns") {
            return sdk::fail(ErrorCode::InvalidArgument,
                             "namespaces entry '" + entry + "': the prefix '" + binding.prefix +
                                 "' is reserved by XML",
                             "namespaces");
        }
        if (binding.uri.empty()) {
            return sdk::fail(ErrorCode::InvalidArgument,
                             "namespaces entry '" + entry + "' has an empty URI", "namespaces");
        }
        for (const NamespaceBinding& other : bindings) {
            if (other.prefix == binding.prefix) {
                return sdk::fail(ErrorCode::InvalidArgument,
                                 "namespaces: the prefix '" + binding.prefix + "' is bound twice",
                                 "namespaces");
            }
        }
        bindings.push_back(std::move(binding));
    }
    return bindings;
}

namespace {

// A new XPath context over `doc` with `namespaces` declared and errors going to `errors`.
std::unique_ptr<xmlXPathContext, XPathContextFree> newXPathContext(
    const xmlDoc& doc, const std::vector<NamespaceBinding>& namespaces, XmlErrorCollector& errors) {
    // libxml2 only reads the document through the context; its API is not const-correct.
    auto* mutable_doc = const_cast<xmlDoc*>(&doc);
    std::unique_ptr<xmlXPathContext, XPathContextFree> ctxt(xmlXPathNewContext(mutable_doc));
    if (ctxt == nullptr) throw std::bad_alloc();
    ctxt->error = &XmlErrorCollector::onStructuredError;
    ctxt->userData = &errors;
    // The document node is the context node, so `a/b` and `//b` both work.
    ctxt->node = reinterpret_cast<xmlNode*>(mutable_doc);
    for (const NamespaceBinding& ns : namespaces) {
        if (xmlXPathRegisterNs(ctxt.get(), toXmlChar(ns.prefix.c_str()),
                               toXmlChar(ns.uri.c_str())) != 0) {
            throw std::bad_alloc();
        }
    }
    return ctxt;
}

std::string firstProblem(XmlErrorCollector& errors, const char* fallback) {
    std::vector<XmlProblem> problems = errors.take();
    return problems.empty() ? std::string(fallback) : problems.front().message;
}

}  // namespace

sdk::Result<std::unique_ptr<XPathQuery>> XPathQuery::compile(
    const std::string& expression, std::vector<NamespaceBinding> namespaces) {
    initXml();
    std::unique_ptr<XPathQuery> query(new XPathQuery());
    query->expression_ = expression;
    query->namespaces_ = std::move(namespaces);
    if (trimXmlSpace(expression).empty()) {
        return sdk::fail(ErrorCode::InvalidArgument, "the XPath expression is empty");
    }

    XmlDocPtr probe(xmlNewDoc(toXmlChar("1.0")));
    if (probe == nullptr) throw std::bad_alloc();
    xmlNode* root = xmlNewDocNode(probe.get(), nullptr, toXmlChar("relais-probe"), nullptr);
    if (root == nullptr) throw std::bad_alloc();
    xmlDocSetRootElement(probe.get(), root);

    XmlErrorCollector errors;
    ScopedXmlErrorCapture capture(errors);
    auto ctxt = newXPathContext(*probe, query->namespaces_, errors);
    query->compiled_ = xmlXPathCtxtCompile(ctxt.get(), toXmlChar(expression.c_str()));
    if (query->compiled_ == nullptr) {
        return sdk::fail(ErrorCode::InvalidArgument,
                         "'" + expression + "' is not a valid XPath 1.0 expression: " +
                             firstProblem(errors, "libxml2 refused it"));
    }
    // Compiling does not resolve prefixes or functions; evaluating once does.
    std::unique_ptr<xmlXPathObject, XPathObjectFree> result(
        xmlXPathCompiledEval(query->compiled_, ctxt.get()));
    if (result == nullptr) {
        return sdk::fail(ErrorCode::InvalidArgument,
                         "the XPath expression '" + expression +
                             "' cannot be evaluated: " + firstProblem(errors, "evaluation failed") +
                             " (prefixes must be declared in 'namespaces')");
    }
    return query;
}

XPathQuery::~XPathQuery() {
    if (compiled_ != nullptr) xmlXPathFreeCompExpr(compiled_);
}

sdk::Result<std::optional<std::string>> XPathQuery::evaluate(const xmlDoc& doc) const {
    XmlErrorCollector errors;
    ScopedXmlErrorCapture capture(errors);
    auto ctxt = newXPathContext(doc, namespaces_, errors);
    std::unique_ptr<xmlXPathObject, XPathObjectFree> result;
    {
        std::lock_guard lock(mutex_);
        result.reset(xmlXPathCompiledEval(compiled_, ctxt.get()));
    }
    if (result == nullptr) {
        return sdk::fail(ErrorCode::InvalidArgument,
                         "the XPath expression '" + expression_ +
                             "' failed: " + firstProblem(errors, "evaluation failed"));
    }
    std::unique_ptr<xmlChar, XmlCharFree> text;
    switch (result->type) {
        case XPATH_NODESET:
            if (result->nodesetval == nullptr || result->nodesetval->nodeNr == 0) {
                return std::optional<std::string>();
            }
            text.reset(xmlXPathCastNodeSetToString(result->nodesetval));
            break;
        case XPATH_STRING:
            text.reset(xmlStrdup(result->stringval != nullptr ? result->stringval : toXmlChar("")));
            break;
        case XPATH_NUMBER:
            if (std::isnan(result->floatval)) return std::optional<std::string>();
            text.reset(xmlXPathCastNumberToString(result->floatval));
            break;
        case XPATH_BOOLEAN:
            return sdk::fail(
                ErrorCode::InvalidArgument,
                "the XPath expression '" + expression_ + "' gives a boolean, not an identifier");
        default:
            return sdk::fail(ErrorCode::InvalidArgument, "the XPath expression '" + expression_ +
                                                             "' gives a value that is not text");
    }
    if (text == nullptr) throw std::bad_alloc();
    const std::string_view value = trimXmlSpace(toChar(text.get()));
    if (value.empty()) return std::optional<std::string>();
    return std::optional<std::string>(std::string(value));
}

bool isElement(const xmlNode* node, const char* ns, const char* local_name) noexcept {
    if (node == nullptr || node->type != XML_ELEMENT_NODE || node->name == nullptr) return false;
    if (std::strcmp(toChar(node->name), local_name) != 0) return false;
    const bool has_ns = node->ns != nullptr && node->ns->href != nullptr;
    if (ns == nullptr) return !has_ns;
    return has_ns && std::strcmp(toChar(node->ns->href), ns) == 0;
}

const xmlNode* firstElementChild(const xmlNode* node) noexcept {
    if (node == nullptr) return nullptr;
    for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
        if (child->type == XML_ELEMENT_NODE) return child;
    }
    return nullptr;
}

const xmlNode* nextElementSibling(const xmlNode* node) noexcept {
    if (node == nullptr) return nullptr;
    for (const xmlNode* next = node->next; next != nullptr; next = next->next) {
        if (next->type == XML_ELEMENT_NODE) return next;
    }
    return nullptr;
}

std::string textOf(const xmlNode* node) {
    if (node == nullptr) return {};
    std::unique_ptr<xmlChar, XmlCharFree> content(xmlNodeGetContent(node));
    if (content == nullptr) return {};
    return toChar(content.get());
}

std::string_view trimXmlSpace(std::string_view text) noexcept {
    while (!text.empty() && isSpace(text.front())) text.remove_prefix(1);
    while (!text.empty() && isSpace(text.back())) text.remove_suffix(1);
    return text;
}

}  // namespace relais::plugins::soap
