// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>

#include <openssl/ssl.h>

/// @file
/// The TLS client certificate of a connection, for authentication by certificate
/// (internal to relais_http).

namespace relais::http::detail {

/// The TLS client certificate of a connection, verified by the handshake against the
/// server's `client-ca` (verification requested, or required); empty fields without one.
struct PeerCertificate {
    std::string sha256;  ///< of the DER form, lowercase hex
    std::string cn;
};

/// The certificate the client of `ssl` presented (null `ssl`: not TLS), or empty fields.
PeerCertificate peerCertificate(SSL* ssl);

}  // namespace relais::http::detail
