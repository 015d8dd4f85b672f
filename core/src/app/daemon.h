// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "relais/config/config.h"

/// @file
/// `relais serve`: the long-running process, wired from the config.

namespace relais::app {

/// Owns every subsystem of a running relais, in construction order (log, metrics, secrets,
/// HTTP client, store, plugins, instances, API, server) and destroys them in reverse order.
///
/// Threading: constructed, started and stopped on the main thread.
class Daemon {
public:
    /// Builds everything that can fail before anything starts: opens the store (and
    /// migrates it), loads plugins, creates and configures instances. Throws the
    /// `ConfigError`/`StoreError`/`PluginError` that stopped it.
    explicit Daemon(std::shared_ptr<const config::Config> config);
    ~Daemon();
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    /// Starts instances, then the HTTP server; writes `ready_file` (JSON with address,
    /// port and pid) when given, once ready.
    void start(const std::string& ready_file);

    /// Graceful stop: not ready, stop accepting and finish in-flight requests, stop
    /// instances. Idempotent.
    void stop();

    /// SIGHUP: reopen the log file and, with TLS, read the server certificate, key and
    /// client CA again (a failed read is logged and keeps the certificate in use).
    void reload();

    int port() const;

private:
    struct Parts;
    std::unique_ptr<Parts> parts_;
};

}  // namespace relais::app
