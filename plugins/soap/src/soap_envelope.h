// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "relais/sdk/time.h"
#include "relais/sdk/xml.h"

/// @file
/// Building the request envelope: SOAP 1.1 or 1.2, an optional `wsse:Security` header with
/// a UsernameToken (OASIS Web Services Security UsernameToken Profile 1.0), optional header
/// blocks, and the payload document as the Body's only child.

namespace relais::plugins::soap {

enum class SoapVersion { Soap11, Soap12 };

inline constexpr const char* kSoap11Namespace = "http://schemas.xmlsoap.org/soap/envelope/";
inline constexpr const char* kSoap12Namespace = "http://www.w3.org/2003/05/soap-envelope";

inline constexpr const char* kWsseNamespace =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
inline constexpr const char* kWsuNamespace =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
inline constexpr const char* kPasswordDigestType =
    "http://docs.oasis-open.org/wss/2004/01/"
    "oasis-200401-wss-username-token-profile-1.0#PasswordDigest";
inline constexpr const char* kPasswordTextType =
    "http://docs.oasis-open.org/wss/2004/01/"
    "oasis-200401-wss-username-token-profile-1.0#PasswordText";
inline constexpr const char* kBase64BinaryType =
    "http://docs.oasis-open.org/wss/2004/01/"
    "oasis-200401-wss-soap-message-security-1.0#Base64Binary";

/// The envelope namespace of `version`.
const char* envelopeNamespace(SoapVersion version) noexcept;

/// A WS-Security UsernameToken, ready to be written.
struct UsernameToken {
    std::string username;
    std::string password;
    bool digest = true;   ///< PasswordDigest (with Nonce and Created) or PasswordText
    std::string nonce;    ///< raw random bytes (digest mode)
    std::string created;  ///< `wsu:Created`, xsd:dateTime in UTC (digest mode)
};

/// A header block holding one text value, such as the idempotency key.
struct HeaderBlock {
    std::string namespace_uri;  ///< never empty: SOAP header blocks are qualified
    std::string prefix;
    std::string local_name;
    std::string text;
};

/// What goes into one envelope. The element and the pointer are borrowed for the call.
struct EnvelopeContent {
    SoapVersion version = SoapVersion::Soap11;
    sdk::XmlElement body_element;          ///< copied (with its namespaces) into Body
    const UsernameToken* token = nullptr;  ///< null: no wsse:Security header
    std::vector<HeaderBlock> headers;
};

/// The serialised envelope (UTF-8, with an XML declaration). Every text and attribute value
/// is escaped; names come checked from the config. Throws `std::bad_alloc` when memory runs
/// out; nothing else can fail.
std::string buildEnvelope(const EnvelopeContent& content);

/// `Base64(SHA-1(nonce + created + password))`, the UsernameToken profile's digest.
std::string passwordDigest(std::string_view nonce, std::string_view created,
                           std::string_view password);

/// Standard base64 with padding, on one line.
std::string base64Encode(std::string_view bytes);

/// `count` bytes from the kernel's CSPRNG (getrandom). Throws `std::system_error` in the
/// (practically impossible) case the kernel refuses.
std::string randomBytes(std::size_t count);

/// `now` as `wsu:Created` wants it: UTC, millisecond precision, `Z` suffix.
std::string wsuCreated(sdk::Timestamp now);

}  // namespace relais::plugins::soap
