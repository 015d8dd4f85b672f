// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

/// @file
/// Internal to the mapping module: the XML document a mapping builds, as a small tree of
/// elements in creation order, and its serialisation with escaping. Names are written as the
/// mapping declares them (`dem:nom`); the namespace declarations go on the root element.

namespace relais::mapping::detail {

struct XmlElement {
    std::string name;
    std::vector<std::pair<std::string, std::string>> attributes;
    std::string text;
    bool has_text = false;
    /// Owned children; pointers to them stay valid while the tree grows.
    std::vector<std::unique_ptr<XmlElement>> children;

    /// The first child named `child_name`, created (appended) when there is none.
    XmlElement& child(std::string_view child_name);
    /// A new child named `child_name`, appended.
    XmlElement& append(std::string_view child_name);
    const std::string* attribute(std::string_view attribute_name) const noexcept;
};

/// Removes, recursively, the elements that end up with no text, no attribute and no child
/// (the root itself is kept).
void pruneEmptyElements(XmlElement& element);

/// Whether `text` can be carried by XML 1.0: no control character but tab, line feed and
/// carriage return.
bool isXmlText(std::string_view text) noexcept;

/// The document: an XML declaration, then `root` with `namespaces` (prefix, URI; an empty
/// prefix is the default namespace) declared on it. `indent`: two spaces per level.
std::string serializeXml(const XmlElement& root,
                         const std::vector<std::pair<std::string, std::string>>& namespaces,
                         bool indent);

}  // namespace relais::mapping::detail
