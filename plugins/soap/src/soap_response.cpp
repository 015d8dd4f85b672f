// SPDX-License-Identifier: AGPL-3.0-or-later
#include "soap_response.h"

#include <algorithm>

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

// Length of the valid UTF-8 sequence starting at text[i], or 0 when invalid.
std::size_t utf8SequenceLength(std::string_view text, std::size_t i) noexcept {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    if (lead < 0x80) return 1;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
    } else {
        return 0;
    }
    if (i + length > text.size()) return 0;
    for (std::size_t k = 1; k < length; ++k) {
        if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return 0;
    }
    // RFC 3629's narrower second bytes: no overlong forms (E0, F0), no UTF-16 surrogates
    // (ED), nothing above U+10FFFF (F4). Found by the xml_envelope fuzzer.
    const auto second = static_cast<unsigned char>(text[i + 1]);
    if ((lead == 0xE0 && second < 0xA0) || (lead == 0xED && second > 0x9F) ||
        (lead == 0xF0 && second < 0x90) || (lead == 0xF4 && second > 0x8F)) {
        return 0;
    }
    return length;
}

// Removes the last UTF-8 character of `text` (its continuation bytes, then its lead byte).
void popCharacter(std::string& text) noexcept {
    while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0) == 0x80) {
        text.pop_back();
    }
    if (!text.empty()) text.pop_back();
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
    std::string clean;
    clean.reserve(std::min(text.size(), max_bytes + 8));
    bool pending_space = false;
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t length = utf8SequenceLength(text, i);
        if (length == 0) {
            ++i;  // invalid byte: dropped
            continue;
        }
        const auto c = static_cast<unsigned char>(text[i]);
        const auto c2 = length > 1 ? static_cast<unsigned char>(text[i + 1]) : 0;
        const auto c3 = length > 2 ? static_cast<unsigned char>(text[i + 2]) : 0;
        const bool c0_control = length == 1 && (c < 0x20 || c == 0x7f);
        const bool c1_control = length == 2 && c == 0xC2 && c2 < 0xA0;  // U+0080..U+009F
        const bool line_separator =
            length == 3 && c == 0xE2 && c2 == 0x80 && (c3 == 0xA8 || c3 == 0xA9);  // U+2028, U+2029
        if (c0_control || c1_control || line_separator) {
            // Control characters and line breaks of any kind would forge log lines.
            pending_space = !clean.empty();
            i += length;
            continue;
        }
        if (length == 1 && c == ' ') {
            pending_space = !clean.empty();
            ++i;
            continue;
        }
        const std::size_t needed = length + (pending_space ? 1 : 0);
        if (clean.size() + needed > max_bytes) {
            // Room for the ellipsis (3 bytes), cut on a character boundary.
            constexpr std::string_view kEllipsis = "…";
            while (!clean.empty() && clean.size() + kEllipsis.size() > max_bytes) {
                popCharacter(clean);
            }
            if (clean.size() + kEllipsis.size() <= max_bytes) clean += kEllipsis;
            return clean;
        }
        if (pending_space) clean += ' ';
        pending_space = false;
        clean.append(text.substr(i, length));
        i += length;
    }
    return clean;
}

}  // namespace relais::plugins::soap
