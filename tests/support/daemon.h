// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>
#include <string_view>
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
/// With RELAIS_TEST_LOG_DIR set, its standard error is collected (see `collectTestLog`)
/// with the secrets of any relais config named in `args` and the key given to `hash-key`.
CommandResult runRelais(const std::vector<std::string>& args,
                        const std::vector<std::string>& env = {}, int timeout_seconds = 60);

/// Everything a test config usually needs, as XML fragments to put inside `<relais>`:
/// listen on 127.0.0.1 port 0, SQLite and data under `dir`, the built plugin directory,
/// logs to `dir/relais.log`.
std::string baseConfigElements(const TempDir& dir);

/// A `<client>` element with key `key` (given as its SHA-256), `rights` (space-separated),
/// procedures and instances `*` unless given. The key is remembered for the rest of the
/// process (thread-safe), so that `configuredSecrets` knows the bearer key behind each
/// `key-sha256` this function wrote.
std::string clientElement(const std::string& name, const std::string& key,
                          const std::string& rights, const std::string& procedures = "*",
                          const std::string& instances = "*");

/// `<relais version="1">` + `inner` + `</relais>`.
std::string wrapConfig(const std::string& inner);

/// A secret a relais run was configured with, as the secret-leak check (tests/security)
/// reads it back.
struct ConfiguredSecret {
    /// Where it comes from, never the value: `env:NAME`, `file:path` (as the config wrote
    /// it), `client 'name' bearer key`, `hash-key argument`. No tab or newline.
    std::string label;
    std::string value;  ///< the bytes themselves
};

/// The secrets `config_xml` refers to: every attribute value or element text that is a
/// secret reference (`env:NAME`: the value in `env` (`NAME=value` entries) or else in this
/// process's environment; `file:path`: the file's content up to 64 KiB with one trailing
/// newline dropped, relative paths against `base_dir`), the content of the key files named
/// by path (`<key file="…">` of `<attributes>`, `<tls key="…">`, a connector's
/// `<param name="client-key">`), and the bearer key behind every `key-sha256` that
/// `clientElement` wrote in this process. Only element attributes and texts are read (not
/// comments, DOCTYPEs or processing instructions). References that do not resolve are
/// skipped (the daemon refuses them itself). Duplicated values are listed once.
std::vector<ConfiguredSecret> configuredSecrets(std::string_view config_xml,
                                                const std::string& base_dir,
                                                const std::vector<std::string>& env = {});

/// The text of a `.secrets` file: one `label<TAB>hex(value)` line per secret (hex, so any
/// byte survives and the file itself never holds the secret as it would appear in a log).
std::string formatSecretsFile(const std::vector<ConfiguredSecret>& secrets);

/// Reads `formatSecretsFile` text back. Throws `std::runtime_error` naming the line when
/// it is malformed.
std::vector<ConfiguredSecret> parseSecretsFile(std::string_view text);

/// The environment variable naming the directory where relais runs' logs are collected
/// for the secret-leak check (CTest sets it for every test).
inline constexpr const char* kTestLogDirVariable = "RELAIS_TEST_LOG_DIR";

/// When RELAIS_TEST_LOG_DIR is set: writes `log` to `<dir>/<test>-<pid>-<n>.log`, where
/// `<test>` is the running GoogleTest test (or `what` outside a test), and `secrets` beside
/// it as `<same>.secrets` (mode 0600), creating the directory if needed. Returns the log's
/// path, or "" when the variable is unset. An I/O error fails the current test
/// (`ADD_FAILURE`): a log that silently went missing would make the check vacuous.
/// Thread-safe.
std::string collectTestLog(std::string_view what, std::string_view log,
                           const std::vector<ConfiguredSecret>& secrets);

/// A running `relais serve` on 127.0.0.1 with a free port, started from a config written
/// into `dir`. The constructor waits (deadline 30 s) until the daemon wrote its ready file,
/// and throws with the daemon's standard error if it exits or times out first.
///
/// With RELAIS_TEST_LOG_DIR set, everything the run wrote (standard output and error, and
/// what it appended to its log file) is collected when the process ends (`stop`, `kill`,
/// the destructor, or a failed start), with the secrets of its config (`collectTestLog`).
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
    /// Collects this run's output once (see the class comment); no-op without
    /// RELAIS_TEST_LOG_DIR.
    void collect();

    std::string config_path_;
    std::string ready_path_;
    std::string stdout_path_;
    std::string stderr_path_;
    std::string log_path_;
    std::vector<ConfiguredSecret> secrets_;  ///< read at start: files may go before the end
    std::size_t log_offset_ = 0;             ///< size of the log file before this run
    bool collected_ = false;
    pid_t pid_ = -1;
    int port_ = 0;
    int exit_code_ = -1;
};

}  // namespace relais::test
