// SPDX-License-Identifier: AGPL-3.0-or-later
#include "soap_envelope.h"

#include <cerrno>
#include <cstdio>
#include <memory>
#include <new>
#include <sstream>
#include <system_error>

#include <Poco/Base64Encoder.h>
#include <Poco/SHA1Engine.h>
#include <libxml/tree.h>
#include <sys/random.h>

#include "soap_xml.h"

namespace relais::plugins::soap {
namespace {

struct XmlCharFree {
    void operator()(xmlChar* text) const noexcept { xmlFree(text); }
};

template <typename T>
T* required(T* pointer) {
    if (pointer == nullptr) throw std::bad_alloc();
    return pointer;
}

// <wsse:Security soap:mustUnderstand="1|true"><wsse:UsernameToken>…</wsse:UsernameToken>
xmlNode* addSecurity(xmlNode* header, xmlNs* env, SoapVersion version, const UsernameToken& token) {
    xmlNode* security = required(xmlNewChild(header, nullptr, toXmlChar("Security"), nullptr));
    xmlNs* wsse = required(xmlNewNs(security, toXmlChar(kWsseNamespace), toXmlChar("wsse")));
    xmlSetNs(security, wsse);
    // SOAP 1.1 spells the flag "1"; SOAP 1.2 uses xs:boolean and its examples say "true".
    required(xmlNewNsProp(security, env, toXmlChar("mustUnderstand"),
                          toXmlChar(version == SoapVersion::Soap11 ? "1" : "true")));

    xmlNode* username_token =
        required(xmlNewChild(security, wsse, toXmlChar("UsernameToken"), nullptr));
    // xmlNewTextChild escapes its content (xmlNewChild would read '&' as an entity).
    required(xmlNewTextChild(username_token, wsse, toXmlChar("Username"),
                             toXmlChar(token.username.c_str())));
    if (!token.digest) {
        xmlNode* password = required(xmlNewTextChild(username_token, wsse, toXmlChar("Password"),
                                                     toXmlChar(token.password.c_str())));
        required(xmlNewProp(password, toXmlChar("Type"), toXmlChar(kPasswordTextType)));
        return security;
    }
    const std::string digest = passwordDigest(token.nonce, token.created, token.password);
    xmlNode* password = required(
        xmlNewTextChild(username_token, wsse, toXmlChar("Password"), toXmlChar(digest.c_str())));
    required(xmlNewProp(password, toXmlChar("Type"), toXmlChar(kPasswordDigestType)));
    const std::string nonce = base64Encode(token.nonce);
    xmlNode* nonce_node = required(
        xmlNewTextChild(username_token, wsse, toXmlChar("Nonce"), toXmlChar(nonce.c_str())));
    required(xmlNewProp(nonce_node, toXmlChar("EncodingType"), toXmlChar(kBase64BinaryType)));
    xmlNode* created = required(xmlNewTextChild(username_token, nullptr, toXmlChar("Created"),
                                                toXmlChar(token.created.c_str())));
    xmlSetNs(created, required(xmlNewNs(created, toXmlChar(kWsuNamespace), toXmlChar("wsu"))));
    return security;
}

}  // namespace

const char* envelopeNamespace(SoapVersion version) noexcept {
    return version == SoapVersion::Soap11 ? kSoap11Namespace : kSoap12Namespace;
}

std::string buildEnvelope(const EnvelopeContent& content) {
    initXml();
    XmlDocPtr doc(required(xmlNewDoc(toXmlChar("1.0"))));
    xmlNode* envelope = required(xmlNewDocNode(doc.get(), nullptr, toXmlChar("Envelope"), nullptr));
    xmlDocSetRootElement(doc.get(), envelope);
    xmlNs* env =
        required(xmlNewNs(envelope, toXmlChar(envelopeNamespace(content.version)),
                          toXmlChar(content.version == SoapVersion::Soap11 ? "soap" : "env")));
    xmlSetNs(envelope, env);

    if (content.token != nullptr || !content.headers.empty()) {
        xmlNode* header = required(xmlNewChild(envelope, env, toXmlChar("Header"), nullptr));
        if (content.token != nullptr) addSecurity(header, env, content.version, *content.token);
        for (const HeaderBlock& block : content.headers) {
            xmlNode* element =
                required(xmlNewTextChild(header, nullptr, toXmlChar(block.local_name.c_str()),
                                         toXmlChar(block.text.c_str())));
            xmlSetNs(element, required(xmlNewNs(element, toXmlChar(block.namespace_uri.c_str()),
                                                toXmlChar(block.prefix.c_str()))));
        }
    }

    xmlNode* body = required(xmlNewChild(envelope, env, toXmlChar("Body"), nullptr));
    if (content.body_element != nullptr) {
        // A deep copy carries the namespace declarations of the copied subtree; references
        // to namespaces declared on the payload's root are rebound to the copies.
        xmlNode* copy =
            required(xmlDocCopyNode(const_cast<xmlNode*>(content.body_element), doc.get(), 1));
        if (xmlAddChild(body, copy) == nullptr) {
            xmlFreeNode(copy);
            throw std::bad_alloc();
        }
    }

    xmlChar* raw = nullptr;
    int size = 0;
    xmlDocDumpMemoryEnc(doc.get(), &raw, &size, "UTF-8");
    std::unique_ptr<xmlChar, XmlCharFree> text(raw);
    if (text == nullptr || size <= 0) throw std::bad_alloc();
    return {toChar(text.get()), static_cast<std::size_t>(size)};
}

std::string passwordDigest(std::string_view nonce, std::string_view created,
                           std::string_view password) {
    Poco::SHA1Engine sha1;
    sha1.update(nonce.data(), static_cast<unsigned>(nonce.size()));
    sha1.update(created.data(), static_cast<unsigned>(created.size()));
    sha1.update(password.data(), static_cast<unsigned>(password.size()));
    const Poco::DigestEngine::Digest& digest = sha1.digest();
    return base64Encode(
        std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

std::string base64Encode(std::string_view bytes) {
    std::ostringstream out;
    Poco::Base64Encoder encoder(out);
    encoder.rdbuf()->setLineLength(0);
    encoder.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    encoder.close();
    return out.str();
}

std::string randomBytes(std::size_t count) {
    std::string bytes(count, '\0');
    std::size_t filled = 0;
    while (filled < count) {
        const ssize_t n = ::getrandom(bytes.data() + filled, count - filled, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw std::system_error(errno, std::generic_category(), "getrandom");
        }
        filled += static_cast<std::size_t>(n);
    }
    return bytes;
}

std::string wsuCreated(sdk::Timestamp now) {
    constexpr std::int64_t kMicrosPerSecond = 1'000'000;
    std::int64_t sub_second = now.micros % kMicrosPerSecond;
    if (sub_second < 0) sub_second += kMicrosPerSecond;
    const sdk::Timestamp whole{now.micros - sub_second, 0};
    std::string text = whole.toUtcString();  // YYYY-MM-DDTHH:MM:SSZ
    char millis[8];
    std::snprintf(millis, sizeof millis, ".%03d", static_cast<int>(sub_second / 1000));
    text.insert(text.size() - 1, millis);
    return text;
}

}  // namespace relais::plugins::soap
