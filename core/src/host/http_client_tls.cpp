// SPDX-License-Identifier: AGPL-3.0-or-later
#include "host/http_client_tls.h"

#include <algorithm>
#include <vector>

#include <Poco/Exception.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Net/X509Certificate.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

namespace relais::host::http_detail {
namespace {

using sdk::ErrorCode;
using sdk::fail;

// Forward-secret AEAD/CBC suites of TLS 1.2 (TLS 1.3 suites are configured apart by
// OpenSSL and are all fine).
constexpr const char* kCipherList = "HIGH:!aNULL:!eNULL:!MD5:!RC4:!3DES:!PSK:!SRP:!CAMELLIA";

// Written by the verification callback, read after the handshake, on the same thread: the
// handshake of a blocking socket runs on the thread that connects. Plain ints, so that the
// thread-locals need no construction or destruction.
thread_local int t_verify_error = X509_V_OK;
thread_local int t_verify_depth = 0;

int recordVerifyFailure(int preverify_ok, X509_STORE_CTX* store) {
    if (preverify_ok != 1 && t_verify_error == X509_V_OK) {
        t_verify_error = X509_STORE_CTX_get_error(store);
        t_verify_depth = X509_STORE_CTX_get_error_depth(store);
    }
    // The chain verdict of OpenSSL stands: never accept what it refused.
    return preverify_ok;
}

// An encrypted key would otherwise make OpenSSL (through Poco's default callback) prompt
// on the console. TlsOptions has no passphrase: refuse.
int refusePassphrase(char* /*buffer*/, int /*size*/, int /*rwflag*/, void* /*userdata*/) {
    return -1;
}

/// The OpenSSL error queue of the calling thread, emptied.
struct SslErrors {
    std::vector<unsigned long> codes;

    SslErrors() {
        unsigned long code = 0;
        while ((code = ERR_get_error()) != 0) codes.push_back(code);
    }
    bool has(int library, int reason) const {
        return std::any_of(codes.begin(), codes.end(), [&](unsigned long code) {
            return ERR_GET_LIB(code) == library && ERR_GET_REASON(code) == reason;
        });
    }
    std::string text() const {
        std::string message;
        for (const unsigned long code : codes) {
            char buffer[256];
            ERR_error_string_n(code, buffer, sizeof buffer);
            if (!message.empty()) message += "; ";
            message += buffer;
        }
        return message.empty() ? "unknown OpenSSL error" : message;
    }
};

// "mtime:size:inode" of a file, "missing" when it cannot be stat'ed (the load that follows
// then reports why).
std::string fileVersion(const std::string& path) {
    if (path.empty()) return "-";
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) return "missing";
    return std::to_string(info.st_mtim.tv_sec) + "." + std::to_string(info.st_mtim.tv_nsec) + ":" +
           std::to_string(info.st_size) + ":" + std::to_string(info.st_ino);
}

std::string optionsKey(const sdk::TlsOptions& options) {
    std::string key = options.verify_peer ? "verify" : "noverify";
    for (const std::string* part :
         {&options.ca_file, &options.client_cert_file, &options.client_key_file}) {
        key += '\n';
        key += *part;
    }
    return key;
}

sdk::Error keyMismatch(const sdk::TlsOptions& options, const std::string& key_file,
                       const char* key_field) {
    return fail(ErrorCode::InvalidArgument,
                std::string(key_field) + ": the private key " + key_file +
                    " does not match the certificate " + options.client_cert_file,
                key_field);
}

sdk::Result<Poco::Net::Context::Ptr> createContext(const sdk::TlsOptions& options) {
    if (options.client_cert_file.empty() && !options.client_key_file.empty()) {
        return fail(ErrorCode::InvalidArgument,
                    "tls.client_key_file is set but tls.client_cert_file is not",
                    "tls.client_cert_file");
    }

    Poco::Net::Context::Params params;
    params.verificationMode =
        options.verify_peer ? Poco::Net::Context::VERIFY_STRICT : Poco::Net::Context::VERIFY_NONE;
    params.caLocation = options.verify_peer ? options.ca_file : std::string();
    params.loadDefaultCAs = options.verify_peer && options.ca_file.empty();
    params.cipherList = kCipherList;

    Poco::Net::Context::Ptr context;
    try {
        context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
    } catch (const Poco::Exception& e) {
        if (options.ca_file.empty()) {
            return fail(ErrorCode::InvalidArgument,
                        "cannot load the system's trusted certificates: " + e.displayText(),
                        "tls.ca_file");
        }
        return fail(ErrorCode::InvalidArgument,
                    "tls.ca_file: cannot load " + options.ca_file + ": " + e.displayText(),
                    "tls.ca_file");
    }

    SSL_CTX* ssl_context = context->sslContext();
    context->disableProtocols(Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
                              Poco::Net::Context::PROTO_TLSV1 | Poco::Net::Context::PROTO_TLSV1_1);
    // The protocol options above are deprecated in OpenSSL 3; the floor is what counts.
    SSL_CTX_set_min_proto_version(ssl_context, TLS1_2_VERSION);
    context->enableExtendedCertificateVerification(true);
    // Replaces Poco's callback, which would ask SSLManager's certificate handler (by
    // default the interactive ConsoleCertificateHandler) whether to accept a certificate
    // that failed verification.
    SSL_CTX_set_verify(ssl_context, options.verify_peer ? SSL_VERIFY_PEER : SSL_VERIFY_NONE,
                       options.verify_peer ? &recordVerifyFailure : nullptr);
    SSL_CTX_set_default_passwd_cb(ssl_context, &refusePassphrase);

    if (!options.client_cert_file.empty()) {
        const std::string& key_file =
            options.client_key_file.empty() ? options.client_cert_file : options.client_key_file;
        const char* key_field =
            options.client_key_file.empty() ? "tls.client_cert_file" : "tls.client_key_file";
        ERR_clear_error();
        if (SSL_CTX_use_certificate_chain_file(ssl_context, options.client_cert_file.c_str()) !=
            1) {
            return fail(ErrorCode::InvalidArgument,
                        "tls.client_cert_file: cannot load " + options.client_cert_file + ": " +
                            SslErrors().text(),
                        "tls.client_cert_file");
        }
        if (SSL_CTX_use_PrivateKey_file(ssl_context, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
            const SslErrors errors;
            if (errors.has(ERR_LIB_X509, X509_R_KEY_VALUES_MISMATCH)) {
                return keyMismatch(options, key_file, key_field);
            }
            if (errors.has(ERR_LIB_PEM, PEM_R_BAD_PASSWORD_READ) ||
                errors.has(ERR_LIB_PEM, PEM_R_PROBLEMS_GETTING_PASSWORD)) {
                return fail(ErrorCode::InvalidArgument,
                            std::string(key_field) + ": the private key " + key_file +
                                " is encrypted, which is not supported; give an unencrypted "
                                "key readable only by relais",
                            key_field);
            }
            return fail(ErrorCode::InvalidArgument,
                        std::string(key_field) + ": cannot load the private key " + key_file +
                            ": " + errors.text(),
                        key_field);
        }
        if (SSL_CTX_check_private_key(ssl_context) != 1) {
            ERR_clear_error();
            return keyMismatch(options, key_file, key_field);
        }
    }
    return context;
}

}  // namespace

sdk::Result<TlsContextCache::Entry> TlsContextCache::get(const sdk::TlsOptions& options) {
    std::string options_key = optionsKey(options);
    std::string files_version = fileVersion(options.ca_file) + "|" +
                                fileVersion(options.client_cert_file) + "|" +
                                fileVersion(options.client_key_file);

    std::lock_guard lock(mutex_);
    auto it = slots_.find(options_key);
    if (it == slots_.end() || it->second.files_version != files_version) {
        // Created under the lock: it happens once per options (and file version), and two
        // threads loading the same bundle at once would only waste work.
        auto created = createContext(options);
        if (!created) return std::move(created).error();
        // Pooled connections keep the replaced context alive (it is reference-counted)
        // until they expire.
        it = slots_.insert_or_assign(options_key, Slot{files_version, std::move(created.value())})
                 .first;
    }
    return Entry{it->second.context, options_key + "\n" + files_version};
}

void clearVerifyFailure() noexcept {
    t_verify_error = X509_V_OK;
    t_verify_depth = 0;
}

std::string verifyFailure() {
    if (t_verify_error == X509_V_OK) return {};
    return std::string(X509_verify_cert_error_string(t_verify_error)) + " (certificate depth " +
           std::to_string(t_verify_depth) + ")";
}

bool certificateMatchesHost(const Poco::Net::X509Certificate& certificate,
                            const std::string& host) {
    // OpenSSL's checkers take a non-const pointer but do not modify the certificate.
    X509* x509 = const_cast<X509*>(
        certificate.certificate());  // NOLINT(cppcoreguidelines-pro-type-const-cast)
    Poco::Net::IPAddress address;
    if (Poco::Net::IPAddress::tryParse(host, address)) {
        return X509_check_ip_asc(x509, host.c_str(), 0) == 1;
    }
    return X509_check_host(x509, host.data(), host.size(), X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS,
                           nullptr) == 1;
}

}  // namespace relais::host::http_detail
