// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>
#include <vector>

#include <sys/types.h>

#include "support/temp_dir.h"

namespace relais::test {

struct CommandResult {
    int exit_code = -1;  ///< exit status, or 128 + signal
    std::string out;     ///< standard output
    std::string err;     ///< standard error
};

/// Runs the built `relais` executable with `args` (and extra `NAME=value` environment
/// entries), waits for it (killing it after `timeout_seconds`), returns what it printed.
CommandResult runRelais(const std::vector<std::string>& args,
                        const std::vector<std::string>& env = {}, int timeout_seconds = 60);

/// Everything a test config usually needs, as XML fragments to put inside `<relais>`:
/// listen on 127.0.0.1 port 0, SQLite and data under `dir`, the built plugin directory,
/// logs to `dir/relais.log`.
std::string baseConfigElements(const TempDir& dir);

/// A `<client>` element with key `key` (given as its SHA-256), `rights` (space-separated),
/// procedures and instances `*` unless given.
std::string clientElement(const std::string& name, const std::string& key,
                          const std::string& rights, const std::string& procedures = "*",
                          const std::string& instances = "*");

/// `<relais version="1">` + `inner` + `</relais>`.
std::string wrapConfig(const std::string& inner);

/// A running `relais serve` on 127.0.0.1 with a free port, started from a config written
/// into `dir`. The constructor waits (deadline 30 s) until the daemon wrote its ready file,
/// and throws with the daemon's standard error if it exits or times out first.
class Daemon {
public:
    Daemon(const TempDir& dir, const std::string& config_xml,
           const std::vector<std::string>& env = {});
    ~Daemon();
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    int port() const noexcept { return port_; }
    pid_t pid() const noexcept { return pid_; }
    const std::string& configPath() const noexcept { return config_path_; }

    /// Sends SIGTERM and waits (deadline 30 s, then SIGKILL). Returns the exit code (128 +
    /// signal when killed). Idempotent.
    int stop();

    /// Sends SIGKILL (a crash) and reaps the process.
    void kill();

    /// What the daemon wrote to standard error and its log file so far.
    std::string logs() const;

private:
    std::string config_path_;
    std::string ready_path_;
    std::string stderr_path_;
    std::string log_path_;
    pid_t pid_ = -1;
    int port_ = 0;
    int exit_code_ = -1;
};

}  // namespace relais::test
