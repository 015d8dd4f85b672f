// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <map>
#include <mutex>
#include <string>

#include <Poco/Net/Context.h>

#include "relais/sdk/http_client.h"
#include "relais/sdk/result.h"

namespace Poco::Net {
class X509Certificate;
}

/// @file
/// Private to the HTTP client: the OpenSSL contexts of outbound calls.

namespace relais::host::http_detail {

/// The client TLS contexts, one per distinct `TlsOptions` and on-disk version of the files
/// it names (a renewed client certificate or CA bundle is picked up by the next request
/// without a restart).
///
/// Every context: TLS 1.2 minimum; with `verify_peer`, chain verified against `ca_file` (or
/// the system store when empty) with a verification callback of our own, so that no
/// process-wide `SSLManager` certificate handler (which may be interactive) is ever
/// consulted, and host name checked (`VERIFY_STRICT`, so that Poco checks loopback names
/// too); encrypted private keys are refused instead of prompting for a passphrase.
///
/// Thread-safety: `get` may be called from any thread.
class TlsContextCache {
public:
    struct Entry {
        Poco::Net::Context::Ptr context;
        std::string key;  ///< identifies options and file versions; part of pool keys
    };

    /// The context for `options`, created on first use. Errors: `InvalidArgument` naming
    /// the `tls.*` field whose file cannot be read or used.
    sdk::Result<Entry> get(const sdk::TlsOptions& options);

private:
    struct Slot {
        std::string files_version;
        Poco::Net::Context::Ptr context;
    };

    std::mutex mutex_;                   // guards slots_
    std::map<std::string, Slot> slots_;  // by options; only the newest file version is kept
};

/// Forgets the certificate failure recorded by the verification callback on this thread;
/// called before each handshake.
void clearVerifyFailure() noexcept;

/// The first certificate failure the verification callback saw on this thread since the
/// last `clearVerifyFailure` ("certificate has expired (depth 0)"), or empty.
std::string verifyFailure();

/// True when the certificate names `host` (DNS name, with RFC 6125 wildcards, or IP
/// literal, matched against the subject alternative names, or the common name when the
/// certificate has no DNS name).
bool certificateMatchesHost(const Poco::Net::X509Certificate& certificate, const std::string& host);

}  // namespace relais::host::http_detail
