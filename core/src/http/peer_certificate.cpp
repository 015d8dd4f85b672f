// SPDX-License-Identifier: AGPL-3.0-or-later
#include "http/peer_certificate.h"

#include <array>
#include <string_view>

#include <Poco/Net/SecureStreamSocketImpl.h>
#include <Poco/Net/X509Certificate.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "relais/common/crypto.h"

namespace relais::http::detail {

PeerCertificate peerCertificate(Poco::Net::StreamSocket* socket) {
    PeerCertificate peer;
    if (socket == nullptr) return peer;
    auto* secure = dynamic_cast<Poco::Net::SecureStreamSocketImpl*>(socket->impl());
    if (secure == nullptr || !secure->havePeerCertificate()) return peer;
    const Poco::Net::X509Certificate certificate = secure->peerCertificate();
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (X509_digest(certificate.certificate(), EVP_sha256(), digest.data(), &length) != 1) {
        return peer;
    }
    peer.sha256 =
        common::toHex(std::string_view(reinterpret_cast<const char*>(digest.data()), length));
    peer.cn = certificate.commonName();
    return peer;
}

}  // namespace relais::http::detail
