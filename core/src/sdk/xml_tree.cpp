// SPDX-License-Identifier: AGPL-3.0-or-later
// Reading a parsed document (relais/sdk/xml.h): element views, serialised and canonical
// output.

#include <cstring>
#include <new>
#include <stdexcept>

#include <libxml/c14n.h>
#include <libxml/tree.h>
#include <libxml/xmlsave.h>

#include "relais/sdk/xml.h"

#include "sdk/xml_native.h"

namespace relais::sdk {
namespace {

struct XmlCharFree {
    void operator()(xmlChar* text) const noexcept { xmlFree(text); }
};

struct BufferFree {
    void operator()(xmlBuffer* buffer) const noexcept { xmlBufferFree(buffer); }
};

const xmlNode* nodeOf(const void* node) noexcept { return static_cast<const xmlNode*>(node); }

std::string_view viewOf(const xmlChar* text) noexcept {
    return text == nullptr ? std::string_view() : reinterpret_cast<const char*>(text);
}

const xmlNode* nextElement(const xmlNode* node) noexcept {
    while (node != nullptr && node->type != XML_ELEMENT_NODE) node = node->next;
    return node;
}

}  // namespace

std::string_view XmlElement::localName() const noexcept {
    return node_ == nullptr ? std::string_view() : viewOf(nodeOf(node_)->name);
}

std::string_view XmlElement::namespaceUri() const noexcept {
    if (node_ == nullptr || nodeOf(node_)->ns == nullptr) return {};
    return viewOf(nodeOf(node_)->ns->href);
}

bool XmlElement::is(std::string_view namespace_uri, std::string_view local_name) const noexcept {
    return node_ != nullptr && localName() == local_name && namespaceUri() == namespace_uri;
}

XmlElement XmlElement::firstChild() const noexcept {
    if (node_ == nullptr) return {};
    return XmlElementAccess::of(nextElement(nodeOf(node_)->children));
}

XmlElement XmlElement::nextSibling() const noexcept {
    if (node_ == nullptr) return {};
    return XmlElementAccess::of(nextElement(nodeOf(node_)->next));
}

XmlElement XmlElement::child(std::string_view local_name) const noexcept {
    for (XmlElement element = firstChild(); element; element = element.nextSibling()) {
        if (element.localName() == local_name) return element;
    }
    return {};
}

std::vector<XmlElement> XmlElement::children() const {
    std::vector<XmlElement> out;
    for (XmlElement element = firstChild(); element; element = element.nextSibling()) {
        out.push_back(element);
    }
    return out;
}

std::optional<std::string> XmlElement::attribute(std::string_view name) const {
    if (node_ == nullptr) return std::nullopt;
    const std::string key(name);
    std::unique_ptr<xmlChar, XmlCharFree> value(
        xmlGetNoNsProp(nodeOf(node_), reinterpret_cast<const xmlChar*>(key.c_str())));
    if (value == nullptr) return std::nullopt;
    return std::string(viewOf(value.get()));
}

std::string XmlElement::text() const {
    if (node_ == nullptr) return {};
    std::unique_ptr<xmlChar, XmlCharFree> content(xmlNodeGetContent(nodeOf(node_)));
    if (content == nullptr) return {};
    return std::string(viewOf(content.get()));
}

int XmlElement::line() const noexcept { return native::lineOf(nodeOf(node_)); }

std::string XmlElement::serialize() const {
    if (node_ == nullptr) return {};
    std::unique_ptr<xmlBuffer, BufferFree> buffer(xmlBufferCreate());
    if (buffer == nullptr) throw std::bad_alloc();
    // libxml2 only reads the node; its API is not const-correct.
    auto* node = const_cast<xmlNode*>(nodeOf(node_));
    if (xmlNodeDump(buffer.get(), node->doc, node, 0, 0) < 0) throw std::bad_alloc();
    return std::string(reinterpret_cast<const char*>(xmlBufferContent(buffer.get())),
                       static_cast<std::size_t>(xmlBufferLength(buffer.get())));
}

XmlDocument::XmlDocument(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}

XmlDocument::~XmlDocument() = default;

XmlElement XmlDocument::root() const noexcept {
    return XmlElementAccess::of(xmlDocGetRootElement(impl_->doc.get()));
}

std::string XmlDocument::serialize() const {
    xmlChar* raw = nullptr;
    int size = 0;
    xmlDocDumpMemoryEnc(impl_->doc.get(), &raw, &size, "UTF-8");
    std::unique_ptr<xmlChar, XmlCharFree> text(raw);
    if (text == nullptr || size <= 0) throw std::bad_alloc();
    return {reinterpret_cast<const char*>(text.get()), static_cast<std::size_t>(size)};
}

std::string XmlDocument::canonical(C14nMode mode, bool with_comments) const {
    xmlChar* raw = nullptr;
    const int size =
        xmlC14NDocDumpMemory(impl_->doc.get(), nullptr,
                             mode == C14nMode::Exclusive ? XML_C14N_EXCLUSIVE_1_0 : XML_C14N_1_0,
                             nullptr, with_comments ? 1 : 0, &raw);
    std::unique_ptr<xmlChar, XmlCharFree> text(raw);
    if (size < 0 || text == nullptr) {
        throw std::runtime_error("libxml2 could not canonicalise the document");
    }
    return {reinterpret_cast<const char*>(text.get()), static_cast<std::size_t>(size)};
}

}  // namespace relais::sdk
