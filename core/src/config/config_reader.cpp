// SPDX-License-Identifier: AGPL-3.0-or-later
#include "config/config_reader.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <filesystem>
#include <map>
#include <optional>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/crypto.h>

#include "relais/common/crypto.h"
#include "relais/common/errors.h"
#include "relais/common/strings.h"
#include "relais/config/rights.h"
#include "relais/config/secrets.h"
#include "relais/config/units.h"
#include "relais/config/xml.h"

namespace relais::config::detail {
namespace {

constexpr long long kConfigVersion = 1;
/// Shorter bearer keys are guessable; 16 bytes is the floor, `openssl rand -hex 32` the habit.
constexpr std::size_t kMinClientKeyBytes = 16;

bool isNamed(const xmlNode* node, std::string_view name) noexcept {
    return node != nullptr && node->type == XML_ELEMENT_NODE &&
           name == reinterpret_cast<const char*>(node->name);
}

std::string_view nameOf(const xmlNode* node) noexcept {
    return reinterpret_cast<const char*>(node->name);
}

/// Element children of `parent`, in document order.
std::vector<const xmlNode*> elementsOf(const xmlNode* parent) {
    std::vector<const xmlNode*> out;
    for (const xmlNode* child = parent->children; child != nullptr; child = child->next) {
        if (child->type == XML_ELEMENT_NODE) out.push_back(child);
    }
    return out;
}

/// Items of a list written with spaces, line breaks and/or commas; empty items dropped,
/// repeated items kept once (first position).
std::vector<std::string> splitList(std::string_view text) {
    std::vector<std::string> items;
    std::size_t start = 0;
    auto flush = [&](std::size_t end) {
        if (end > start) {
            std::string item(text.substr(start, end - start));
            if (std::find(items.begin(), items.end(), item) == items.end()) {
                items.push_back(std::move(item));
            }
        }
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',') {
            flush(i);
            start = i + 1;
        }
    }
    flush(text.size());
    return items;
}

std::string_view kindName(InstanceKind kind) noexcept {
    return kind == InstanceKind::Adapter ? "adapter" : "connector";
}

std::string inQuotes(std::string_view text) { return "'" + std::string(text) + "'"; }

/// Overwrites a secret's bytes before its memory is released.
void wipe(std::string& secret) noexcept {
    if (!secret.empty()) OPENSSL_cleanse(secret.data(), secret.size());
    secret.clear();
}

struct InstanceRef {
    const xmlNode* node = nullptr;
    InstanceKind kind = InstanceKind::Connector;
    bool inbox = false;  ///< a pull inbox (declared among the connectors)
};

/// One pass over a validated document. The schema guarantees the structure and the value
/// forms; this checks what it cannot (defaults, combinations, references) and converts.
class Reader {
public:
    Reader(const xmlDoc& doc, Config& config) : doc_(doc), config_(config) {}

    void read() {
        const xmlNode* root = xmlDocGetRootElement(&doc_);
        if (!isNamed(root, "relais")) {
            fail(root, "the root element must be <relais version=\"1\">");
        }
        readVersion(root);
        config_.server.where = where(root);

        const xmlNode* store = nullptr;
        const xmlNode* data = nullptr;
        const xmlNode* clients = nullptr;
        const xmlNode* routes = nullptr;
        const xmlNode* contracts = nullptr;
        for (const xmlNode* child : elementsOf(root)) {
            const std::string_view name = nameOf(child);
            if (name == "server") {
                readServer(child);
            } else if (name == "store") {
                store = child;
                readStore(child);
            } else if (name == "plugins") {
                config_.plugin_directory = requiredPath(child, "directory");
            } else if (name == "data") {
                data = child;
                config_.data_directory = requiredPath(child, "directory");
            } else if (name == "log") {
                readLog(child);
            } else if (name == "delivery") {
                readDelivery(child);
            } else if (name == "adapters") {
                readInstances(child, InstanceKind::Adapter);
            } else if (name == "connectors") {
                readInstances(child, InstanceKind::Connector);
            } else if (name == "clients") {
                clients = child;  // after the instances, which may come later in the file
            } else if (name == "routes") {
                routes = child;
            } else if (name == "attributes") {
                readAttributes(child);
            } else if (name == "contracts") {
                contracts = child;  // after the clients and the attribute catalogue
            } else {
                fail(child, "unknown element " + inQuotes(name));
            }
        }
        if (store == nullptr) fail(root, "element 'relais': a <store> element is required");
        if (data == nullptr) defaultDataDirectory(store);
        if (!config_.instances.empty() && config_.plugin_directory.empty()) {
            const InstanceConfig& first = config_.instances.front();
            throw ConfigError(first.where.toString() + ": " + std::string(kindName(first.kind)) +
                              " " + inQuotes(first.name) +
                              ": a <plugins directory=\"…\"/> element is required to load its "
                              "plugin");
        }
        if (clients != nullptr) {
            for (const xmlNode* client : elementsOf(clients)) readClient(client);
        }
        if (routes != nullptr) {
            for (const xmlNode* route : elementsOf(routes)) readRoute(route);
        }
        if (contracts != nullptr) {
            for (const xmlNode* contract : elementsOf(contracts)) readContract(contract);
        }
        if (config_.attributes.enabled && config_.attributes.levels.empty()) {
            config_.attributes.levels = {{100, "declared"},
                                         {200, "contact-validated"},
                                         {400, "document-scanned"},
                                         {500, "document-seen"},
                                         {600, "trusted-registry"}};
        }
        checkCertifiedAttributes();
    }

private:
    [[noreturn]] void fail(const xmlNode* node, const std::string& what) const {
        throw ConfigError(where(node).toString() + ": " + what);
    }

    SourceLocation where(const xmlNode* node) const {
        SourceLocation location;
        location.file = config_.path;
        location.line = lineOf(node);
        return location;
    }

    /// `value` made absolute against the config's directory, and normalised.
    std::string resolvePath(const std::string& value) const {
        std::filesystem::path path(value);
        if (path.is_relative()) path = std::filesystem::path(config_.base_dir) / path;
        std::string out = path.lexically_normal().string();
        while (out.size() > 1 && out.back() == '/') out.pop_back();
        return out;
    }

    std::optional<std::string> pathAttribute(const xmlNode* element, const char* name) const {
        auto value = xmlAttribute(element, name);
        if (!value) return std::nullopt;
        return resolvePath(*value);
    }

    std::string requiredPath(const xmlNode* element, const char* name) const {
        auto value = pathAttribute(element, name);
        if (!value) {
            fail(element, "element " + inQuotes(nameOf(element)) + ": the attribute " +
                              inQuotes(name) + " is required");
        }
        return *value;
    }

    std::string attributeOr(const xmlNode* element, const char* name, std::string fallback) const {
        auto value = xmlAttribute(element, name);
        return value ? std::move(*value) : std::move(fallback);
    }

    std::string requiredAttribute(const xmlNode* element, const char* name) const {
        auto value = xmlAttribute(element, name);
        if (!value) {
            fail(element, "element " + inQuotes(nameOf(element)) + ": the attribute " +
                              inQuotes(name) + " is required");
        }
        return std::move(*value);
    }

    std::string attributeContext(const xmlNode* element, const char* name) const {
        return "element " + inQuotes(nameOf(element)) + ", attribute " + inQuotes(name) + ": ";
    }

    /// An integer attribute as the schema accepts it (`xs:int`: surrounding spaces, a sign,
    /// leading zeros); `fallback` when absent.
    long long integerAttribute(const xmlNode* element, const char* name, long long fallback) const {
        auto value = xmlAttribute(element, name);
        if (!value) return fallback;
        std::string_view text = common::trim(*value);
        if (text.starts_with('+')) text.remove_prefix(1);
        long long number = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
        if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
            fail(element,
                 attributeContext(element, name) + inQuotes(*value) + " is not a whole number");
        }
        return number;
    }

    int intAttribute(const xmlNode* element, const char* name, int fallback, long long min,
                     long long max) const {
        const long long number = integerAttribute(element, name, fallback);
        if (number < min || number > max) {
            fail(element, attributeContext(element, name) + std::to_string(number) +
                              " is out of range (" + std::to_string(min) + " to " +
                              std::to_string(max) + ")");
        }
        return static_cast<int>(number);
    }

    bool boolAttribute(const xmlNode* element, const char* name, bool fallback) const {
        auto value = xmlAttribute(element, name);
        if (!value) return fallback;
        const std::string_view text = common::trim(*value);
        if (text == "true" || text == "1") return true;
        if (text == "false" || text == "0") return false;
        fail(element, attributeContext(element, name) + inQuotes(*value) +
                          " is not a boolean (true or false)");
    }

    int durationAttribute(const xmlNode* element, const char* name, int fallback_ms) const {
        auto value = xmlAttribute(element, name);
        if (!value) return fallback_ms;
        auto duration = parseDuration(*value);
        if (!duration) fail(element, attributeContext(element, name) + duration.error().message);
        if (duration->count() < 1) {
            fail(element, attributeContext(element, name) + "must be at least 1ms");
        }
        if (duration->count() > INT_MAX) {
            fail(element,
                 attributeContext(element, name) + inQuotes(*value) + " is too long (at most 24d)");
        }
        return static_cast<int>(duration->count());
    }

    void readVersion(const xmlNode* root) const {
        const long long version = integerAttribute(root, "version", 0);
        if (version != kConfigVersion) {
            fail(root, "element 'relais', attribute 'version': version " + std::to_string(version) +
                           " is not supported (this relais reads " + "version " +
                           std::to_string(kConfigVersion) + ")");
        }
    }

    void readServer(const xmlNode* element) {
        ServerConfig& server = config_.server;
        server.where = where(element);
        if (auto address = xmlAttribute(element, "address")) {
            const std::string_view text = common::trim(*address);
            if (!isListenAddress(text)) {
                fail(element, attributeContext(element, "address") + inQuotes(*address) +
                                  " is neither an IP address nor a host name");
            }
            server.address = std::string(text);
        }
        server.port = intAttribute(element, "port", server.port, 0, 65535);
        for (const xmlNode* child : elementsOf(element)) {
            if (isNamed(child, "tls")) {
                readTls(child);
            } else if (isNamed(child, "limits")) {
                readLimits(child);
            } else if (isNamed(child, "signatures")) {
                server.signatures.window_ms = durationAttribute(
                    child, "window", static_cast<int>(server.signatures.window_ms));
            } else {
                fail(child, "element 'server': unknown element " + inQuotes(nameOf(child)));
            }
        }
    }

    void readTls(const xmlNode* element) {
        TlsConfig& tls = config_.server.tls;
        tls.enabled = true;
        tls.where = where(element);
        tls.certificate_file = requiredPath(element, "certificate");
        tls.key_file = requiredPath(element, "key");
        tls.ca_file = pathAttribute(element, "client-ca").value_or("");
        tls.require_client_certificate =
            boolAttribute(element, "require-client-certificate", false);
        if (tls.require_client_certificate && tls.ca_file.empty()) {
            fail(element,
                 "element 'tls': require-client-certificate=\"true\" needs the "
                 "attribute 'client-ca' (the CAs whose client certificates are "
                 "accepted)");
        }
    }

    void readLimits(const xmlNode* element) {
        LimitsConfig& limits = config_.server.limits;
        if (auto value = xmlAttribute(element, "max-body")) {
            auto size = parseSize(*value);
            if (!size) fail(element, attributeContext(element, "max-body") + size.error().message);
            if (*size == 0) fail(element, attributeContext(element, "max-body") + "must not be 0");
            limits.max_body_bytes = static_cast<std::size_t>(*size);
        }
        limits.max_header_fields =
            intAttribute(element, "max-header-fields", limits.max_header_fields, 1, 1024);
        limits.request_timeout_ms =
            durationAttribute(element, "request-timeout", limits.request_timeout_ms);
        limits.keep_alive_timeout_ms =
            durationAttribute(element, "keep-alive-timeout", limits.keep_alive_timeout_ms);
        limits.header_timeout_ms =
            durationAttribute(element, "header-timeout", limits.header_timeout_ms);
        limits.body_timeout_ms = durationAttribute(element, "body-timeout", limits.body_timeout_ms);
        limits.max_threads = intAttribute(element, "max-threads", limits.max_threads, 1, 1024);
        limits.max_queued = intAttribute(element, "max-queued", limits.max_queued, 0, 1'000'000);
        limits.max_json_depth =
            intAttribute(element, "max-json-depth", limits.max_json_depth, 1, 1024);
        if (xmlAttribute(element, "client-rate")) {
            limits.client_rate = rateAttribute(element, "client-rate");
        }
        if (xmlAttribute(element, "client-burst")) {
            limits.client_burst = intAttribute(element, "client-burst", 1, 1, 1024);
        }
    }

    void readStore(const xmlNode* element) {
        StoreConfig& store = config_.store;
        store.where = where(element);
        store.engine = attributeOr(element, "engine", "sqlite");
        const auto path = xmlAttribute(element, "path");
        const auto dsn = xmlAttribute(element, "dsn");
        const auto blobs = pathAttribute(element, "blobs");
        store.read_connections =
            intAttribute(element, "read-connections", store.read_connections, 1, 1024);
        store.max_batch = intAttribute(element, "max-batch", store.max_batch, 1, 1'000'000);

        if (store.engine == "sqlite") {
            if (!path) {
                fail(element,
                     "element 'store': engine 'sqlite' needs the attribute 'path' "
                     "(the database file)");
            }
            if (dsn) {
                fail(element,
                     "element 'store', attribute 'dsn': only for engine "
                     "'postgresql'");
            }
            store.path = resolvePath(*path);
            store.blob_directory = blobs ? *blobs : siblingOfDatabase("blobs");
        } else if (store.engine == "postgresql") {
            if (!dsn) {
                fail(element,
                     "element 'store': engine 'postgresql' needs the attribute 'dsn' "
                     "(a secret reference such as env:RELAIS_DSN)");
            }
            if (path) {
                fail(element, "element 'store', attribute 'path': only for engine 'sqlite'");
            }
            // Never quote the value: it may be the connection string, password included.
            if (!isSecretReference(*dsn)) {
                fail(element,
                     "element 'store', attribute 'dsn': must be a secret reference "
                     "(env:NAME or file:/path), not the connection string itself: "
                     "secrets are never written in the configuration file");
            }
            store.dsn = resolveReference(*dsn);
            if (!blobs) {
                fail(element,
                     "element 'store': engine 'postgresql' needs the attribute "
                     "'blobs' (a directory shared by every relais instance)");
            }
            store.blob_directory = *blobs;
        } else {
            fail(element, attributeContext(element, "engine") + inQuotes(store.engine) +
                              " is not a store engine (sqlite or postgresql)");
        }
    }

    /// `name` in the directory of the SQLite database file.
    std::string siblingOfDatabase(const char* name) const {
        return (std::filesystem::path(config_.store.path).parent_path() / name).string();
    }

    void defaultDataDirectory(const xmlNode* store) {
        if (config_.store.engine != "sqlite") {
            fail(store, "element 'store': engine " + inQuotes(config_.store.engine) +
                            " needs a <data directory=\"…\"/> element (there is no database "
                            "file to put it beside)");
        }
        config_.data_directory = siblingOfDatabase("data");
    }

    /// A `file:` reference with a relative path made absolute; `env:` unchanged.
    std::string resolveReference(const std::string& reference) const {
        if (reference.starts_with("file:")) return "file:" + resolvePath(reference.substr(5));
        return reference;
    }

    void readLog(const xmlNode* element) {
        LogConfig& log = config_.log;
        log.where = where(element);
        log.level = attributeOr(element, "level", log.level);
        log.file = pathAttribute(element, "file").value_or("");
        log.access_log = boolAttribute(element, "access-log", log.access_log);
    }

    void readDelivery(const xmlNode* element) {
        DeliveryConfig& delivery = config_.delivery;
        delivery.where = where(element);
        delivery.workers = intAttribute(element, "workers", delivery.workers, 1, 256);
        delivery.batch = intAttribute(element, "batch", delivery.batch, 1, 1000);
        delivery.lease_ms =
            durationAttribute(element, "lease", static_cast<int>(delivery.lease_ms));
        delivery.idle_poll_ms =
            durationAttribute(element, "idle-poll", static_cast<int>(delivery.idle_poll_ms));
        delivery.attachment_timeout_ms = durationAttribute(
            element, "attachment-timeout", static_cast<int>(delivery.attachment_timeout_ms));
        if (auto value = xmlAttribute(element, "max-attachment")) {
            auto size = parseSize(*value);
            if (!size) {
                fail(element, attributeContext(element, "max-attachment") + size.error().message);
            }
            if (*size == 0) {
                fail(element, attributeContext(element, "max-attachment") + "must not be 0");
            }
            delivery.max_attachment_bytes = static_cast<std::size_t>(*size);
        }
    }

    /// A duration attribute that may exceed the 24 days `durationAttribute` allows.
    std::int64_t longDurationAttribute(const xmlNode* element, const char* name,
                                       std::int64_t fallback_ms) const {
        auto value = xmlAttribute(element, name);
        if (!value) return fallback_ms;
        auto duration = parseDuration(*value);
        if (!duration) fail(element, attributeContext(element, name) + duration.error().message);
        if (duration->count() < 1) {
            fail(element, attributeContext(element, name) + "must be at least 1ms");
        }
        return duration->count();
    }

    void readRetry(const xmlNode* element, RetryConfig& retry, const std::string& context) {
        retry.initial_ms = longDurationAttribute(element, "initial", retry.initial_ms);
        retry.max_ms = longDurationAttribute(element, "max", retry.max_ms);
        retry.give_up_after_ms =
            longDurationAttribute(element, "give-up-after", retry.give_up_after_ms);
        if (auto value = xmlAttribute(element, "multiplier")) {
            double multiplier = 0;
            const std::string_view text = common::trim(*value);
            const auto [end, error] =
                std::from_chars(text.data(), text.data() + text.size(), multiplier);
            if (error != std::errc() || end != text.data() + text.size() || multiplier < 1.0 ||
                multiplier > 10.0) {
                fail(element, context + ", element 'retry', attribute 'multiplier': " +
                                  inQuotes(*value) + " is not a number from 1 to 10");
            }
            retry.multiplier = multiplier;
        }
        if (retry.max_ms < retry.initial_ms) {
            fail(element, context + ", element 'retry': 'max' is shorter than 'initial'");
        }
    }

    void readInbox(const xmlNode* element) {
        InboxConfig inbox;
        inbox.where = where(element);
        inbox.name = requiredAttribute(element, "name");
        const auto [known, inserted] =
            instances_.emplace(inbox.name, InstanceRef{element, InstanceKind::Connector, true});
        if (!inserted) {
            fail(element,
                 "inbox " + inQuotes(inbox.name) + ": the name is already used by the " +
                     std::string(known->second.inbox ? "inbox" : kindName(known->second.kind)) +
                     " at line " + std::to_string(lineOf(known->second.node)) +
                     " (adapters, connectors and inboxes share one set of names)");
        }
        config_.inboxes.push_back(std::move(inbox));
    }

    void readInstances(const xmlNode* list, InstanceKind kind) {
        for (const xmlNode* element : elementsOf(list)) {
            if (isNamed(element, "inbox")) {
                readInbox(element);
                continue;
            }
            InstanceConfig instance;
            instance.kind = kind;
            instance.where = where(element);
            instance.name = requiredAttribute(element, "name");
            instance.plugin = requiredAttribute(element, "plugin");
            instance.log_level = attributeOr(element, "log-level", "");
            instance.poll_interval_ms = durationAttribute(
                element, "poll-interval", static_cast<int>(instance.poll_interval_ms));
            const std::string context = std::string(kindName(kind)) + " " + inQuotes(instance.name);

            const auto [known, inserted] =
                instances_.emplace(instance.name, InstanceRef{element, kind});
            if (!inserted) {
                fail(element, context + ": the name is already used by the " +
                                  std::string(kindName(known->second.kind)) + " at line " +
                                  std::to_string(lineOf(known->second.node)) +
                                  " (adapters and connectors share one set of names)");
            }

            std::map<std::string, const xmlNode*, std::less<>> seen;
            const xmlNode* retry_seen = nullptr;
            for (const xmlNode* param : elementsOf(element)) {
                if (isNamed(param, "retry")) {
                    if (retry_seen != nullptr) {
                        fail(param, context + ": element 'retry' given twice (first at line " +
                                        std::to_string(lineOf(retry_seen)) + ")");
                    }
                    retry_seen = param;
                    readRetry(param, instance.retry, context);
                    continue;
                }
                if (!isNamed(param, "param")) {
                    fail(param, context + ": unknown element " + inQuotes(nameOf(param)));
                }
                InstanceParam entry;
                entry.name = requiredAttribute(param, "name");
                entry.value = xmlText(param);
                entry.where = where(param);
                const auto [first, fresh] = seen.emplace(entry.name, param);
                if (!fresh) {
                    fail(param, context + ", param " + inQuotes(entry.name) +
                                    ": given twice (first at line " +
                                    std::to_string(lineOf(first->second)) + ")");
                }
                instance.params.push_back(std::move(entry));
            }
            config_.instances.push_back(std::move(instance));
        }
    }

    void readClient(const xmlNode* element) {
        ClientConfig client;
        client.where = where(element);
        client.name = requiredAttribute(element, "name");
        const std::string context = "client " + inQuotes(client.name);
        if (const auto [first, fresh] = clients_.emplace(client.name, element); !fresh) {
            fail(element, context + ": a client with this name is already declared at line " +
                              std::to_string(lineOf(first->second)));
        }

        const auto key = xmlAttribute(element, "key");
        const auto key_sha256 = xmlAttribute(element, "key-sha256");
        if (key && key_sha256) {
            fail(element, context + ": give either 'key' or 'key-sha256', not both");
        }
        if (key || key_sha256) {
            client.key_sha256 = key ? hashClientKey(element, context, *key) : *key_sha256;
            if (client.key_sha256.size() != 64 ||
                client.key_sha256.find_first_not_of("0123456789abcdef") != std::string::npos) {
                fail(element, context +
                                  ", attribute 'key-sha256': must be 64 lowercase "
                                  "hexadecimal digits");
            }
            if (const auto [other, fresh] = keys_.emplace(client.key_sha256, element); !fresh) {
                fail(element, context + ": same key as client " +
                                  inQuotes(attributeOr(other->second, "name", "")) + " (line " +
                                  std::to_string(lineOf(other->second)) +
                                  "); each client needs its own key");
            }
        }

        for (const xmlNode* child : elementsOf(element)) {
            const std::string_view name = nameOf(child);
            if (name == "rights") {
                client.rights = splitList(xmlText(child));
                for (const std::string& right : client.rights) {
                    if (!isKnownRight(right)) {
                        std::string known;
                        for (const std::string_view k : knownRights()) {
                            if (!known.empty()) known += ", ";
                            known += k;
                        }
                        fail(child, context + ", element 'rights': unknown right " +
                                        inQuotes(right) + " (known rights: " + known + ")");
                    }
                }
            } else if (name == "procedures") {
                client.procedures = splitList(xmlText(child));
            } else if (name == "certify") {
                client.certify = splitList(xmlText(child));
                client.certify_max_level = intAttribute(child, "max-level", 0, 1, 1000);
                certify_nodes_.emplace_back(child, config_.clients.size());
            } else if (name == "instances") {
                client.instances = splitList(xmlText(child));
                for (const std::string& instance : client.instances) {
                    if (instance != "*" && instances_.find(instance) == instances_.end()) {
                        fail(child, context +
                                        ", element 'instances': no adapter or connector "
                                        "named " +
                                        inQuotes(instance));
                    }
                }
            } else if (name == "publik") {
                client.publik_orig = requiredAttribute(child, "orig");
                if (const auto [other, fresh] = publik_origs_.emplace(client.publik_orig, child);
                    !fresh) {
                    fail(child, context + ", element 'publik': orig " +
                                    inQuotes(client.publik_orig) + " is already given at line " +
                                    std::to_string(lineOf(other->second)));
                }
                client.publik_secret = resolveClientSecret(child, context + ", element 'publik'",
                                                           requiredAttribute(child, "secret"));
            } else if (name == "hmac") {
                client.hmac_secret = resolveClientSecret(child, context + ", element 'hmac'",
                                                         requiredAttribute(child, "secret"));
            } else if (name == "certificate") {
                client.certificate_sha256 = attributeOr(child, "sha256", "");
                client.certificate_cn = attributeOr(child, "cn", "");
                readCertificate(child, context, client);
            } else if (name == "rate-limit") {
                client.rate = rateAttribute(child, "rate");
                if (xmlAttribute(child, "burst")) {
                    client.burst = intAttribute(child, "burst", 1, 1, 1024);
                }
            } else {
                fail(child, context + ": unknown element " + inQuotes(name));
            }
        }
        if (client.key_sha256.empty() && client.publik_orig.empty() && client.hmac_secret.empty() &&
            client.certificate_sha256.empty() && client.certificate_cn.empty()) {
            fail(element, context +
                              ": needs a credential: the attribute 'key' (a secret reference "
                              "such as file:/etc/relais/" +
                              client.name +
                              ".key), 'key-sha256' (the SHA-256 of the key), or a 'publik', "
                              "'hmac' or 'certificate' element");
        }
        config_.clients.push_back(std::move(client));
    }

    void readCertificate(const xmlNode* element, const std::string& context,
                         const ClientConfig& client) {
        const std::string at = context + ", element 'certificate': ";
        if (client.certificate_sha256.empty() == client.certificate_cn.empty()) {
            fail(element, at + "give either 'sha256' (the certificate's fingerprint) or 'cn' "
                               "(its common name), not both or neither");
        }
        if (!config_.server.tls.enabled || config_.server.tls.ca_file.empty()) {
            fail(element, at + "client certificates need <server><tls client-ca=\"…\"> (the "
                               "CAs they are checked against)");
        }
        const std::string& identity =
            client.certificate_sha256.empty() ? client.certificate_cn : client.certificate_sha256;
        if (const auto [other, fresh] = certificates_.emplace(identity, element); !fresh) {
            fail(element, at + "the same certificate is given at line " +
                              std::to_string(lineOf(other->second)) +
                              "; each client needs its own");
        }
    }

    /// Requests per second of a `rate` attribute (`50/s`, `600/min`, `1000/h`).
    double rateAttribute(const xmlNode* element, const char* name) const {
        const std::string text = attributeOr(element, name, "");
        const auto slash = text.find('/');
        double count = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + slash, count);
        const std::string_view unit = slash == std::string::npos
                                          ? std::string_view()
                                          : std::string_view(text).substr(slash + 1);
        const double seconds = unit == "s" ? 1 : unit == "min" ? 60 : unit == "h" ? 3600 : 0;
        if (slash == std::string::npos || error != std::errc() || end != text.data() + slash ||
            count <= 0 || seconds == 0) {
            fail(element, attributeContext(element, name) + inQuotes(text) +
                              " is not a rate: a positive number of requests, '/', then s, "
                              "min or h (for example 50/s)");
        }
        return count / seconds;
    }

    /// SHA-256 (hex) of the key `reference` points to. Errors name the reference only.
    std::string hashClientKey(const xmlNode* element, const std::string& context,
                              const std::string& reference) const {
        std::string key = resolveClientSecret(element, context, reference, "key");
        std::string digest = common::sha256Hex(key);
        wipe(key);
        return digest;
    }

    /// The client secret `reference` (attribute `attribute`) points to, at least
    /// `kMinClientKeyBytes` long. Errors name the reference only.
    std::string resolveClientSecret(const xmlNode* element, const std::string& context,
                                    const std::string& reference,
                                    std::string_view attribute = "secret") const {
        const std::string prefix = context + ", attribute " + inQuotes(attribute) + ": ";
        // Never quote the value: it may be the key itself, pasted where a reference belongs.
        if (!isSecretReference(reference)) {
            fail(element, prefix +
                              "must be a secret reference (env:NAME or file:/path), not "
                              "the key itself: secrets are never written in the "
                              "configuration file");
        }
        const SecretResolver resolver(config_.base_dir);
        auto resolved = resolver.resolve(reference);
        if (!resolved) fail(element, prefix + resolved.error().message);
        std::string key = std::move(resolved).value();
        if (key.size() < kMinClientKeyBytes) {
            wipe(key);
            fail(element, prefix + "the key in " + inQuotes(reference) + " is shorter than " +
                              std::to_string(kMinClientKeyBytes) +
                              " bytes; use a random key (for example `openssl rand -hex 32`)");
        }
        return key;
    }

    void readAttributes(const xmlNode* element) {
        AttributesConfig& attributes = config_.attributes;
        attributes.enabled = true;
        attributes.where = where(element);
        attributes.current_key = requiredAttribute(element, "current-key");
        attributes.purge_interval_ms = durationAttribute(element, "purge-interval", 3'600'000);
        std::map<std::string, const xmlNode*, std::less<>> keys;
        std::map<std::string, const xmlNode*, std::less<>> kinds;
        for (const xmlNode* child : elementsOf(element)) {
            const std::string_view name = nameOf(child);
            if (name == "key") {
                AttributeKeyConfig key;
                key.where = where(child);
                key.id = requiredAttribute(child, "id");
                key.file = requiredPath(child, "file");
                if (const auto [first, fresh] = keys.emplace(key.id, child); !fresh) {
                    fail(child, "key " + inQuotes(key.id) + ": already declared at line " +
                                    std::to_string(lineOf(first->second)));
                }
                attributes.keys.push_back(std::move(key));
            } else if (name == "level") {
                LevelConfig level{intAttribute(child, "value", 0, 1, 1000),
                                  requiredAttribute(child, "name")};
                if (!attributes.levels.empty() && attributes.levels.back().value >= level.value) {
                    fail(child, "level " + std::to_string(level.value) +
                                    ": levels must be listed in increasing order, each once");
                }
                attributes.levels.push_back(std::move(level));
            } else if (name == "attribute") {
                AttributeKindConfig kind;
                kind.where = where(child);
                kind.name = requiredAttribute(child, "name");
                kind.subject = attributeOr(child, "subject", kind.subject);
                kind.validity = attributeOr(child, "validity", kind.validity);
                if (kind.validity != "none" && kind.validity != "month" &&
                    kind.validity != "school-year") {
                    kind.validity_ms = longDurationAttribute(child, "validity", 0);
                    kind.validity = "duration";
                }
                if (const auto [first, fresh] = kinds.emplace(kind.name, child); !fresh) {
                    fail(child, "attribute " + inQuotes(kind.name) + ": already declared at line " +
                                    std::to_string(lineOf(first->second)));
                }
                attributes.kinds.push_back(std::move(kind));
            } else {
                fail(child, "element 'attributes': unknown element " + inQuotes(name));
            }
        }
        if (keys.find(attributes.current_key) == keys.end()) {
            fail(element, "element 'attributes', attribute 'current-key': no <key id=\"" +
                              attributes.current_key + "\"> is declared");
        }
    }

    void readContract(const xmlNode* element) {
        ContractConfig contract;
        contract.where = where(element);
        contract.name = requiredAttribute(element, "name");
        contract.procedure = requiredAttribute(element, "procedure");
        contract.clients = splitList(requiredAttribute(element, "clients"));
        contract.purpose = std::string(common::trim(requiredAttribute(element, "purpose")));
        contract.legal_basis = std::string(common::trim(requiredAttribute(element, "legal-basis")));
        contract.retention_ms = longDurationAttribute(element, "retention", 0);
        const std::string context = "contract " + inQuotes(contract.name);
        if (const auto [first, fresh] = contracts_.emplace(contract.name, element); !fresh) {
            fail(element, context + ": a contract with this name is already declared at line " +
                              std::to_string(lineOf(first->second)));
        }
        if (!config_.attributes.enabled) {
            fail(element, context +
                              ": contracts need an <attributes> element (the keys that "
                              "seal the values relais keeps)");
        }
        if (contract.procedure == "*") {
            fail(element, context +
                              ", attribute 'procedure': a contract is for one procedure "
                              "(purpose limitation), not *");
        }
        if (contract.purpose.empty() || contract.legal_basis.empty()) {
            fail(element, context + ": 'purpose' and 'legal-basis' must not be blank");
        }
        for (const std::string& client : contract.clients) {
            if (clients_.find(client) == clients_.end()) {
                fail(element,
                     context + ", attribute 'clients': no client named " + inQuotes(client));
            }
            const std::string pair = contract.procedure + '\x1f' + client;
            if (const auto [first, fresh] = contract_pairs_.emplace(pair, element); !fresh) {
                fail(element, context + ": client " + inQuotes(client) +
                                  " already has a contract for procedure " +
                                  inQuotes(contract.procedure) + " (line " +
                                  std::to_string(lineOf(first->second)) + ")");
            }
        }
        std::map<std::string, bool, std::less<>> seen;
        for (const xmlNode* child : elementsOf(element)) {
            ContractAttributeConfig attribute;
            attribute.name = requiredAttribute(child, "name");
            attribute.min_level = intAttribute(child, "min-level", 1, 1, 1000);
            attribute.required = boolAttribute(child, "required", false);
            attribute.provider = attributeOr(child, "provider", "");
            const std::string where_attribute = context + ", attribute " + inQuotes(attribute.name);
            if (!seen.emplace(attribute.name, true).second) {
                fail(child, where_attribute + ": listed twice");
            }
            if (config_.attributes.findKind(attribute.name) == nullptr) {
                fail(child, where_attribute +
                                ": not declared in <attributes> (declare it with its "
                                "validity)");
            }
            if (!attribute.provider.empty()) {
                const auto provider = instances_.find(attribute.provider);
                if (provider == instances_.end() ||
                    provider->second.kind != InstanceKind::Connector || provider->second.inbox) {
                    fail(child, where_attribute + ", 'provider': no connector named " +
                                    inQuotes(attribute.provider));
                }
            }
            contract.attributes.push_back(std::move(attribute));
        }
        config_.contracts.push_back(std::move(contract));
    }

    /// Certified attributes must be declared; done once the catalogue is read.
    void checkCertifiedAttributes() const {
        for (const auto& [node, index] : certify_nodes_) {
            const ClientConfig& client = config_.clients[index];
            for (const std::string& name : client.certify) {
                if (config_.attributes.findKind(name) == nullptr) {
                    fail(node, "client " + inQuotes(client.name) +
                                   ", element 'certify': " + "attribute " + inQuotes(name) +
                                   " is not declared in <attributes>");
                }
            }
        }
    }

    void readRoute(const xmlNode* element) {
        RouteConfig route;
        route.where = where(element);
        route.procedure = requiredAttribute(element, "procedure");
        route.connector = requiredAttribute(element, "connector");
        const auto name = xmlAttribute(element, "name");
        route.name = name ? *name : route.procedure + "->" + route.connector;
        const std::string context = "route " + inQuotes(route.name);
        if (const auto [first, fresh] = routes_.emplace(route.name, element); !fresh) {
            fail(element, context + ": a route with this name is already declared at line " +
                              std::to_string(lineOf(first->second)) +
                              (name ? ""
                                    : " (a route without a name is named "
                                      "<procedure>-><connector>: give each one a name)"));
        }
        const auto target = instances_.find(route.connector);
        if (target == instances_.end()) {
            fail(element, context + ", attribute 'connector': no connector named " +
                              inQuotes(route.connector));
        }
        if (target->second.kind != InstanceKind::Connector && !target->second.inbox) {
            fail(element, context + ", attribute 'connector': " + inQuotes(route.connector) +
                              " is an adapter (line " +
                              std::to_string(lineOf(target->second.node)) +
                              "), not a connector; routes deliver to connectors");
        }
        route.mapping = pathAttribute(element, "mapping").value_or("");
        route.mode = attributeOr(element, "mode", route.mode);
        route.condition = attributeOr(element, "condition", "");
        route.on_sync_failure = attributeOr(element, "on-sync-failure", route.on_sync_failure);
        route.response_mapping = pathAttribute(element, "response-mapping").value_or("");
        if (route.mode != "sync" &&
            (xmlAttribute(element, "on-sync-failure") || !route.response_mapping.empty())) {
            fail(element, context +
                              ": 'on-sync-failure' and 'response-mapping' apply to "
                              "mode=\"sync\" routes only");
        }
        if (route.mode == "sync" && target->second.inbox) {
            fail(element, context +
                              ": an inbox cannot be delivered synchronously (the "
                              "application fetches its dossiers later)");
        }
        config_.routes.push_back(std::move(route));
    }

    const xmlDoc& doc_;
    Config& config_;
    std::map<std::string, InstanceRef, std::less<>> instances_;          ///< by name
    std::map<std::string, const xmlNode*, std::less<>> clients_;         ///< by name
    std::map<std::string, const xmlNode*, std::less<>> keys_;            ///< client by key digest
    std::map<std::string, const xmlNode*, std::less<>> publik_origs_;    ///< client by orig
    std::map<std::string, const xmlNode*, std::less<>> certificates_;    ///< by sha256 or cn
    std::map<std::string, const xmlNode*, std::less<>> routes_;          ///< by name
    std::map<std::string, const xmlNode*, std::less<>> contracts_;       ///< by name
    std::map<std::string, const xmlNode*, std::less<>> contract_pairs_;  ///< procedure+client
    std::vector<std::pair<const xmlNode*, std::size_t>> certify_nodes_;  ///< client index
};

bool isHostName(std::string_view text) noexcept {
    if (text.empty() || text.size() > 253) return false;
    std::size_t start = 0;
    bool last_label_numeric = true;
    while (start <= text.size()) {
        std::size_t end = text.find('.', start);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view label = text.substr(start, end - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
            return false;
        }
        last_label_numeric = true;
        for (const char c : label) {
            const bool digit = c >= '0' && c <= '9';
            const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            if (!digit && !letter && c != '-') return false;
            if (!digit) last_label_numeric = false;
        }
        start = end + 1;
    }
    // "300.1.1.1" is a malformed address, not a host name.
    return !last_label_numeric;
}

}  // namespace

void readConfigDocument(const xmlDoc& doc, Config& config) { Reader(doc, config).read(); }

bool isListenAddress(std::string_view text) noexcept {
    if (text.empty() || text.size() > 253) return false;
    char buffer[256];
    text.copy(buffer, text.size());
    buffer[text.size()] = '\0';
    in_addr v4{};
    in6_addr v6{};
    if (::inet_pton(AF_INET, buffer, &v4) == 1 || ::inet_pton(AF_INET6, buffer, &v6) == 1) {
        return true;
    }
    return isHostName(text);
}

}  // namespace relais::config::detail
