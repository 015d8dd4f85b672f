// SPDX-License-Identifier: AGPL-3.0-or-later
#include "http/server_certificate.h"

#include <ctime>
#include <utility>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "relais/sdk/signing.h"

namespace relais::http::detail {
namespace {

using sdk::ErrorCode;

struct BioFree {
    void operator()(BIO* bio) const noexcept { BIO_free(bio); }
};
struct X509Free {
    void operator()(X509* cert) const noexcept { X509_free(cert); }
};
struct KeyFree {
    void operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }
};
struct ChainFree {
    void operator()(STACK_OF(X509) * chain) const noexcept { sk_X509_pop_free(chain, X509_free); }
};
struct StoreFree {
    void operator()(X509_STORE* store) const noexcept { X509_STORE_free(store); }
};
struct NamesFree {
    void operator()(STACK_OF(X509_NAME) * names) const noexcept {
        sk_X509_NAME_pop_free(names, X509_NAME_free);
    }
};

/// The reason OpenSSL gave last (and an empty error queue afterwards, so that the next
/// operation on this thread does not report it again).
std::string opensslReason() {
    std::string reason;
    if (const unsigned long code = ERR_peek_last_error(); code != 0) {
        char text[256];
        ERR_error_string_n(code, text, sizeof text);
        reason = text;
    }
    ERR_clear_error();
    return reason.empty() ? std::string() : " (" + reason + ")";
}

sdk::Error unusable(const std::string& what, const std::string& path, const std::string& why) {
    return sdk::Error{ErrorCode::InvalidArgument,
                      "TLS " + what + " '" + path + "': " + why + opensslReason(),
                      {}};
}

// Never prompt for a passphrase on the terminal of a daemon: an encrypted key is refused.
int noPassphrase(char*, int, int, void*) { return -1; }

std::unique_ptr<BIO, BioFree> openFile(const std::string& path) {
    return std::unique_ptr<BIO, BioFree>(BIO_new_file(path.c_str(), "r"));
}

CertificateInfo summarize(X509* cert) {
    CertificateInfo summary;
    if (std::unique_ptr<BIO, BioFree> out(BIO_new(BIO_s_mem())); out) {
        X509_NAME_print_ex(out.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
        char* data = nullptr;
        const long size = BIO_get_mem_data(out.get(), &data);
        if (size > 0) summary.subject.assign(data, static_cast<std::size_t>(size));
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (X509_digest(cert, EVP_sha256(), digest, &length) == 1) {
        summary.sha256 =
            sdk::signing::toHex({reinterpret_cast<const char*>(digest), std::size_t{length}});
    }
    std::tm tm{};
    if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) == 1) summary.not_after = timegm(&tm);
    ERR_clear_error();
    return summary;
}

}  // namespace

struct ServerCertificate::Material {
    std::unique_ptr<X509, X509Free> certificate;
    std::unique_ptr<EVP_PKEY, KeyFree> key;
    std::unique_ptr<STACK_OF(X509), ChainFree> chain;  // intermediates after the leaf
    std::unique_ptr<X509_STORE, StoreFree> client_ca;  // null: client certificates unverified
    std::unique_ptr<STACK_OF(X509_NAME), NamesFree> client_ca_names;
    CertificateInfo summary;
};

sdk::Result<std::shared_ptr<const ServerCertificate::Material>> ServerCertificate::read(
    const config::TlsConfig& tls) {
    ERR_clear_error();
    auto material = std::make_shared<Material>();

    // The certificate file: the server's certificate first, then its intermediates, as
    // SSL_CTX_use_certificate_chain_file reads it (and as certbot writes fullchain.pem).
    auto file = openFile(tls.certificate_file);
    if (!file) return unusable("certificate file", tls.certificate_file, "cannot be read");
    material->certificate.reset(PEM_read_bio_X509_AUX(file.get(), nullptr, noPassphrase, nullptr));
    if (!material->certificate) {
        return unusable("certificate file", tls.certificate_file, "no PEM certificate in it");
    }
    material->chain.reset(sk_X509_new_null());
    while (X509* next = PEM_read_bio_X509(file.get(), nullptr, noPassphrase, nullptr)) {
        if (sk_X509_push(material->chain.get(), next) == 0) {
            X509_free(next);
            return unusable("certificate file", tls.certificate_file, "out of memory");
        }
    }
    // The loop ends on "no start line" at the end of the file; anything else is damage.
    if (const unsigned long code = ERR_peek_last_error();
        code != 0 && ERR_GET_REASON(code) != PEM_R_NO_START_LINE) {
        return unusable("certificate file", tls.certificate_file, "a chain certificate is damaged");
    }
    ERR_clear_error();
    if (X509_cmp_current_time(X509_get0_notAfter(material->certificate.get())) < 0) {
        return unusable("certificate file", tls.certificate_file, "the certificate has expired");
    }

    auto key_file = openFile(tls.key_file);
    if (!key_file) return unusable("key file", tls.key_file, "cannot be read");
    material->key.reset(PEM_read_bio_PrivateKey(key_file.get(), nullptr, noPassphrase, nullptr));
    if (!material->key) {
        return unusable("key file", tls.key_file, "no unencrypted PEM private key in it");
    }
    if (X509_check_private_key(material->certificate.get(), material->key.get()) != 1) {
        return unusable("key file", tls.key_file,
                        "does not match the certificate in '" + tls.certificate_file + "'");
    }

    if (!tls.ca_file.empty()) {
        material->client_ca.reset(X509_STORE_new());
        if (!material->client_ca ||
            X509_STORE_load_file(material->client_ca.get(), tls.ca_file.c_str()) != 1) {
            return unusable("CA file", tls.ca_file, "no usable PEM certificate in it");
        }
        // The names sent in the certificate request, so that a client holding several
        // certificates picks one this CA issued.
        material->client_ca_names.reset(SSL_load_client_CA_file(tls.ca_file.c_str()));
        if (!material->client_ca_names) {
            return unusable("CA file", tls.ca_file, "no usable PEM certificate in it");
        }
    }
    material->summary = summarize(material->certificate.get());
    return std::shared_ptr<const Material>(std::move(material));
}

sdk::Result<std::unique_ptr<ServerCertificate>> ServerCertificate::load(
    const config::TlsConfig& tls) {
    auto material = read(tls);
    if (!material) return std::move(material).error();
    return std::unique_ptr<ServerCertificate>(new ServerCertificate(tls, std::move(*material)));
}

ServerCertificate::ServerCertificate(config::TlsConfig tls,
                                     std::shared_ptr<const Material> material)
    : tls_(std::move(tls)), material_(std::move(material)) {}

ServerCertificate::~ServerCertificate() = default;

void ServerCertificate::install(SSL_CTX* context) {
    SSL_CTX_set_cert_cb(context, &ServerCertificate::onHandshake, this);
}

sdk::Result<CertificateInfo> ServerCertificate::reload() {
    auto material = read(tls_);
    if (!material) return std::move(material).error();
    CertificateInfo summary = (*material)->summary;
    std::lock_guard lock(mutex_);
    material_ = std::move(*material);
    return summary;
}

CertificateInfo ServerCertificate::summary() const { return current()->summary; }

std::shared_ptr<const ServerCertificate::Material> ServerCertificate::current() const {
    std::lock_guard lock(mutex_);
    return material_;
}

int ServerCertificate::onHandshake(SSL* ssl, void* self) noexcept {
    // The connection takes its own references: the material may be replaced (and freed)
    // while the connection lives.
    const auto material = static_cast<const ServerCertificate*>(self)->current();
    if (SSL_use_certificate(ssl, material->certificate.get()) != 1 ||
        SSL_use_PrivateKey(ssl, material->key.get()) != 1 ||
        SSL_set1_chain(ssl, material->chain.get()) != 1) {
        return 0;  // the handshake fails with an internal error alert
    }
    if (material->client_ca) {
        if (SSL_set1_verify_cert_store(ssl, material->client_ca.get()) != 1) return 0;
        // SSL_set_client_CA_list takes ownership of its argument.
        STACK_OF(X509_NAME)* names = SSL_dup_CA_list(material->client_ca_names.get());
        if (names == nullptr) return 0;
        SSL_set_client_CA_list(ssl, names);
    }
    return 1;
}

}  // namespace relais::http::detail
