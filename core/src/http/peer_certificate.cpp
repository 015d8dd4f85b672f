// SPDX-License-Identifier: AGPL-3.0-or-later
#include "http/peer_certificate.h"

#include <array>
#include <memory>
#include <string_view>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "relais/common/crypto.h"

namespace relais::http::detail {

PeerCertificate peerCertificate(SSL* ssl) {
    PeerCertificate peer;
    if (ssl == nullptr) return peer;
    // Verified by the handshake when present: a certificate that failed verification
    // ended the handshake (verification is required or requested, never ignored).
    const std::unique_ptr<X509, decltype(&X509_free)> certificate(SSL_get1_peer_certificate(ssl),
                                                                  &X509_free);
    if (!certificate || SSL_get_verify_result(ssl) != X509_V_OK) return peer;
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (X509_digest(certificate.get(), EVP_sha256(), digest.data(), &length) != 1) return peer;
    peer.sha256 =
        common::toHex(std::string_view(reinterpret_cast<const char*>(digest.data()), length));
    std::array<char, 256> cn{};
    const int cn_length =
        X509_NAME_get_text_by_NID(X509_get_subject_name(certificate.get()), NID_commonName,
                                  cn.data(), static_cast<int>(cn.size()));
    if (cn_length > 0) peer.cn.assign(cn.data(), static_cast<std::size_t>(cn_length));
    return peer;
}

}  // namespace relais::http::detail
