// SPDX-License-Identifier: AGPL-3.0-or-later
#include "support/test_pki.h"

#include <cctype>
#include <cstdlib>
#include <stdexcept>

namespace relais::test {

TestPki::TestPki() {
    ca_cert = dir_.file("ca.pem");
    ca_key = dir_.file("ca.key");
    run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2"
        " -subj '/CN=relais test CA' -keyout " +
        ca_key + " -out " + ca_cert +
        " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign");
    rogue_ca_cert = dir_.file("rogue-ca.pem");
    rogue_ca_key = dir_.file("rogue-ca.key");
    run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2"
        " -subj '/CN=rogue CA' -keyout " +
        rogue_ca_key + " -out " + rogue_ca_cert +
        " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign");

    issue("server", "/CN=127.0.0.1",
          "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n", ca_cert,
          ca_key);
    issue("client", "/CN=relais test client", "extendedKeyUsage=clientAuth\n", ca_cert, ca_key);
    issue("wrong-name", "/CN=wrong.example",
          "subjectAltName=DNS:wrong.example\nextendedKeyUsage=serverAuth\n", ca_cert, ca_key);
    issue("rogue-client", "/CN=rogue client", "extendedKeyUsage=clientAuth\n", rogue_ca_cert,
          rogue_ca_key);
    server_cert = dir_.file("server.pem");
    server_key = dir_.file("server.key");
    client_cert = dir_.file("client.pem");
    client_key = dir_.file("client.key");
    wrong_name_cert = dir_.file("wrong-name.pem");
    wrong_name_key = dir_.file("wrong-name.key");
    rogue_client_cert = dir_.file("rogue-client.pem");
    rogue_client_key = dir_.file("rogue-client.key");
    client_key_encrypted = dir_.file("client-encrypted.key");
    run("openssl pkey -in " + client_key + " -aes256 -passout pass:relais -out " +
        client_key_encrypted);
}

void TestPki::run(const std::string& command) {
    const std::string log = dir_.file("openssl.log");
    const std::string full = command + " >>" + log + " 2>&1";
    if (std::system(full.c_str()) != 0) {  // NOLINT(cert-env33-c, concurrency-mt-unsafe)
        throw std::runtime_error("failed: " + command + "\n" + readFileOrFail(log));
    }
}

TestPki::Issued TestPki::issue(const std::string& name, const std::string& subject,
                               const std::string& extensions, const std::string& issuer_cert,
                               const std::string& issuer_key) {
    const std::string ext = dir_.write(name + ".ext", extensions);
    run("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj '" + subject +
        "' -keyout " + dir_.file(name + ".key") + " -out " + dir_.file(name + ".csr"));
    run("openssl x509 -req -days 2 -in " + dir_.file(name + ".csr") + " -CA " + issuer_cert +
        " -CAkey " + issuer_key + " -set_serial " + std::to_string(++serial_) + " -extfile " + ext +
        " -out " + dir_.file(name + ".pem"));
    return {dir_.file(name + ".pem"), dir_.file(name + ".key")};
}

std::string TestPki::fingerprint(const std::string& cert) {
    const std::string out = dir_.file("fingerprint.txt");
    run("openssl x509 -in " + cert + " -noout -fingerprint -sha256 -out " + out);
    const std::string text = readFileOrFail(out);
    std::string hex;
    for (std::size_t i = text.find('=') + 1; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (std::isxdigit(c) != 0) hex += static_cast<char>(std::tolower(c));
    }
    return hex;
}

}  // namespace relais::test
