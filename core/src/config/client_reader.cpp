// SPDX-License-Identifier: AGPL-3.0-or-later
#include "config/client_reader.h"

#include <openssl/crypto.h>

#include "relais/common/crypto.h"
#include "relais/config/rights.h"
#include "relais/config/secrets.h"
#include "relais/config/xml.h"

namespace relais::config::detail {
namespace {

/// Shorter bearer keys are guessable; 16 bytes is the floor, `openssl rand -hex 32` the habit.
constexpr std::size_t kMinClientKeyBytes = 16;

/// Overwrites a secret's bytes before its memory is released.
void wipe(std::string& secret) noexcept {
    if (!secret.empty()) OPENSSL_cleanse(secret.data(), secret.size());
    secret.clear();
}

std::string knownRightsText() {
    std::string known;
    for (const std::string_view k : knownRights()) {
        if (!known.empty()) known += ", ";
        known += k;
    }
    return known;
}

}  // namespace

void ClientReader::read(const xmlNode* element) {
    ClientConfig client;
    client.where = in_.where(element);
    client.name = in_.requiredAttribute(element, "name");
    const std::string context = "client " + inQuotes(client.name);
    if (const auto [first, fresh] = clients_.emplace(client.name, element); !fresh) {
        in_.fail(element, context + ": a client with this name is already declared at line " +
                              std::to_string(lineOf(first->second)));
    }

    const auto key = xmlAttribute(element, "key");
    const auto key_sha256 = xmlAttribute(element, "key-sha256");
    if (key && key_sha256) {
        in_.fail(element, context + ": give either 'key' or 'key-sha256', not both");
    }
    if (key || key_sha256) {
        client.key_sha256 = key ? hashClientKey(element, context, *key) : *key_sha256;
        if (client.key_sha256.size() != 64 ||
            client.key_sha256.find_first_not_of("0123456789abcdef") != std::string::npos) {
            in_.fail(element, context +
                                  ", attribute 'key-sha256': must be 64 lowercase "
                                  "hexadecimal digits");
        }
        if (const auto [other, fresh] = keys_.emplace(client.key_sha256, element); !fresh) {
            in_.fail(element, context + ": same key as client " +
                                  inQuotes(in_.attributeOr(other->second, "name", "")) + " (line " +
                                  std::to_string(lineOf(other->second)) +
                                  "); each client needs its own key");
        }
    }

    for (const xmlNode* child : elementsOf(element)) {
        const std::string_view name = nameOf(child);
        if (name == "rights") {
            client.rights = splitList(xmlText(child));
            for (const std::string& right : client.rights) {
                if (!isKnownRight(right)) {
                    in_.fail(child, context + ", element 'rights': unknown right " +
                                        inQuotes(right) + " (known rights: " + knownRightsText() +
                                        ")");
                }
            }
        } else if (name == "procedures") {
            client.procedures = splitList(xmlText(child));
        } else if (name == "certify") {
            client.certify = splitList(xmlText(child));
            client.certify_max_level = in_.intAttribute(child, "max-level", 0, 1, 1000);
            certify_nodes_.emplace_back(child, config_.clients.size());
        } else if (name == "instances") {
            client.instances = splitList(xmlText(child));
            for (const std::string& instance : client.instances) {
                if (instance != "*" && instances_.find(instance) == nullptr) {
                    in_.fail(child, context +
                                        ", element 'instances': no adapter or connector "
                                        "named " +
                                        inQuotes(instance));
                }
            }
        } else if (name == "publik") {
            client.publik_orig = in_.requiredAttribute(child, "orig");
            if (const auto [other, fresh] = publik_origs_.emplace(client.publik_orig, child);
                !fresh) {
                in_.fail(child, context + ", element 'publik': orig " +
                                    inQuotes(client.publik_orig) + " is already given at line " +
                                    std::to_string(lineOf(other->second)));
            }
            client.publik_secret = resolveClientSecret(child, context + ", element 'publik'",
                                                       in_.requiredAttribute(child, "secret"));
        } else if (name == "hmac") {
            client.hmac_secret = resolveClientSecret(child, context + ", element 'hmac'",
                                                     in_.requiredAttribute(child, "secret"));
        } else if (name == "certificate") {
            client.certificate_sha256 = in_.attributeOr(child, "sha256", "");
            client.certificate_cn = in_.attributeOr(child, "cn", "");
            readCertificate(child, context, client);
        } else if (name == "rate-limit") {
            client.rate = in_.rateAttribute(child, "rate");
            if (xmlAttribute(child, "burst")) {
                client.burst = in_.intAttribute(child, "burst", 1, 1, 1024);
            }
        } else {
            in_.fail(child, context + ": unknown element " + inQuotes(name));
        }
    }
    if (client.key_sha256.empty() && client.publik_orig.empty() && client.hmac_secret.empty() &&
        client.certificate_sha256.empty() && client.certificate_cn.empty()) {
        in_.fail(element, context +
                              ": needs a credential: the attribute 'key' (a secret reference "
                              "such as file:/etc/relais/" +
                              client.name +
                              ".key), 'key-sha256' (the SHA-256 of the key), or a 'publik', "
                              "'hmac' or 'certificate' element");
    }
    config_.clients.push_back(std::move(client));
}

bool ClientReader::isDeclared(std::string_view name) const {
    return clients_.find(name) != clients_.end();
}

void ClientReader::checkCertifiedAttributes() const {
    for (const auto& [node, index] : certify_nodes_) {
        const ClientConfig& client = config_.clients[index];
        for (const std::string& name : client.certify) {
            if (config_.attributes.findKind(name) == nullptr) {
                in_.fail(node, "client " + inQuotes(client.name) +
                                   ", element 'certify': " + "attribute " + inQuotes(name) +
                                   " is not declared in <attributes>");
            }
        }
    }
}

void ClientReader::readCertificate(const xmlNode* element, const std::string& context,
                                   const ClientConfig& client) {
    const std::string at = context + ", element 'certificate': ";
    if (client.certificate_sha256.empty() == client.certificate_cn.empty()) {
        in_.fail(element, at + "give either 'sha256' (the certificate's fingerprint) or 'cn' "
                               "(its common name), not both or neither");
    }
    if (!config_.server.tls.enabled || config_.server.tls.ca_file.empty()) {
        in_.fail(element, at + "client certificates need <server><tls client-ca=\"…\"> (the "
                               "CAs they are checked against)");
    }
    const std::string& identity =
        client.certificate_sha256.empty() ? client.certificate_cn : client.certificate_sha256;
    if (const auto [other, fresh] = certificates_.emplace(identity, element); !fresh) {
        in_.fail(element, at + "the same certificate is given at line " +
                              std::to_string(lineOf(other->second)) +
                              "; each client needs its own");
    }
}

/// SHA-256 (hex) of the key `reference` points to. Errors name the reference only.
std::string ClientReader::hashClientKey(const xmlNode* element, const std::string& context,
                                        const std::string& reference) const {
    std::string key = resolveClientSecret(element, context, reference, "key");
    std::string digest = common::sha256Hex(key);
    wipe(key);
    return digest;
}

/// The client secret `reference` (attribute `attribute`) points to, at least
/// `kMinClientKeyBytes` long. Errors name the reference only.
std::string ClientReader::resolveClientSecret(const xmlNode* element, const std::string& context,
                                              const std::string& reference,
                                              std::string_view attribute) const {
    const std::string prefix = context + ", attribute " + inQuotes(attribute) + ": ";
    // Never quote the value: it may be the key itself, pasted where a reference belongs.
    if (!isSecretReference(reference)) {
        in_.fail(element, prefix +
                              "must be a secret reference (env:NAME or file:/path), not "
                              "the key itself: secrets are never written in the "
                              "configuration file");
    }
    const SecretResolver resolver(config_.base_dir);
    auto resolved = resolver.resolve(reference);
    if (!resolved) in_.fail(element, prefix + resolved.error().message);
    std::string key = std::move(resolved).value();
    if (key.size() < kMinClientKeyBytes) {
        wipe(key);
        in_.fail(element, prefix + "the key in " + inQuotes(reference) + " is shorter than " +
                              std::to_string(kMinClientKeyBytes) +
                              " bytes; use a random key (for example `openssl rand -hex 32`)");
    }
    return key;
}

}  // namespace relais::config::detail
