// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "relais/sdk/result.h"
#include "relais/sdk/visibility.h"

/// @file
/// The XML toolkit of the host (libxml2 inside the SDK library): safe parsing, a read-only
/// view of the parsed tree, XSD validation, XPath 1.0 with namespaces, serialised and
/// canonical (C14N) output. The core's configuration and mapping loaders use the same code,
/// so a plugin gets exactly the parser settings the core trusts.
///
/// Safety: documents are parsed from memory with `XML_PARSE_NONET`, without entity
/// substitution and without DTD loading; a document that has a document type declaration
/// (`<!DOCTYPE`) is refused as soon as the declaration is read, before its internal subset,
/// so neither external entities (XXE) nor entity expansion (billion laughs) get a chance.
/// XInclude is never processed. libxml2's own limits stay on (`XML_PARSE_HUGE` is never
/// set): 256 levels of nesting, 10 MB per text node; a document is at most 2 GB.
///
/// Errors: libxml2 never prints. Its messages are collected with their line and cleaned up
/// (one line, lower-case sentence starts, no trailing period, no `[facet …]` tags, control
/// characters dropped) into `XmlProblem`s; warnings are dropped; at most 100 per call.
///
/// Global state: the first call runs `xmlInitParser()` once for the process and installs
/// libxml2's no-network external entity loader, so that nothing in the process (a schema's
/// `xs:import` of a URL included) makes libxml2 fetch anything over the network.
///
/// Threading: every function may run on several threads at once. `XmlDocument` is safe to
/// read from several threads; `XmlSchema` and `XPathQuery` objects may be shared between
/// threads. No libxml2 type appears here: everything is reached through these classes.

namespace relais::sdk {

/// One problem found in a document or a schema.
struct XmlProblem {
    int line = 0;         ///< 1-based; 0 when unknown
    std::string message;  ///< libxml2's message, cleaned up; never empty
};

/// The message of a refused document type declaration, as `XmlProblem::message`.
inline constexpr std::string_view kDoctypeRefused =
    "a document type declaration (<!DOCTYPE …>) is not allowed: DTDs and entity "
    "declarations are refused (external entities read files, nested ones explode in size)";

/// `file:line: message` lines for `problems` (`file: message` without a line): the first
/// `max_lines`, then a last line `file: … and N more`. For start-up and config errors.
RELAIS_SDK_API std::string formatXmlProblems(const std::string& file_name,
                                             const std::vector<XmlProblem>& problems,
                                             std::size_t max_lines = 10);

/// `line 3: message; line 7: message (and 4 more)`: the first `max_shown` problems on one
/// line, each message cut at 300 bytes (on a UTF-8 boundary, with `…`). For error results
/// on the request path.
RELAIS_SDK_API std::string describeProblems(const std::vector<XmlProblem>& problems,
                                            std::size_t max_shown = 5);

/// `text` without leading and trailing XML white space (space, tab, CR, LF). The view
/// points into `text`.
RELAIS_SDK_API std::string_view trimXmlSpace(std::string_view text) noexcept;

/// `text` escaped for element content or an attribute value in double quotes: `&`, `<`,
/// `>`, `"` as entity references, CR as `&#13;` (so that it survives parsing). Bytes are
/// not checked: pass UTF-8.
RELAIS_SDK_API std::string escapeXml(std::string_view text);

/// True when `name` is an XML NCName (a name without a colon): ASCII letters, digits, `_`,
/// `-`, `.` and non-ASCII bytes, not starting with a digit, `-` or `.`.
RELAIS_SDK_API bool isNcName(std::string_view name) noexcept;

/// A read-only view of one element of an `XmlDocument`. Cheap to copy; valid as long as
/// the document lives (using it afterwards is undefined). A default-made view is "no
/// element": every accessor then returns an empty value.
class RELAIS_SDK_API XmlElement {
public:
    XmlElement() = default;

    /// False for "no element".
    explicit operator bool() const noexcept { return node_ != nullptr; }

    /// The local name (no prefix); empty for "no element".
    std::string_view localName() const noexcept;
    /// The namespace URI; empty when the element is in no namespace.
    std::string_view namespaceUri() const noexcept;
    /// True when the element is named `local_name` in namespace `namespace_uri` (empty:
    /// in no namespace).
    bool is(std::string_view namespace_uri, std::string_view local_name) const noexcept;

    /// The first element child, or "no element".
    XmlElement firstChild() const noexcept;
    /// The next element sibling, or "no element".
    XmlElement nextSibling() const noexcept;
    /// The first element child named `local_name`, whatever its namespace, or "no element".
    XmlElement child(std::string_view local_name) const noexcept;
    /// The element children, in document order.
    std::vector<XmlElement> children() const;

    /// The value of attribute `name` in no namespace; `nullopt` when absent.
    std::optional<std::string> attribute(std::string_view name) const;
    /// The text content (entities and CDATA included, tags dropped, white space kept).
    std::string text() const;
    /// The line the start tag begins on (also beyond 65535); 0 when unknown.
    int line() const noexcept;

    /// The element and its subtree as XML text (UTF-8, no declaration, no indentation
    /// added), with the namespace declarations it carries. Throws `std::bad_alloc`.
    std::string serialize() const;

private:
    friend class XmlDocument;
    friend struct XmlElementAccess;
    explicit XmlElement(const void* node) noexcept : node_(node) {}

    const void* node_ = nullptr;  ///< an `xmlNode` of the document
};

/// How `XmlDocument::canonical` writes a document (W3C Canonical XML).
enum class C14nMode {
    Inclusive,  ///< Canonical XML 1.0
    Exclusive,  ///< Exclusive XML Canonicalization 1.0 (what XML signatures mostly use)
};

/// A parsed document, owned by whoever holds it (made by `parseXmlSafely`). Immutable:
/// every method only reads it, so it may be read from several threads at once. Elements
/// keep the line their start tag begins on.
class RELAIS_SDK_API XmlDocument {
public:
    ~XmlDocument();
    XmlDocument(const XmlDocument&) = delete;
    XmlDocument& operator=(const XmlDocument&) = delete;

    /// The root element (never "no element" for a document from `parseXmlSafely`).
    XmlElement root() const noexcept;

    /// The document as XML text: UTF-8, with an XML declaration, no indentation added.
    /// Throws `std::bad_alloc`.
    std::string serialize() const;

    /// The canonical form (comments dropped unless `with_comments`). Throws
    /// `std::runtime_error` when libxml2 cannot canonicalise the document.
    std::string canonical(C14nMode mode = C14nMode::Inclusive, bool with_comments = false) const;

    /// Internal: the SDK builds documents; `Impl` holds the libxml2 tree.
    struct Impl;
    explicit XmlDocument(std::unique_ptr<Impl> impl) noexcept;
    /// Internal: the libxml2 tree, for the SDK's own code.
    const Impl& impl() const noexcept { return *impl_; }

private:
    std::unique_ptr<Impl> impl_;
};

/// What `parseXmlSafely` gives: a document, or the problems (never both).
struct ParsedXml {
    std::unique_ptr<XmlDocument> doc;  ///< null when the text was refused
    std::vector<XmlProblem> problems;  ///< why, in document order; empty with a document
    bool doctype_refused = false;      ///< the first problem is the refused `<!DOCTYPE`
};

/// Parses `text` as described in the file comment. `name` names the document (its URL,
/// base for relative references such as a schema's `xs:include`); may be empty. Refuses an
/// empty document, one that is not well-formed or namespace-well-formed, one without a
/// root element, one with a DTD. Never throws except `std::bad_alloc`.
RELAIS_SDK_API ParsedXml parseXmlSafely(std::string_view text, const std::string& name = {});

/// A compiled W3C XML Schema (XSD 1.0). Immutable once built; `check` may run on several
/// threads at once.
class RELAIS_SDK_API XmlSchema {
public:
    /// Compiles `text` (itself parsed with `parseXmlSafely`); `name` names it in messages
    /// and is the base for relative `xs:include`/`xs:import` locations (local files only).
    /// Returns null and fills `problems` when the text is not a valid schema.
    static std::unique_ptr<XmlSchema> compile(std::string_view text, std::string name,
                                              std::vector<XmlProblem>& problems);

    /// Reads (at most 16 MB) and compiles the XSD file at `path`. Errors: `InvalidArgument`
    /// naming the file (`schema '<path>': line 3: …`).
    static Result<std::unique_ptr<XmlSchema>> load(const std::string& path);

    ~XmlSchema();
    XmlSchema(const XmlSchema&) = delete;
    XmlSchema& operator=(const XmlSchema&) = delete;

    /// The problems of `doc` against this schema, in document order; empty when `doc` is
    /// valid. The document is not modified. When a value breaks a `pattern` facet, the
    /// message quotes the `xs:documentation` of the simple type declaring the pattern
    /// ("the value 'x' is not <documentation>") instead of the regular expression.
    std::vector<XmlProblem> check(const XmlDocument& doc) const;

    /// The name given to `compile` (the path for `load`).
    const std::string& name() const noexcept;

    /// Internal: `Impl` holds the compiled libxml2 schema.
    struct Impl;
    const Impl& impl() const noexcept { return *impl_; }

private:
    explicit XmlSchema(std::unique_ptr<Impl> impl) noexcept;
    std::unique_ptr<Impl> impl_;
};

/// A namespace prefix binding for XPath expressions.
struct NamespaceBinding {
    std::string prefix;
    std::string uri;
};

/// Parses `prefix=uri` config entries (white space around each part dropped, empty entries
/// skipped). Errors (`InvalidArgument`, field `namespaces`) quote the faulty entry: no `=`,
/// a prefix that is not an NCName or is `xml`/`xmlns`, an empty URI, a prefix given twice.
RELAIS_SDK_API Result<std::vector<NamespaceBinding>> parseNamespaceBindings(
    const std::vector<std::string>& entries);

/// An XPath 1.0 expression compiled once, evaluated against many documents. May be shared
/// between threads (evaluations of one query are serialised inside: libxml2 caches lookups
/// in the compiled expression; they take microseconds).
class RELAIS_SDK_API XPathQuery {
public:
    /// Compiles `expression` with `namespaces` declared, then evaluates it once against a
    /// probe document so that an undeclared prefix or an unknown function is caught now.
    /// Errors: `InvalidArgument` quoting the expression and libxml2's reason.
    static Result<std::unique_ptr<XPathQuery>> compile(const std::string& expression,
                                                       std::vector<NamespaceBinding> namespaces);

    ~XPathQuery();
    XPathQuery(const XPathQuery&) = delete;
    XPathQuery& operator=(const XPathQuery&) = delete;

    /// The string value of the expression over `doc` (context node: the document): for a
    /// node-set, the first node's in document order; white space trimmed. `nullopt` when
    /// the result is an empty node-set, an empty string or NaN. Errors: `InvalidArgument`
    /// when evaluation fails or the result is a boolean.
    Result<std::optional<std::string>> evaluate(const XmlDocument& doc) const;

    /// The expression as given to `compile`.
    const std::string& expression() const noexcept;

    /// Internal: `Impl` holds the compiled libxml2 expression.
    struct Impl;

private:
    explicit XPathQuery(std::unique_ptr<Impl> impl) noexcept;
    std::unique_ptr<Impl> impl_;
};

}  // namespace relais::sdk
