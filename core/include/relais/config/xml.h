// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <libxml/tree.h>

#include "relais/sdk/result.h"
#include "relais/sdk/xml.h"

/// @file
/// The libxml2 trees the configuration loader and the mapping engine walk, with
/// start-up style errors (`relais::ConfigError` naming file and line). Parsing, error
/// collection and XSD validation are the SDK's XML toolkit (relais/sdk/xml.h, whose file
/// comment gives the safety settings and the global state): this header only hands its
/// libxml2 documents to the core's readers.
///
/// Thread-safety: every function may be called from several threads at once; an
/// `XmlSchema` may be shared between threads for `check`/`validate`.

namespace relais::config {

/// Frees a libxml2 document.
struct XmlDocFree {
    void operator()(xmlDoc* doc) const noexcept;
};

/// An owned libxml2 document. Nodes keep their line numbers (`lineOf`).
using XmlDocument = std::unique_ptr<xmlDoc, XmlDocFree>;

/// One problem found in a document (line and cleaned-up message).
using sdk::XmlProblem;

/// `file:line: message` lines for `problems` (the first `max_lines`; a last line says how
/// many more there were).
using sdk::formatXmlProblems;

/// Parses `text` (`file_name` only names it in messages and is the document's URL).
/// Refuses documents that are not well-formed, that have a DTD or entity declarations, or
/// that are empty. Throws `relais::ConfigError` with `file:line: what` (the first problem
/// first, one line per problem).
XmlDocument parseXmlSafely(std::string_view text, const std::string& file_name);

/// Same as `parseXmlSafely`, for request paths: the error (`InvalidArgument`) carries the
/// same `file:line: what` message instead of an exception.
sdk::Result<XmlDocument> tryParseXmlSafely(std::string_view text, const std::string& file_name);

/// A compiled W3C XML Schema (XSD 1.0). Immutable once built; move-only.
class XmlSchema {
public:
    /// Compiles `schema_text` (itself parsed with `parseXmlSafely`). `schema_name` names it
    /// in messages and is the base for relative `xs:include`/`xs:import` locations. Throws
    /// `relais::ConfigError` when the text is not a valid schema.
    XmlSchema(std::string_view schema_text, std::string schema_name);
    ~XmlSchema();
    XmlSchema(XmlSchema&&) noexcept;
    XmlSchema& operator=(XmlSchema&&) noexcept;
    XmlSchema(const XmlSchema&) = delete;
    XmlSchema& operator=(const XmlSchema&) = delete;

    /// The problems of `doc` against this schema, in document order; empty when `doc` is
    /// valid. The document is not modified (no default attributes are added). When a value
    /// breaks a `pattern` facet, the message quotes the `xs:documentation` of the schema's
    /// simple type that declares the pattern instead of the regular expression.
    std::vector<XmlProblem> check(const xmlDoc& doc) const;

    /// Throws `relais::ConfigError` (`formatXmlProblems(file_name, …)`) when `check` finds
    /// problems.
    void validate(const xmlDoc& doc, const std::string& file_name) const;

    const std::string& name() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Compiles `schema_text` and validates `doc` against it (`XmlSchema::validate`). Compile
/// once and keep the `XmlSchema` when validating many documents.
void validateAgainstSchema(const xmlDoc& doc, std::string_view schema_text,
                           const std::string& file_name);

/// The line a node starts on; for an element of a document from `parseXmlSafely`, the
/// line of the `<` of its start tag (libxml2 alone records where the start tag ends), also
/// beyond line 65535, which such documents keep in the element's `_private` field (do not
/// use `_private` of their elements for anything else). Attributes: their element's line.
/// 0 when unknown.
int lineOf(const xmlNode* node) noexcept;

/// The value of attribute `name` (no namespace) of `element`; empty when absent.
std::optional<std::string> xmlAttribute(const xmlNode* element, const char* name);

/// The text content of a node (entities and CDATA included, tags dropped).
std::string xmlText(const xmlNode* node);

/// True when `node` is an element named `name`.
bool isNamed(const xmlNode* node, std::string_view name) noexcept;

/// The element's local name; `node` must not be null.
std::string_view nameOf(const xmlNode* node) noexcept;

/// Element children of `parent`, in document order.
std::vector<const xmlNode*> elementsOf(const xmlNode* parent);

}  // namespace relais::config
