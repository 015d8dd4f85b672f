// SPDX-License-Identifier: AGPL-3.0-or-later
#include "daemon.h"

#include <cstdlib>
#include <cstring>

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Timestamp.h>
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include "relais/api/routes.h"
#include "relais/common/errors.h"
#include "relais/common/files.h"
#include "relais/config/secrets.h"
#include "relais/host/http_client.h"
#include "relais/host/services.h"
#include "relais/http/authenticator.h"
#include "relais/http/router.h"
#include "relais/http/server.h"
#include "relais/log/log.h"
#include "relais/metrics/registry.h"
#include "relais/pipeline/attachment_fetcher.h"
#include "relais/pipeline/blob_store.h"
#include "relais/pipeline/delivery.h"
#include "relais/pipeline/dispatcher.h"
#include "relais/pipeline/ingest.h"
#include "relais/pipeline/poller.h"
#include "relais/pipeline/push.h"
#include "relais/pipeline/routes.h"
#include "relais/pipeline/status_sync.h"
#include "relais/plugin/instance.h"
#include "relais/plugin/library.h"
#include "relais/sdk/descriptor.h"
#include "relais/store/store.h"
#include "relais/subjects/attribute_key_ring.h"
#include "relais/subjects/prefill.h"
#include "relais/subjects/purger.h"
#include "relais/subjects/vault.h"

namespace relais::app {

// Members in dependency order: each one may use those above it, and they are destroyed
// bottom-up.
struct Daemon::Parts {
    explicit Parts(std::shared_ptr<const config::Config> cfg)
        : config(std::move(cfg)),
          sink(config->log.file),
          logger(sink, "core", log::parseLevel(config->log.level).value_or(sdk::LogLevel::Info)),
          secrets(config->base_dir, [this](std::string_view value) { sink.addSecret(value); }),
          http_client(host::makeHttpClient()),
          services{sink,
                   metrics,
                   clock,
                   *http_client,
                   secrets,
                   config->data_directory,
                   log::parseLevel(config->log.level).value_or(sdk::LogLevel::Info)},
          store(store::Store::open(config->store)),
          blobs(config->store.blob_directory),
          instances(plugins, services),
          authenticator(config->clients,
                        std::max<std::int64_t>(1, config->server.signatures.window_ms / 1000),
                        [store = store.get()](const std::string& nonce, std::int64_t now,
                                              std::int64_t expires) {
                            // The shared table: a request replayed to another instance
                            // of the same deployment is refused too.
                            return store->rememberNonce(nonce, now, expires);
                        }) {
        // The signature secrets are in memory for as long as the process runs: whatever
        // happens, the log never shows them.
        for (const auto& client : config->clients) {
            if (!client.publik_secret.empty()) sink.addSecret(client.publik_secret);
            if (!client.hmac_secret.empty()) sink.addSecret(client.hmac_secret);
        }
    }

    std::shared_ptr<const config::Config> config;
    log::Sink sink;
    log::Logger logger;
    metrics::Registry metrics;
    host::SystemClock clock;
    config::SecretResolver secrets;
    std::unique_ptr<sdk::HttpClient> http_client;
    host::Services services;
    std::unique_ptr<store::Store> store;
    pipeline::BlobStore blobs;
    plugin::Registry plugins;
    plugin::InstanceManager instances;
    http::Authenticator authenticator;
    std::atomic<bool> ready{false};
    // Built once the instances exist (they resolve routes to instances).
    std::unique_ptr<pipeline::RouteTable> routes;
    std::unique_ptr<pipeline::AttachmentFetcher> attachments;
    std::unique_ptr<pipeline::DeliveryService> delivery;
    std::unique_ptr<pipeline::PushService> push;  // used by the dispatcher's threads
    std::unique_ptr<pipeline::Dispatcher> dispatcher;
    std::unique_ptr<pipeline::Ingestor> ingestor;
    std::unique_ptr<pipeline::StatusSync> status_sync;  // used by the poller's threads
    std::unique_ptr<pipeline::Poller> poller;
    // The verified-attribute store, when the config has one.
    std::unique_ptr<subjects::KeyRing> keys;
    std::unique_ptr<subjects::AttributeVault> vault;
    std::unique_ptr<subjects::PrefillService> prefill;
    std::unique_ptr<subjects::Purger> purger;
    std::unique_ptr<api::Context> context;
    http::Router router;
    std::unique_ptr<http::Server> server;
    bool stopped = false;
};

Daemon::Daemon(std::shared_ptr<const config::Config> config)
    : parts_(std::make_unique<Parts>(std::move(config))) {
    auto& p = *parts_;
    p.metrics.gauge("relais_build_info", "relais build", {{"version", RELAIS_VERSION}}).set(1);

    p.plugins.loadDirectory(p.config->plugin_directory);
    for (const auto& failure : p.plugins.failures()) {
        p.logger.warn("plugin library refused",
                      {{"file", failure.path}, {"reason", failure.reason}});
    }
    for (const auto& library : p.plugins.libraries()) {
        p.logger.debug("plugin loaded", {{"plugin", std::string(library.id())},
                                         {"version", library.descriptor->version},
                                         {"file", library.path}});
    }
    p.instances.createAll(*p.config);

    const config::DeliveryConfig& delivery = p.config->delivery;
    // This process's name in `jobs.claimed_by`: unique per run, so that a restarted process
    // never mistakes another run's claims for its own.
    const std::string worker_name = "relais-" + std::to_string(::getpid());
    p.routes = std::make_unique<pipeline::RouteTable>(*p.config, p.instances);
    p.attachments = std::make_unique<pipeline::AttachmentFetcher>(
        *p.http_client, p.blobs, delivery.max_attachment_bytes,
        static_cast<int>(delivery.attachment_timeout_ms), delivery.attachment_hosts);
    p.delivery = std::make_unique<pipeline::DeliveryService>(*p.store, *p.routes, p.blobs, p.clock,
                                                             p.logger, p.metrics);
    p.dispatcher = std::make_unique<pipeline::Dispatcher>(
        *p.store, *p.delivery, p.clock, p.logger,
        pipeline::DispatcherOptions{delivery.workers, delivery.batch, delivery.lease_ms,
                                    delivery.idle_poll_ms, worker_name});
    p.ingestor = std::make_unique<pipeline::Ingestor>(
        *p.store, *p.routes, *p.attachments, *p.dispatcher, p.clock, p.logger, p.metrics,
        delivery.lease_ms, worker_name,
        static_cast<std::size_t>(p.config->server.limits.max_identifier_bytes));
    p.poller =
        std::make_unique<pipeline::Poller>(*p.store, p.instances, p.clock, p.logger, p.metrics);
    // Status sync: events from everywhere through one path; pushes to the adapters that push.
    std::vector<std::string> push_targets;
    for (const auto& instance : p.instances.instances()) {
        if (instance->kind() == sdk::PluginKind::Adapter &&
            instance->supports(sdk::operation::kPushEvent)) {
            push_targets.push_back(instance->name());
        }
    }
    p.store->setPushTargets(std::move(push_targets));
    p.push = std::make_unique<pipeline::PushService>(*p.store, p.instances, *p.delivery, p.clock,
                                                     p.logger);
    p.dispatcher->setPushService(p.push.get());
    p.status_sync = std::make_unique<pipeline::StatusSync>(*p.store, *p.dispatcher, p.logger);
    p.poller->setStatusSync(p.status_sync.get());
    p.poller->setIngest(p.ingestor.get(), p.delivery.get());
    const config::AttributesConfig& attributes = p.config->attributes;
    if (attributes.enabled) {
        std::vector<subjects::KeySpec> keys;
        for (const auto& key : attributes.keys) keys.push_back({key.id, key.file});
        p.keys = std::make_unique<subjects::KeyRing>(
            subjects::KeyRing::load(keys, attributes.current_key));
        p.vault = std::make_unique<subjects::AttributeVault>(*p.store, *p.keys);
        p.prefill = std::make_unique<subjects::PrefillService>(
            *p.config, *p.store, *p.vault, p.instances, p.clock, p.logger, p.metrics);
        p.purger = std::make_unique<subjects::Purger>(
            *p.store, p.clock, p.logger, p.metrics,
            std::chrono::milliseconds(attributes.purge_interval_ms));
    }
    p.context = std::make_unique<api::Context>(
        api::Context{*p.config, *p.store, p.plugins, p.instances, p.metrics, p.clock, p.logger,
                     *p.ingestor, *p.delivery, *p.dispatcher, *p.routes, *p.status_sync,
                     p.vault.get(), p.prefill.get(), p.ready});

    // Queue depth by state, computed when /metrics is read.
    p.metrics.addCollector([store = p.store.get()](metrics::Registry& registry) {
        auto counts = store->jobCounts();
        if (!counts) return;
        for (const store::JobState state :
             {store::JobState::Pending, store::JobState::Running, store::JobState::Done,
              store::JobState::Dead, store::JobState::AwaitingAck}) {
            double value = 0;
            for (const auto& [s, n] : *counts) {
                if (s == state) value = static_cast<double>(n);
            }
            registry
                .gauge("relais_jobs", "outbox jobs, by state",
                       {{"state", std::string(store::toString(state))}})
                .set(value);
        }
    });

    // The store's group commit, mirrored from the engine's own monotonic counters: write
    // transactions, physical commits (one fsync each: transactions / commits is the batch),
    // what writes waited in total, and how busy the one writer is (docs/performance.md).
    p.metrics.addCollector([store = p.store.get()](metrics::Registry& registry) {
        const store::DatabaseStats stats = store->database().stats();
        const auto mirror = [&registry](std::string_view name, std::string_view help,
                                        double value) {
            metrics::Counter& counter = registry.counter(name, help);
            counter.increment(value - counter.value());
        };
        mirror("relais_store_write_transactions_total",
               "write transactions run by the store (committed or rolled back)",
               static_cast<double>(stats.transactions));
        mirror("relais_store_write_failures_total", "write transactions rolled back",
               static_cast<double>(stats.failed));
        mirror("relais_store_commits_total", "physical commits, each one fsync (group commit)",
               static_cast<double>(stats.commits));
        mirror("relais_store_write_wait_seconds_total",
               "time writes waited for their transaction to be durable, summed",
               static_cast<double>(stats.write_wait_micros) / 1e6);
        mirror("relais_store_writer_busy_seconds_total",
               "time the store's writer spent running and committing transactions",
               static_cast<double>(stats.writer_busy_micros) / 1e6);
        registry.gauge("relais_store_writes_queued", "writes waiting for the store's writer")
            .set(static_cast<double>(stats.queued));
    });

    api::addSystemRoutes(p.router, *p.context);
    api::addDossierRoutes(p.router, *p.context);
    api::addJobRoutes(p.router, *p.context);
    api::addInboxRoutes(p.router, *p.context);
    api::addPrefillRoutes(p.router, *p.context);
    api::addSubjectRoutes(p.router, *p.context);
    api::addAuditRoutes(p.router, *p.context);
    api::addStatusSyncRoutes(p.router, *p.context);
    p.server = std::make_unique<http::Server>(p.config->server, p.router, p.authenticator,
                                              p.metrics, p.sink, p.config->log.access_log);
    p.server->setRefusalObserver([&p](const http::Refusal& refusal) {
        // Every refusal is on the audit trail: a client probing what it may not do shows
        // there, next to what it did.
        store::AuditEntry entry;
        entry.client = std::string(refusal.client);
        entry.action = "http." + std::string(refusal.route);
        entry.outcome = "refused: " + std::string(refusal.detail);
        if (auto appended = p.store->appendAudit(entry); !appended) {
            p.logger.error("refusal not written to the audit trail",
                           {{"request_id", std::string(refusal.request_id)},
                            {"client", std::string(refusal.client)},
                            {"error", appended.error().message}});
        }
    });
}

Daemon::~Daemon() { stop(); }

namespace {

// Descriptors kept for what is not a client connection: the store, plugins' files and
// sockets, logs, outgoing calls.
constexpr rlim_t kReservedDescriptors = 512;

/// Raises the soft limit of open files to the hard one, as nginx does with
/// `worker_rlimit_nofile`: every connection is a descriptor, and the default soft limit
/// (1024) would cut the server off long before `max-connections`. Warns when even the hard
/// limit is below what the configured connections need.
void raiseFileLimit(int max_connections, log::Logger& logger) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) ::getrlimit(RLIMIT_NOFILE, &limit);
    }
    const auto needed = static_cast<rlim_t>(max_connections) + kReservedDescriptors;
    if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < needed) {
        logger.warn(
            "the open-file limit is below what max-connections needs: connections "
            "beyond it wait in the kernel's backlog",
            {{"open_file_limit", std::to_string(limit.rlim_cur)},
             {"max_connections", std::to_string(max_connections)}});
    }
}

/// glibc gives the top of each thread's heap back to the kernel once 128 KiB of it is free
/// (`madvise(MADV_DONTNEED)`), and takes it again on the next request: under load that was
/// a tenth of relais's CPU, most of it in the TLB shootdowns the call sends to every core
/// (docs/performance.md). 8 MiB of slack per heap keeps the memory a request cycle reuses;
/// what stays mapped is what a peak actually used. An operator's own setting
/// (`MALLOC_TRIM_THRESHOLD_`, `GLIBC_TUNABLES=glibc.malloc.trim_threshold=`) wins.
void keepFreedHeapMemory() {
#if defined(__GLIBC__)
    constexpr int kTrimThreshold = 8 * 1024 * 1024;
    const char* tunables = std::getenv("GLIBC_TUNABLES");
    if (std::getenv("MALLOC_TRIM_THRESHOLD_") != nullptr ||
        (tunables != nullptr && std::strstr(tunables, "malloc.trim_threshold") != nullptr)) {
        return;
    }
    ::mallopt(M_TRIM_THRESHOLD, kTrimThreshold);
#endif
}

}  // namespace

void Daemon::start(const std::string& ready_file) {
    auto& p = *parts_;
    raiseFileLimit(p.config->server.limits.max_connections, p.logger);
    keepFreedHeapMemory();
    p.instances.startAll();
    // SQLite is one process: jobs still marked running were held by a previous run that
    // died; they are due again now rather than when their lease expires.
    if (p.config->store.engine == "sqlite") {
        auto released = p.store->releaseRunningJobs(p.clock.now().micros);
        if (released && *released > 0) {
            p.logger.warn("jobs of a previous run released", {{"jobs", std::to_string(*released)}});
        }
    }
    p.dispatcher->start();
    p.poller->start();
    if (p.purger) p.purger->start();
    p.server->start();
    p.ready = true;
    const std::string scheme = p.config->server.tls.enabled ? "https" : "http";
    p.logger.info("relais ready", {{"version", RELAIS_VERSION},
                                   {"listen", scheme + "://" + p.config->server.address + ":" +
                                                  std::to_string(p.server->port())},
                                   {"config", p.config->path},
                                   {"plugins", std::to_string(p.plugins.libraries().size())},
                                   {"instances", std::to_string(p.instances.instances().size())}});
    if (!ready_file.empty()) {
        sdk::Json ready = sdk::Json::object();
        ready.set("address", p.config->server.address);
        ready.set("port", p.server->port());
        ready.set("pid", static_cast<std::int64_t>(::getpid()));
        ready.set("scheme", scheme);
        if (auto written = common::writeFileAtomic(ready_file, ready.dump() + "\n"); !written) {
            throw ConfigError("cannot write the ready file: " + written.error().message);
        }
    }
}

void Daemon::stop() {
    auto& p = *parts_;
    if (p.stopped) return;
    p.stopped = true;
    p.ready = false;
    p.logger.info("relais stopping");
    if (p.server) p.server->stop();
    if (p.poller) p.poller->stop();
    if (p.dispatcher) p.dispatcher->stop();
    if (p.purger) p.purger->stop();
    p.instances.stopAll();
    p.logger.info("relais stopped");
}

void Daemon::reload() {
    auto& p = *parts_;
    p.sink.reopen();
    p.logger.info("log file reopened");
    if (!p.config->server.tls.enabled) return;
    // After a renewal (certbot, an ACME client, the PKI's rotation): new connections get the
    // new certificate, the open ones are left alone.
    auto certificate = p.server->reloadCertificate();
    if (!certificate) {
        p.logger.error("TLS certificate not reloaded, the previous one is still served",
                       {{"error", certificate.error().message}});
        return;
    }
    p.logger.info("TLS certificate reloaded",
                  {{"subject", certificate->subject},
                   {"sha256", certificate->sha256},
                   {"not_after", Poco::DateTimeFormatter::format(
                                     Poco::Timestamp::fromEpochTime(certificate->not_after),
                                     Poco::DateTimeFormat::ISO8601_FORMAT)}});
}

int Daemon::port() const { return parts_->server->port(); }

}  // namespace relais::app
