// SPDX-License-Identifier: AGPL-3.0-or-later
#include "soap_response.h"

#include "relais/sdk/http_helpers.h"

namespace relais::plugins::soap {
namespace {

constexpr const char* kNoFaultCode = "(no fault code)";

using sdk::trimXmlSpace;
using sdk::XmlElement;

// The namespace of the Envelope's element `node` belongs to, when it is one of SOAP's.
std::optional<SoapVersion> envelopeVersion(XmlElement root) noexcept {
    if (root.is(kSoap11Namespace, "Envelope")) return SoapVersion::Soap11;
    if (root.is(kSoap12Namespace, "Envelope")) return SoapVersion::Soap12;
    return std::nullopt;
}

// Fault children are looked up by local name, whatever their namespace (SOAP 1.1 fault
// children are unqualified, but some toolkits qualify them): XmlElement::child.
SoapFault readFault11(XmlElement fault) {
    SoapFault out;
    if (const XmlElement code = fault.child("faultcode")) {
        out.codes.emplace_back(trimXmlSpace(code.text()));
    }
    if (const XmlElement reason = fault.child("faultstring")) {
        out.reason = std::string(trimXmlSpace(reason.text()));
    }
    return out;
}

SoapFault readFault12(XmlElement fault) {
    SoapFault out;
    // Code/Value, then Code/Subcode/Value, Code/Subcode/Subcode/Value…
    for (XmlElement level = fault.child("Code"); level; level = level.child("Subcode")) {
        if (const XmlElement value = level.child("Value")) {
            out.codes.emplace_back(trimXmlSpace(value.text()));
        }
    }
    if (const XmlElement text = fault.child("Reason").child("Text")) {
        out.reason = std::string(trimXmlSpace(text.text()));
    }
    return out;
}

std::string collapsedSpace(std::string_view text) {
    std::string out;
    bool pending = false;
    for (const char c : text) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            pending = !out.empty();
            continue;
        }
        if (pending) out += ' ';
        pending = false;
        out += c;
    }
    return out;
}

}  // namespace

SoapResponse readSoapResponse(std::string_view body) {
    SoapResponse out;
    sdk::ParsedXml parsed = sdk::parseXmlSafely(body);
    out.problems = std::move(parsed.problems);
    out.doctype_refused = parsed.doctype_refused;
    out.doc = std::move(parsed.doc);
    if (out.doc == nullptr) return out;

    const XmlElement root = out.doc->root();
    out.root_name = std::string(root.localName());
    out.version = envelopeVersion(root);
    if (!out.version) return out;
    const char* ns = envelopeNamespace(*out.version);

    XmlElement body_node;
    for (XmlElement child = root.firstChild(); child; child = child.nextSibling()) {
        if (child.is(ns, "Body")) {
            body_node = child;
            break;
        }
    }
    for (XmlElement child = body_node.firstChild(); child; child = child.nextSibling()) {
        if (!child.is(ns, "Fault")) continue;
        SoapFault fault =
            *out.version == SoapVersion::Soap11 ? readFault11(child) : readFault12(child);
        if (fault.codes.empty() || fault.codes.front().empty()) {
            fault.codes.insert(fault.codes.begin(), kNoFaultCode);
        }
        out.fault = std::move(fault);
        break;
    }
    return out;
}

std::string_view localNameOf(std::string_view qualified_name) noexcept {
    const auto colon = qualified_name.rfind(':');
    return colon == std::string_view::npos ? qualified_name : qualified_name.substr(colon + 1);
}

bool faultMatches(const SoapFault& fault, const std::vector<std::string>& retry_faults) {
    const std::string reason = collapsedSpace(fault.reason);
    for (const std::string& entry : retry_faults) {
        if (entry.empty()) continue;
        for (const std::string& code : fault.codes) {
            if (code == kNoFaultCode) continue;
            const std::string_view local = localNameOf(code);
            if (entry == code || entry == local) return true;
            // SOAP 1.1 refines codes with dots: Server.Database is a kind of Server.
            if (local.size() > entry.size() && local.starts_with(entry) &&
                local[entry.size()] == '.') {
                return true;
            }
        }
        if (!reason.empty() && entry == reason) return true;
    }
    return false;
}

std::string describeFault(const SoapFault& fault, std::size_t max_reason_bytes) {
    std::string codes;
    for (const std::string& code : fault.codes) {
        if (!codes.empty()) codes += '/';
        codes += code;
    }
    std::string out = sanitizeText(codes, 100);
    const std::string reason = sanitizeText(fault.reason, max_reason_bytes);
    out += reason.empty() ? ": (no fault string)" : ": " + reason;
    return out;
}

std::string sanitizeText(std::string_view text, std::size_t max_bytes) {
    // The SDK's excerpt, without masking: invalid bytes dropped, a typographic ellipsis.
    return sdk::http::safeExcerpt(text, {}, max_bytes, sdk::http::ExcerptStyle{"", "…"});
}

}  // namespace relais::plugins::soap
