// SPDX-License-Identifier: AGPL-3.0-or-later
#include "mapping/xml_output.h"

#include <algorithm>

namespace relais::mapping::detail {
namespace {

void appendEscaped(std::string& out, std::string_view text, bool in_attribute) {
    std::size_t run = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const char* entity = nullptr;
        switch (c) {
            case '&':
                entity = "&amp;";
                break;
            case '<':
                entity = "&lt;";
                break;
            case '>':
                entity = "&gt;";
                break;
            case '"':
                entity = in_attribute ? "&quot;" : nullptr;
                break;
            case '\'':
                entity = in_attribute ? "&apos;" : nullptr;
                break;
            case '\r':
                // A raw CR would be normalised away by any parser.
                entity = "&#13;";
                break;
            case '\n':
                entity = in_attribute ? "&#10;" : nullptr;
                break;
            case '\t':
                entity = in_attribute ? "&#9;" : nullptr;
                break;
            default:
                break;
        }
        if (entity == nullptr) continue;
        out.append(text.data() + run, i - run);
        out += entity;
        run = i + 1;
    }
    out.append(text.data() + run, text.size() - run);
}

void serialize(const XmlElement& element, std::string& out, bool indent, int depth,
               const std::vector<std::pair<std::string, std::string>>* namespaces) {
    const auto newline = [&](int level) {
        if (!indent) return;
        out += '\n';
        out.append(static_cast<std::size_t>(level) * 2, ' ');
    };
    out += '<';
    out += element.name;
    if (namespaces != nullptr) {
        for (const auto& [prefix, uri] : *namespaces) {
            out += prefix.empty() ? " xmlns" : " xmlns:";
            out += prefix;
            out += "=\"";
            appendEscaped(out, uri, true);
            out += '"';
        }
    }
    for (const auto& [name, value] : element.attributes) {
        out += ' ';
        out += name;
        out += "=\"";
        appendEscaped(out, value, true);
        out += '"';
    }
    if (element.children.empty() && element.text.empty()) {
        out += "/>";
        return;
    }
    out += '>';
    appendEscaped(out, element.text, false);
    for (const auto& child : element.children) {
        newline(depth + 1);
        serialize(*child, out, indent, depth + 1, nullptr);
    }
    if (!element.children.empty()) newline(depth);
    out += "</";
    out += element.name;
    out += '>';
}

}  // namespace

XmlElement& XmlElement::child(std::string_view child_name) {
    for (const auto& existing : children) {
        if (existing->name == child_name) return *existing;
    }
    return append(child_name);
}

XmlElement& XmlElement::append(std::string_view child_name) {
    children.push_back(std::make_unique<XmlElement>());
    children.back()->name = std::string(child_name);
    return *children.back();
}

const std::string* XmlElement::attribute(std::string_view attribute_name) const noexcept {
    for (const auto& [name, value] : attributes) {
        if (name == attribute_name) return &value;
    }
    return nullptr;
}

void pruneEmptyElements(XmlElement& element) {
    for (auto& child : element.children) pruneEmptyElements(*child);
    element.children.erase(std::remove_if(element.children.begin(), element.children.end(),
                                          [](const std::unique_ptr<XmlElement>& child) {
                                              return child->children.empty() &&
                                                     child->attributes.empty() &&
                                                     child->text.empty();
                                          }),
                           element.children.end());
}

bool isXmlText(std::string_view text) noexcept {
    return std::none_of(text.begin(), text.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 && u != '\t' && u != '\n' && u != '\r';
    });
}

std::string serializeXml(const XmlElement& root,
                         const std::vector<std::pair<std::string, std::string>>& namespaces,
                         bool indent) {
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    serialize(root, out, indent, 0, &namespaces);
    out += '\n';
    return out;
}

}  // namespace relais::mapping::detail
