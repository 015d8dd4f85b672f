// SPDX-License-Identifier: AGPL-3.0-or-later
#include "config/config_reader.h"

// One pass over a validated document: the root's sections, in the order their references
// need. Each section has its own reader (server_reader.h, store_reader.h…); the helpers
// they share are in element_reader.h.

#include <string>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "relais/common/errors.h"
#include "relais/config/xml.h"

#include "config/attribute_reader.h"
#include "config/client_reader.h"
#include "config/contract_reader.h"
#include "config/delivery_reader.h"
#include "config/element_reader.h"
#include "config/instance_reader.h"
#include "config/route_reader.h"
#include "config/server_reader.h"
#include "config/store_reader.h"

namespace relais::config::detail {
namespace {

constexpr long long kConfigVersion = 1;

void readVersion(const ElementReader& in, const xmlNode* root) {
    const long long version = in.integerAttribute(root, "version", 0);
    if (version != kConfigVersion) {
        in.fail(root, "element 'relais', attribute 'version': version " + std::to_string(version) +
                          " is not supported (this relais reads " + "version " +
                          std::to_string(kConfigVersion) + ")");
    }
}

void readLog(const ElementReader& in, const xmlNode* element, LogConfig& log) {
    log.where = in.where(element);
    log.level = in.attributeOr(element, "level", log.level);
    log.file = in.pathAttribute(element, "file").value_or("");
    log.access_log = in.boolAttribute(element, "access-log", log.access_log);
}

/// The schema guarantees the structure and the value forms; the section readers check what
/// it cannot (defaults, combinations, references) and convert.
void readRoot(const xmlDoc& doc, Config& config) {
    const ElementReader in(config.path, config.base_dir);
    const xmlNode* root = xmlDocGetRootElement(&doc);
    if (!isNamed(root, "relais")) in.fail(root, "the root element must be <relais version=\"1\">");
    readVersion(in, root);
    config.server.where = in.where(root);

    InstanceReader instances(in, config);
    const xmlNode* store = nullptr;
    const xmlNode* data = nullptr;
    const xmlNode* clients = nullptr;
    const xmlNode* routes = nullptr;
    const xmlNode* contracts = nullptr;
    for (const xmlNode* child : elementsOf(root)) {
        const std::string_view name = nameOf(child);
        if (name == "server") {
            readServer(in, child, config.server);
        } else if (name == "store") {
            store = child;
            readStore(in, child, config.store);
        } else if (name == "plugins") {
            config.plugin_directory = in.requiredPath(child, "directory");
        } else if (name == "data") {
            data = child;
            config.data_directory = in.requiredPath(child, "directory");
        } else if (name == "log") {
            readLog(in, child, config.log);
        } else if (name == "delivery") {
            readDelivery(in, child, config.delivery);
        } else if (name == "adapters") {
            instances.readList(child, InstanceKind::Adapter);
        } else if (name == "connectors") {
            instances.readList(child, InstanceKind::Connector);
        } else if (name == "clients") {
            clients = child;  // after the instances, which may come later in the file
        } else if (name == "routes") {
            routes = child;
        } else if (name == "attributes") {
            readAttributes(in, child, config.attributes);
        } else if (name == "contracts") {
            contracts = child;  // after the clients and the attribute catalogue
        } else {
            in.fail(child, "unknown element " + inQuotes(name));
        }
    }
    if (store == nullptr) in.fail(root, "element 'relais': a <store> element is required");
    if (data == nullptr) config.data_directory = defaultDataDirectory(in, store, config.store);
    if (!config.instances.empty() && config.plugin_directory.empty()) {
        const InstanceConfig& first = config.instances.front();
        throw ConfigError(first.where.toString() + ": " + std::string(kindName(first.kind)) + " " +
                          inQuotes(first.name) +
                          ": a <plugins directory=\"…\"/> element is required to load its "
                          "plugin");
    }
    ClientReader client_reader(in, config, instances);
    if (clients != nullptr) {
        for (const xmlNode* client : elementsOf(clients)) client_reader.read(client);
    }
    if (routes != nullptr) {
        RouteReader route_reader(in, config, instances);
        for (const xmlNode* route : elementsOf(routes)) route_reader.read(route);
    }
    if (contracts != nullptr) {
        ContractReader contract_reader(in, config, client_reader, instances);
        for (const xmlNode* contract : elementsOf(contracts)) contract_reader.read(contract);
    }
    if (config.attributes.enabled && config.attributes.levels.empty()) {
        config.attributes.levels = {{100, "declared"},
                                    {200, "contact-validated"},
                                    {400, "document-scanned"},
                                    {500, "document-seen"},
                                    {600, "trusted-registry"}};
    }
    // Last: a client may name attributes the catalogue declares further down the file.
    client_reader.checkCertifiedAttributes();
}

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

void readConfigDocument(const xmlDoc& doc, Config& config) { readRoot(doc, config); }

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
