// SPDX-License-Identifier: AGPL-3.0-or-later
// Safe parsing of XML documents with libxml2 (relais/sdk/xml.h, sdk/xml_native.h).

#include <climits>
#include <cstdint>
#include <new>

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include "relais/sdk/xml.h"

#include "sdk/xml_errors.h"
#include "sdk/xml_native.h"

namespace relais::sdk {
namespace {

// No NOENT (entities stay unexpanded), no DTDLOAD/DTDATTR/DTDVALID (no DTD is ever read),
// no network, line numbers past 65535 kept. Documents with a DTD are refused anyway.
constexpr int kParseOptions = XML_PARSE_NONET | XML_PARSE_BIG_LINES;

/// What libxml2 stores in the 16-bit `xmlNode::line` for lines it cannot hold.
constexpr int kBigLine = 65535;

struct ParserCtxtFree {
    void operator()(xmlParserCtxt* ctxt) const noexcept { xmlFreeParserCtxt(ctxt); }
};

// State of one parse, reached from SAX callbacks through `ctxt->_private`.
struct ParseState {
    detail::XmlErrorCollector errors;
    bool doctype_seen = false;
    int doctype_line = 0;
};

ParseState* stateOf(void* user_data) {
    auto* ctxt = static_cast<xmlParserCtxt*>(user_data);
    return ctxt != nullptr ? static_cast<ParseState*>(ctxt->_private) : nullptr;
}

// SAX `internalSubset`: called as soon as `<!DOCTYPE name …` is read, before the internal
// subset (where entities are declared) is parsed. Stopping the parser here means not one
// entity declaration is looked at.
void refuseDoctype(void* user_data, const xmlChar* /*name*/, const xmlChar* /*external_id*/,
                   const xmlChar* /*system_id*/) {
    auto* ctxt = static_cast<xmlParserCtxt*>(user_data);
    if (ParseState* state = stateOf(user_data); state != nullptr) {
        state->doctype_seen = true;
        state->doctype_line = ctxt->input != nullptr ? ctxt->input->line : 0;
    }
    xmlStopParser(ctxt);
}

// SAX `startElementNs`: libxml2's own handler, then the element's line corrected to the
// line its start tag begins on. libxml2 records the line where the start tag ends, which
// for `<route name="…"\n       connector="…"/>` points below the element's name. The
// parser is still inside the tag when this runs, and a raw '<' cannot occur within a
// tag, so the nearest '<' before the cursor is the tag's start.
void onStartElement(void* user_data, const xmlChar* local_name, const xmlChar* prefix,
                    const xmlChar* uri, int namespace_count, const xmlChar** namespaces,
                    int attribute_count, int defaulted_count, const xmlChar** attributes) {
    xmlSAX2StartElementNs(user_data, local_name, prefix, uri, namespace_count, namespaces,
                          attribute_count, defaulted_count, attributes);
    auto* ctxt = static_cast<xmlParserCtxt*>(user_data);
    xmlNode* node = ctxt->node;
    const xmlParserInput* input = ctxt->input;
    if (node == nullptr || node->type != XML_ELEMENT_NODE || input == nullptr ||
        input->cur == nullptr || input->base == nullptr) {
        return;
    }
    int newlines = 0;
    const xmlChar* at = input->cur;
    while (at > input->base && *at != '<') {
        --at;
        if (*at == '\n') ++newlines;
    }
    if (*at != '<' || input->line - newlines <= 0) return;
    const int line = input->line - newlines;
    if (line < kBigLine) {
        node->line = static_cast<unsigned short>(line);
    } else {
        // node->line is 16 bits: libxml2 stores 65535 and, for elements, only an
        // approximation elsewhere. Our documents keep the exact line in `_private`.
        node->line = kBigLine;
        node->_private = reinterpret_cast<void*>(  // NOLINT(performance-no-int-to-ptr)
            static_cast<std::uintptr_t>(line));
    }
}

// SAX `serror` of the parser context: its user data is the context itself.
void onParserError(void* user_data, xmlError* error) {
    ParseState* state = stateOf(user_data);
    if (state != nullptr && error != nullptr) state->errors.add(*error);
}

bool onlyWhitespace(std::string_view text) noexcept {
    for (const char c : text) {
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return false;
    }
    return true;
}

}  // namespace

XmlDocPtr native::parse(std::string_view text, const std::string& name,
                        std::vector<XmlProblem>& problems, bool* doctype_refused) {
    initLibxml2();
    if (onlyWhitespace(text)) {
        problems.push_back({1, "the document is empty"});
        return nullptr;
    }
    if (text.size() > static_cast<std::size_t>(INT_MAX)) {
        problems.push_back({0, "the document is too large"});
        return nullptr;
    }
    std::unique_ptr<xmlParserCtxt, ParserCtxtFree> ctxt(xmlNewParserCtxt());
    if (ctxt == nullptr || ctxt->sax == nullptr) throw std::bad_alloc();
    ParseState state;
    ctxt->_private = &state;
    ctxt->sax->serror = &onParserError;
    ctxt->sax->internalSubset = &refuseDoctype;
    ctxt->sax->startElementNs = &onStartElement;
    ctxt->sax->externalSubset = nullptr;

    XmlDocPtr doc;
    {
        detail::ScopedXmlErrorCapture capture(state.errors);
        doc.reset(xmlCtxtReadMemory(ctxt.get(), text.data(), static_cast<int>(text.size()),
                                    name.empty() ? nullptr : name.c_str(), nullptr, kParseOptions));
    }
    const bool well_formed = ctxt->wellFormed != 0 && ctxt->nsWellFormed != 0;
    ctxt.reset();

    if (state.doctype_seen ||
        (doc != nullptr && (doc->intSubset != nullptr || doc->extSubset != nullptr))) {
        // The refusal comes first: what libxml2 said after the stop is noise.
        problems.push_back({state.doctype_line, std::string(kDoctypeRefused)});
        if (doctype_refused != nullptr) *doctype_refused = true;
        return nullptr;
    }
    problems = state.errors.take();
    if (problems.empty() && !well_formed)
        problems.push_back({0, "the document is not well-formed"});
    if (problems.empty() && (doc == nullptr || xmlDocGetRootElement(doc.get()) == nullptr)) {
        problems.push_back({1, "the document has no root element"});
    }
    if (!problems.empty()) return nullptr;
    return doc;
}

int native::lineOf(const xmlNode* node) noexcept {
    if (node == nullptr) return 0;
    if (node->type == XML_ATTRIBUTE_NODE) node = node->parent;
    if (node == nullptr) return 0;
    if (node->type == XML_ELEMENT_NODE && node->line == kBigLine && node->_private != nullptr) {
        return static_cast<int>(reinterpret_cast<std::uintptr_t>(node->_private));
    }
    const long line = xmlGetLineNo(node);
    if (line <= 0 || line > INT_MAX) return 0;
    return static_cast<int>(line);
}

ParsedXml parseXmlSafely(std::string_view text, const std::string& name) {
    ParsedXml out;
    XmlDocPtr doc = native::parse(text, name, out.problems, &out.doctype_refused);
    if (doc != nullptr) {
        out.doc = std::make_unique<XmlDocument>(
            std::make_unique<XmlDocument::Impl>(XmlDocument::Impl{std::move(doc)}));
    }
    return out;
}

}  // namespace relais::sdk
