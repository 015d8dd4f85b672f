// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>
#include <libxml/xpath.h>

#include "relais/sdk/result.h"

/// @file
/// The libxml2 plumbing of the SOAP connector: safe parsing, error collection, XSD
/// validation and compiled XPath queries. The plugin cannot link the core's config module,
/// so it carries its own (smaller) version of what core/src/config does.
///
/// Safety: documents are parsed from memory with `XML_PARSE_NONET`, without entity
/// substitution and without DTD loading; a document with a `<!DOCTYPE` is refused as soon
/// as the declaration is read, before its internal subset, so neither external entities
/// (XXE) nor entity expansion (billion laughs) get a chance.
///
/// Errors: libxml2 never prints. Its messages go to per-context structured handlers, and
/// the few it raises outside a context to the calling thread's global handlers, which are
/// set for the duration of the call and restored afterwards (`ScopedXmlErrorCapture`).
///
/// Thread-safety: every function may run on several threads at once; `CompiledSchema` and
/// `XPathQuery` objects may be shared between threads.

namespace relais::plugins::soap {

/// Runs `xmlInitParser()` once per process and installs libxml2's no-network external
/// entity loader, so that nothing (a schema's `xs:import` of a URL included) makes libxml2
/// fetch anything over the network. The core installs the same loader; doing it here too
/// keeps the plugin safe when it runs without the core (logic tests).
void initXml();

/// libxml2's `const char*` → `const xmlChar*` without a cast that drops `const`.
inline const xmlChar* toXmlChar(const char* text) noexcept {
    return reinterpret_cast<const xmlChar*>(text);
}
inline const char* toChar(const xmlChar* text) noexcept {
    return reinterpret_cast<const char*>(text);
}

/// One problem found in a document.
struct XmlProblem {
    int line = 0;         ///< 1-based; 0 when unknown
    std::string message;  ///< cleaned up: one line, no trailing period
};

/// `line 3: message; line 7: message (and 4 more)`: the first `max_shown` problems.
std::string describeProblems(const std::vector<XmlProblem>& problems, std::size_t max_shown = 5);

/// Collects libxml2's errors (warnings dropped, at most 50). One per parse or validation,
/// used by the thread doing it; its callbacks never throw.
class XmlErrorCollector {
public:
    XmlErrorCollector() = default;
    XmlErrorCollector(const XmlErrorCollector&) = delete;
    XmlErrorCollector& operator=(const XmlErrorCollector&) = delete;

    void add(const xmlError& error) noexcept;
    void add(int line, std::string message) noexcept;

    /// What was collected (a pending text from the generic channel counts as one problem).
    std::vector<XmlProblem> take();

    /// `xmlStructuredErrorFunc` whose user data is the collector.
    static void onStructuredError(void* collector, xmlError* error);
    /// `xmlGenericErrorFunc` whose user data is the collector.
    // printf-like: the compiler checks libxml2's formats are passed through as formats.
    __attribute__((format(printf, 2, 3))) static void onGenericError(void* collector,
                                                                     const char* format, ...);

private:
    std::vector<XmlProblem> problems_;
    std::string generic_text_;
};

/// While alive, routes the calling thread's libxml2 global error channels (structured and
/// generic) to `collector`, and restores the previous handlers when destroyed: nothing is
/// left pointing at a dead collector.
class ScopedXmlErrorCapture {
public:
    explicit ScopedXmlErrorCapture(XmlErrorCollector& collector) noexcept;
    ~ScopedXmlErrorCapture();
    ScopedXmlErrorCapture(const ScopedXmlErrorCapture&) = delete;
    ScopedXmlErrorCapture& operator=(const ScopedXmlErrorCapture&) = delete;

private:
    xmlStructuredErrorFunc saved_structured_;
    void* saved_structured_context_;
    xmlGenericErrorFunc saved_generic_;
    void* saved_generic_context_;
};

/// Frees a libxml2 document.
struct XmlDocFree {
    void operator()(xmlDoc* doc) const noexcept;
};

/// An owned libxml2 document.
using XmlDocPtr = std::unique_ptr<xmlDoc, XmlDocFree>;

/// The outcome of `parseXmlSafely`: a document, or the problems (never both).
struct ParsedXml {
    XmlDocPtr doc;
    std::vector<XmlProblem> problems;
    bool doctype_refused = false;  ///< the first problem is the refused `<!DOCTYPE`
};

/// Parses `text` as described in the file comment. `url` names the document (base for
/// relative references, e.g. a schema's `xs:include`); may be empty. Refuses an empty
/// document, one that is not well-formed or namespace-well-formed, one with a DTD.
ParsedXml parseXmlSafely(std::string_view text, const std::string& url = {});

/// Text of the refusal of a document type declaration.
inline constexpr std::string_view kDoctypeRefused =
    "a document type declaration (<!DOCTYPE …>) is not allowed: DTDs and entities are "
    "refused (external entities read files, nested ones explode in size)";

/// The line a node starts on (its element's for an attribute); 0 when unknown.
int lineOf(const xmlNode* node) noexcept;

/// A compiled W3C XML Schema. Immutable once loaded; `check` may run on several threads.
class CompiledSchema {
public:
    /// Reads, parses (safely) and compiles the XSD at `path`; relative `xs:include`
    /// locations resolve against it. Errors: `InvalidArgument` naming the file (and line).
    static sdk::Result<std::unique_ptr<CompiledSchema>> load(const std::string& path);

    ~CompiledSchema();
    CompiledSchema(const CompiledSchema&) = delete;
    CompiledSchema& operator=(const CompiledSchema&) = delete;

    /// The problems of `doc` against the schema, in document order; empty when valid.
    /// `doc` is only read (no default attribute is added).
    std::vector<XmlProblem> check(const xmlDoc& doc) const;

    const std::string& path() const noexcept { return path_; }

private:
    CompiledSchema() = default;

    std::string path_;
    XmlDocPtr document_;  ///< the compiled schema points into it: lives as long
    xmlSchema* schema_ = nullptr;
};

/// A namespace prefix binding for XPath expressions and header element names.
struct NamespaceBinding {
    std::string prefix;
    std::string uri;
};

/// True when `name` is an XML NCName (a name without a colon), ASCII letters, digits,
/// `_`, `-`, `.` and non-ASCII bytes accepted.
bool isNcName(std::string_view name) noexcept;

/// Parses `prefix=uri` entries. Errors (`InvalidArgument`, field `namespaces`) quote the
/// faulty entry: no `=`, a prefix that is not an NCName or is `xml`/`xmlns`, an empty URI,
/// a prefix given twice.
sdk::Result<std::vector<NamespaceBinding>> parseNamespaceBindings(
    const std::vector<std::string>& entries);

/// An XPath 1.0 expression compiled once, evaluated against many documents.
///
/// Thread-safety: `evaluate` may be called from several threads. libxml2 caches function
/// lookups inside the compiled expression while evaluating it, so evaluations of one query
/// are serialized on `mutex_` (they take microseconds; each uses its own context).
class XPathQuery {
public:
    /// Compiles `expression` with `namespaces` declared, then evaluates it once against a
    /// probe document so that an undeclared prefix or an unknown function is caught now.
    /// Errors: `InvalidArgument` quoting the expression and libxml2's reason.
    static sdk::Result<std::unique_ptr<XPathQuery>> compile(
        const std::string& expression, std::vector<NamespaceBinding> namespaces);

    ~XPathQuery();
    XPathQuery(const XPathQuery&) = delete;
    XPathQuery& operator=(const XPathQuery&) = delete;

    /// The string value of the expression over `doc` (context node: the document): for a
    /// node-set, the first node's in document order; white space trimmed. `nullopt` when
    /// the result is an empty node-set, an empty string or NaN. Errors: `InvalidArgument`
    /// when evaluation fails or the result is a boolean.
    sdk::Result<std::optional<std::string>> evaluate(const xmlDoc& doc) const;

    const std::string& expression() const noexcept { return expression_; }

private:
    XPathQuery() = default;

    std::string expression_;
    std::vector<NamespaceBinding> namespaces_;
    xmlXPathCompExpr* compiled_ = nullptr;
    mutable std::mutex mutex_;  // guards compiled_ while it is evaluated
};

/// True when `node` is an element named `local_name` in namespace `ns` (null: in no
/// namespace).
bool isElement(const xmlNode* node, const char* ns, const char* local_name) noexcept;

/// The first element child of `node`, or null.
const xmlNode* firstElementChild(const xmlNode* node) noexcept;

/// The next element sibling of `node`, or null.
const xmlNode* nextElementSibling(const xmlNode* node) noexcept;

/// The text content of `node` (tags dropped).
std::string textOf(const xmlNode* node);

/// `text` without leading and trailing XML white space.
std::string_view trimXmlSpace(std::string_view text) noexcept;

}  // namespace relais::plugins::soap
