// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <libxml/tree.h>

#include "relais/sdk/visibility.h"
#include "relais/sdk/xml.h"

/// @file
/// Internal to relais (never installed, never included by a plugin): the libxml2 objects
/// behind the SDK's XML toolkit, for the SDK's own sources and for the core's config and
/// mapping readers, which walk libxml2 trees directly. Everything here is exported from
/// the SDK library so that there is one parser, one error collector and one schema
/// validator in the process.

namespace relais::sdk {

struct XmlDocFree {
    void operator()(xmlDoc* doc) const noexcept { xmlFreeDoc(doc); }
};

/// An owned libxml2 document.
using XmlDocPtr = std::unique_ptr<xmlDoc, XmlDocFree>;

struct XmlDocument::Impl {
    XmlDocPtr doc;
};

/// Builds `XmlElement` views over libxml2 nodes.
struct XmlElementAccess {
    static XmlElement of(const xmlNode* node) noexcept {
        return XmlElement(node != nullptr && node->type == XML_ELEMENT_NODE ? node : nullptr);
    }
    static const xmlNode* node(XmlElement element) noexcept {
        return static_cast<const xmlNode*>(element.node_);
    }
};

namespace native {

/// Runs `xmlInitParser()` and installs the no-network entity loader, once per process.
RELAIS_SDK_API void initLibxml2();

/// `parseXmlSafely` on libxml2's level: the document (owned by the caller), or null and
/// `problems` (and `*doctype_refused` when not null).
RELAIS_SDK_API XmlDocPtr parse(std::string_view text, const std::string& name,
                               std::vector<XmlProblem>& problems, bool* doctype_refused = nullptr);

/// `XmlSchema::check` of a libxml2 document (only read).
RELAIS_SDK_API std::vector<XmlProblem> check(const XmlSchema& schema, const xmlDoc& doc);

/// The line a node starts on; for an element of a document from `parse`, the line of the
/// `<` of its start tag, also beyond line 65535, which such documents keep in the element's
/// `_private` field (do not use `_private` of their elements for anything else).
/// Attributes: their element's line. 0 when unknown.
RELAIS_SDK_API int lineOf(const xmlNode* node) noexcept;

}  // namespace native
}  // namespace relais::sdk
