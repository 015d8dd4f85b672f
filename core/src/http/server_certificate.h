// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include <openssl/ssl.h>

#include "relais/config/config.h"
#include "relais/http/server.h"
#include "relais/sdk/result.h"

/// @file
/// Internal to the HTTP module: the server's certificate, private key, chain and client CA,
/// replaceable while the server runs (SIGHUP after a renewal) without touching the
/// connections already open.

namespace relais::http::detail {

/// The TLS material of a listening socket.
///
/// Poco builds one `Context` (one `SSL_CTX`) per listening socket, with the files read at
/// start, and OpenSSL does not allow changing an `SSL_CTX` that connections are being made
/// from. So the material read here is handed to each new connection by a certificate
/// callback instead (`SSL_CTX_set_cert_cb`): a reload only swaps the pointer this callback
/// reads; connections already open keep the certificate they were made with, and the next
/// handshake gets the new one.
///
/// Thread-safety: `install` on the control thread before the socket accepts; `reload` and
/// `summary` from any thread; the callback runs on connection threads.
class ServerCertificate {
public:
    /// Reads the files named by `tls` (certificate with its chain, key, client CA when
    /// set). Fails (InvalidArgument, the message naming the file) on an unreadable or
    /// unparsable file, a key that does not match the certificate, or an expired
    /// certificate.
    static sdk::Result<std::unique_ptr<ServerCertificate>> load(const config::TlsConfig& tls);

    ~ServerCertificate();
    ServerCertificate(const ServerCertificate&) = delete;
    ServerCertificate& operator=(const ServerCertificate&) = delete;

    /// Makes every handshake of `context` use this material. `this` must outlive every
    /// connection made from `context`.
    void install(SSL_CTX* context);

    /// Reads the same files again and, when everything in them is usable, makes new
    /// connections use them. On failure, the material in use is kept.
    sdk::Result<CertificateInfo> reload();

    /// The certificate new connections get.
    CertificateInfo summary() const;

private:
    struct Material;

    ServerCertificate(config::TlsConfig tls, std::shared_ptr<const Material> material);
    static sdk::Result<std::shared_ptr<const Material>> read(const config::TlsConfig& tls);
    static int onHandshake(SSL* ssl, void* self) noexcept;
    std::shared_ptr<const Material> current() const;

    const config::TlsConfig tls_;
    mutable std::mutex mutex_;  // guards material_ (the pointer; the material is immutable)
    std::shared_ptr<const Material> material_;
};

}  // namespace relais::http::detail
