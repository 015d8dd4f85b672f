// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>

#include <Poco/Net/StreamSocket.h>

/// @file
/// The TLS client certificate of a connection, for authentication by certificate
/// (internal to relais_http).

namespace relais::http::detail {

/// The TLS client certificate of a connection, verified by the handshake against the
/// server's `client-ca` (VERIFY_RELAXED or STRICT); empty fields without one.
struct PeerCertificate {
    std::string sha256;  ///< of the DER form, lowercase hex
    std::string cn;
};

/// The certificate of `socket` (null: none), or empty fields when the connection is not
/// TLS or the client presented none.
PeerCertificate peerCertificate(Poco::Net::StreamSocket* socket);

}  // namespace relais::http::detail
