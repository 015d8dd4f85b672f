// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>

#include "support/temp_dir.h"

/// @file
/// Throw-away certificates for TLS tests, made with the `openssl` command line (an
/// implementation independent of the code under test).

namespace relais::test {

/// Certificates made with the `openssl` command line in a temporary directory: a CA; a
/// server certificate for 127.0.0.1 and localhost; a client certificate; a server
/// certificate for another name; a second CA and a client certificate it signed; the
/// client key encrypted. All EC P-256, valid two days. Throws `std::runtime_error` with
/// openssl's output when a command fails.
class TestPki {
public:
    TestPki();

    std::string ca_cert, ca_key;
    std::string server_cert, server_key;          ///< CN=127.0.0.1
    std::string client_cert, client_key;          ///< CN=relais test client
    std::string client_key_encrypted;             ///< `client_key` under the passphrase "relais"
    std::string wrong_name_cert, wrong_name_key;  ///< CN=wrong.example
    std::string rogue_ca_cert, rogue_ca_key;      ///< another CA
    std::string rogue_client_cert, rogue_client_key;  ///< CN=rogue client, from the rogue CA

    struct Issued {
        std::string cert, key;
    };
    /// A new key and certificate `name`.pem/.key for `subject` (`/CN=…`) with `extensions`
    /// (openssl extension-file lines), signed by `issuer_cert`/`issuer_key`.
    Issued issue(const std::string& name, const std::string& subject, const std::string& extensions,
                 const std::string& issuer_cert, const std::string& issuer_key);

    /// The SHA-256 fingerprint of a PEM certificate as relais's config takes it (lowercase
    /// hex, no colons), from `openssl x509 -fingerprint`.
    std::string fingerprint(const std::string& cert);

    /// A path in the PKI's directory.
    std::string file(const std::string& name) const { return dir_.file(name); }

private:
    void run(const std::string& command);

    TempDir dir_;
    int serial_ = 1000;
};

}  // namespace relais::test
