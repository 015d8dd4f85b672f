// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

/// @file
/// The validated configuration of a relais process, loaded from one XML file
/// (`config/relais.xml`, schema `config/schema/relais.xsd`). Immutable once loaded and shared
/// as `std::shared_ptr<const Config>`.
///
/// Every element remembers where it was written (`SourceLocation`), so that errors found
/// after loading (a plugin refusing a key, a route naming an unknown connector) still name
/// `file:line`.

namespace relais::config {

/// Where something was written in the config file.
struct SourceLocation {
    std::string file;
    int line = 0;

    /// `file:line` (or just `file` when the line is unknown).
    std::string toString() const;
};

struct TlsConfig {
    bool enabled = false;
    std::string certificate_file;  ///< PEM, absolute path
    std::string key_file;          ///< PEM, absolute path
    /// PEM bundle to verify client certificates. Given alone, a client certificate is asked
    /// for and, when presented, must chain to it (it may then stand for a client).
    std::string ca_file;
    bool require_client_certificate = false;  ///< a connection without one is refused
    SourceLocation where;
};

struct LimitsConfig {
    std::size_t max_body_bytes = std::size_t{10} * 1024 * 1024;  ///< larger bodies get 413
    int max_header_fields = 64;                                  ///< more header fields get 400
    int request_timeout_ms = 30'000;  ///< to write a response (a client that does not read it)
    /// From a connection's first byte (or the end of its previous request) to the end of a
    /// request's headers; the connection is cut past it (slowloris).
    int header_timeout_ms = 10'000;
    int body_timeout_ms = 120'000;       ///< to receive a whole body, from the end of the headers
    int keep_alive_timeout_ms = 60'000;  ///< idle wait between requests; 0: no keep-alive
    int max_threads = 32;                ///< HTTP worker threads (request handlers)
    int max_queued = 256;                ///< complete requests waiting for a worker; past it, 503
    /// Connections open at once; past it new ones wait in the kernel's backlog. Bounded by
    /// the process's file-descriptor limit (the daemon raises its soft limit to the hard one).
    int max_connections = 16'384;
    /// Connections open at once from one IP address; past it, a connection's request is
    /// answered 503 (`Retry-After`) and the connection closed. 0: no limit.
    int max_connections_per_address = 512;
    /// Threads running the event loops that accept, read and write every connection.
    int io_threads = 1;
    int max_json_depth = 64;
    /// Longest identifier a caller may give (a portal's dossier id, a procedure code, an
    /// event's actor, source key or version): such names become keys, index entries and
    /// file names. Longer ones get 400 naming the field.
    int max_identifier_bytes = 256;
    /// Requests per second each client may make (token bucket refilled at this rate); 0: no
    /// limit unless the client sets its own.
    double client_rate = 0;
    int client_burst = 0;  ///< bucket size; 0: one second's worth (at least 1)
};

/// Signed requests (Publik query signatures, `X-Relais-Signature`).
struct SignaturesConfig {
    /// Largest distance between a signature's timestamp and the server's clock, both ways.
    std::int64_t window_ms = 30'000;
};

struct ServerConfig {
    std::string address = "127.0.0.1";
    int port = 8080;  ///< 0: any free port (tests)
    TlsConfig tls;
    LimitsConfig limits;
    SignaturesConfig signatures;
    SourceLocation where;
};

struct StoreConfig {
    std::string engine = "sqlite";  ///< `sqlite` (default) or `postgresql`
    std::string path;               ///< SQLite file, absolute
    std::string dsn;                ///< PostgreSQL: a secret reference to the DSN
    int read_connections = 4;       ///< size of the reader pool
    int max_batch = 512;            ///< group commit: most transactions per commit
    std::string blob_directory;     ///< content-addressed attachments and raw payloads
    SourceLocation where;
};

/// One `<param name="…">value</param>` of a plugin instance, still as text: the plugin host
/// checks it against the plugin's descriptor.
struct InstanceParam {
    std::string name;
    std::string value;
    SourceLocation where;
};

enum class InstanceKind { Connector, Adapter };

/// How failed deliveries (and pushes) to an instance are retried: exponential backoff with
/// jitter, from `initial_ms` multiplied by `multiplier` per attempt up to `max_ms`, until
/// `give_up_after_ms` after the job was created; then the job goes to the dead-letter list.
struct RetryConfig {
    std::int64_t initial_ms = 10'000;
    double multiplier = 2.0;
    std::int64_t max_ms = 3'600'000;
    std::int64_t give_up_after_ms = 3LL * 24 * 3'600'000;
    double jitter = 0.2;  ///< each delay is multiplied by a random factor in [1-j, 1+j]
};

/// A configured connector or adapter instance.
struct InstanceConfig {
    InstanceKind kind = InstanceKind::Connector;
    std::string name;       ///< unique among all instances, `[a-z0-9][a-z0-9_-]*`
    std::string plugin;     ///< plugin id (`rest`, `json`…)
    std::string log_level;  ///< empty: the global level
    std::vector<InstanceParam> params;
    RetryConfig retry;
    std::int64_t poll_interval_ms = 30'000;  ///< for plugins that poll (acknowledgements…)
    SourceLocation where;
};

/// A pull inbox: a route target without a plugin, for applications that fetch their mapped
/// dossiers (`GET /v1/inbox/{name}`) and acknowledge them.
struct InboxConfig {
    std::string name;  ///< shares the namespace of connectors and adapters
    SourceLocation where;
};

/// The delivery workers.
struct DeliveryConfig {
    int workers = 4;                    ///< threads claiming and delivering jobs
    int batch = 16;                     ///< jobs claimed at once by a worker
    std::int64_t lease_ms = 300'000;    ///< a claimed job is due again after this
    std::int64_t idle_poll_ms = 1'000;  ///< how often idle workers look for due retries
    std::size_t max_attachment_bytes = 20 * 1024 * 1024;  ///< per downloaded attachment
    std::int64_t attachment_timeout_ms = 30'000;          ///< per attachment download
    /// Hosts attachments may be downloaded from (`attachment-hosts`), as written and checked
    /// by `parseHostPattern` (see host_allow_list.h). Empty: any host, except link-local IP
    /// literals. An adapter that fetches its own attachments is not bound by it.
    std::vector<std::string> attachment_hosts;
    SourceLocation where;
};

/// An API client: who may call relais, how it proves it, for what.
///
/// A client has at least one credential: a bearer key, a Publik signature secret, an HMAC
/// body-signature secret or a client certificate. The signature secrets are kept (they are
/// needed to recompute signatures); a bearer key is kept as its digest only.
struct ClientConfig {
    std::string name;
    /// SHA-256 (lowercase hex) of the bearer key. Either given in the config as
    /// `key-sha256`, or computed at load from a `key` secret reference (the key itself is
    /// not kept). Empty: no bearer key.
    std::string key_sha256;
    std::string publik_orig;    ///< `orig` of its Publik-signed calls; empty: none
    std::string publik_secret;  ///< the secret shared for `publik_orig`, resolved at load
    std::string hmac_secret;    ///< `X-Relais-Signature` key, resolved at load; empty: none
    /// Client certificate (mutual TLS): the SHA-256 of its DER form (lowercase hex), or the
    /// common name of a certificate that chains to the server's `client-ca`. Empty: none.
    std::string certificate_sha256;
    std::string certificate_cn;
    double rate = 0;                      ///< requests per second; 0: the server's `client-rate`
    int burst = 0;                        ///< 0: the server's `client-burst`
    std::vector<std::string> rights;      ///< named rights (`dossiers:submit`…), see docs
    std::vector<std::string> procedures;  ///< procedure codes, or `*`
    std::vector<std::string> instances;   ///< connector/adapter instances it may use, or `*`
    /// Attributes it may certify back (`PUT /v1/subjects/{id}/attributes`), up to
    /// `certify_max_level`; empty: none.
    std::vector<std::string> certify;
    int certify_max_level = 0;
    SourceLocation where;
};

/// A route: which connector gets the dossiers of a procedure, through which mapping.
struct RouteConfig {
    std::string name;            ///< unique; default `<procedure>-><connector>`
    std::string procedure;       ///< procedure code, or `*`
    std::string connector;       ///< connector instance name
    std::string mapping;         ///< mapping file, absolute path; empty: the dossier as JSON
    std::string mode = "async";  ///< `async` or `sync`
    /// Sync mode: when the delivery fails, `retry` keeps the job queued (the portal gets a
    /// 502 and the dossier still reaches the application later) or `dead` moves it to the
    /// dead-letter list at once.
    std::string on_sync_failure = "retry";
    /// Sync mode: a mapping from the delivery's outcome to the answer's body, absolute path;
    /// empty: relais's own answer (id, status_url, business_id, display_id).
    std::string response_mapping;
    std::string condition;  ///< only dossiers satisfying it (mapping condition syntax)
    SourceLocation where;
};

/// A key sealing attribute values at rest (AES-256-GCM).
struct AttributeKeyConfig {
    std::string id;
    std::string file;  ///< absolute
    SourceLocation where;
};

/// A named certification level.
struct LevelConfig {
    int value = 0;
    std::string name;
};

/// An attribute relais may hold.
struct AttributeKindConfig {
    std::string name;
    std::string subject = "person";  ///< `person` or `company`
    /// `none`, `month` (end of the calendar month of verification), `school-year` (next
    /// 31 August), or `duration` (`validity_ms` after verification).
    std::string validity = "none";
    std::int64_t validity_ms = 0;
    SourceLocation where;
};

/// The verified-attribute store.
struct AttributesConfig {
    bool enabled = false;  ///< an `<attributes>` element is present
    std::vector<AttributeKeyConfig> keys;
    std::string current_key;
    std::vector<LevelConfig> levels;  ///< ascending; the default scale when none is given
    std::vector<AttributeKindConfig> kinds;
    std::int64_t purge_interval_ms = 3'600'000;
    SourceLocation where;

    const AttributeKindConfig* findKind(std::string_view name) const noexcept;
    /// The level named `value`, or null.
    const LevelConfig* findLevel(int value) const noexcept;
};

/// One attribute of a contract.
struct ContractAttributeConfig {
    std::string name;
    int min_level = 1;
    bool required = false;  ///< counts in the coverage flag
    std::string provider;   ///< connector instance that may be asked; empty: store only
};

/// What some clients may read for a procedure, and why.
struct ContractConfig {
    std::string name;
    std::string procedure;
    std::vector<std::string> clients;
    std::string purpose;
    std::string legal_basis;
    std::int64_t retention_ms = 0;  ///< how long fetched values are kept
    std::vector<ContractAttributeConfig> attributes;
    SourceLocation where;

    const ContractAttributeConfig* findAttribute(std::string_view name) const noexcept;
};

struct LogConfig {
    std::string level = "info";  ///< trace, debug, info, warn, error, off
    std::string file;            ///< empty: standard error; else absolute
    bool access_log = true;      ///< one JSON line per HTTP request
    SourceLocation where;        ///< the `<log>` element (line 0 when absent)
};

struct Config {
    std::string path;      ///< the config file, absolute
    std::string base_dir;  ///< its directory: relative paths are resolved against it
    ServerConfig server;
    StoreConfig store;
    std::string plugin_directory;  ///< absolute
    std::string data_directory;    ///< absolute; per-instance data under `<data>/<instance>/`
    std::vector<InstanceConfig> instances;  ///< connectors and adapters, in file order
    std::vector<InboxConfig> inboxes;
    DeliveryConfig delivery;
    std::vector<ClientConfig> clients;
    std::vector<RouteConfig> routes;
    AttributesConfig attributes;
    std::vector<ContractConfig> contracts;
    LogConfig log;

    /// Instance named `name`, or null.
    const InstanceConfig* findInstance(const std::string& name) const noexcept;
    /// The contract for `procedure` naming `client`, or null.
    const ContractConfig* findContract(std::string_view procedure,
                                       std::string_view client) const noexcept;
};

/// Overrides applied after loading (command line): listen address and port.
struct Overrides {
    std::string listen_address;  ///< empty: keep the config's
    int listen_port = -1;        ///< -1: keep the config's
};

/// Loads, validates (XSD, then cross-references) and resolves `path`. Throws `ConfigError`
/// with `file:line: message` on the first problem (`<path>: cannot read: …` when the file
/// cannot be read; several `file:line:` lines when the schema finds several problems).
/// Secret references are checked for form (`env:NAME` / `file:/path`), and client keys
/// given as references are resolved and hashed (a missing variable or file is an error
/// naming the reference, never a value). Relative paths are resolved against the file's
/// directory; every path in the result is absolute and normalised, `SourceLocation::file`
/// included. `overrides` are applied last (`applyOverrides`).
///
/// Thread-safety: may run on any thread; reads the environment.
std::shared_ptr<const Config> loadConfig(const std::string& path, const Overrides& overrides = {});

/// Same as `loadConfig` for a document already in memory: `path` names it in messages and
/// its directory resolves relative paths (the file itself is not read).
std::shared_ptr<const Config> parseConfig(std::string_view xml, const std::string& path,
                                          const Overrides& overrides = {});

/// Applies command-line overrides to `config`. Throws `ConfigError` (`command line: …`)
/// for an address that is neither an IP address nor a host name, or a port outside
/// 0..65535 (other than -1).
void applyOverrides(Config& config, const Overrides& overrides);

}  // namespace relais::config
