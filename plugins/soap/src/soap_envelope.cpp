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
#include <sys/random.h>

namespace relais::plugins::soap {
namespace {

// `<prefix:name xmlns:prefix="uri" attributes>text</prefix:name>`, the text escaped.
std::string element(std::string_view qualified_name, std::string_view attributes,
                    std::string_view text) {
    std::string out = "<";
    out.append(qualified_name).append(attributes).append(">");
    out += sdk::escapeXml(text);
    out.append("</").append(qualified_name).append(">");
    return out;
}

std::string namespaceDeclaration(std::string_view prefix, std::string_view uri) {
    return " xmlns:" + std::string(prefix) + "=\"" + sdk::escapeXml(uri) + "\"";
}

// <wsse:Security soap:mustUnderstand="1|true"><wsse:UsernameToken>…</wsse:UsernameToken>
std::string security(const std::string& env, SoapVersion version, const UsernameToken& token) {
    // SOAP 1.1 spells the flag "1"; SOAP 1.2 uses xs:boolean and its examples say "true".
    std::string out = "<wsse:Security" + namespaceDeclaration("wsse", kWsseNamespace) + " " + env +
                      ":mustUnderstand=\"" + (version == SoapVersion::Soap11 ? "1" : "true") +
                      "\">";
    out += "<wsse:UsernameToken>";
    out += element("wsse:Username", "", token.username);
    if (!token.digest) {
        out += element("wsse:Password", " Type=\"" + sdk::escapeXml(kPasswordTextType) + "\"",
                       token.password);
    } else {
        out += element("wsse:Password", " Type=\"" + sdk::escapeXml(kPasswordDigestType) + "\"",
                       passwordDigest(token.nonce, token.created, token.password));
        out += element("wsse:Nonce", " EncodingType=\"" + sdk::escapeXml(kBase64BinaryType) + "\"",
                       base64Encode(token.nonce));
        out += element("wsu:Created", namespaceDeclaration("wsu", kWsuNamespace), token.created);
    }
    out += "</wsse:UsernameToken></wsse:Security>";
    return out;
}

}  // namespace

const char* envelopeNamespace(SoapVersion version) noexcept {
    return version == SoapVersion::Soap11 ? kSoap11Namespace : kSoap12Namespace;
}

std::string buildEnvelope(const EnvelopeContent& content) {
    const std::string env = content.version == SoapVersion::Soap11 ? "soap" : "env";
    // The layout libxml2's document dump wrote when the envelope was built as a tree.
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out += "<" + env + ":Envelope" + namespaceDeclaration(env, envelopeNamespace(content.version)) +
           ">";
    if (content.token != nullptr || !content.headers.empty()) {
        out += "<" + env + ":Header>";
        if (content.token != nullptr) out += security(env, content.version, *content.token);
        for (const HeaderBlock& block : content.headers) {
            out += element(block.prefix + ":" + block.local_name,
                           namespaceDeclaration(block.prefix, block.namespace_uri), block.text);
        }
        out += "</" + env + ":Header>";
    }
    // The payload's root carries every namespace declaration its subtree uses (it was a
    // document's root), so its serialisation stands on its own inside Body.
    const std::string body = content.body_element.serialize();
    out +=
        body.empty() ? "<" + env + ":Body/>" : "<" + env + ":Body>" + body + "</" + env + ":Body>";
    out += "</" + env + ":Envelope>\n";
    return out;
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
