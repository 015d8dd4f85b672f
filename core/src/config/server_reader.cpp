// SPDX-License-Identifier: AGPL-3.0-or-later
#include "config/server_reader.h"

#include <string>
#include <string_view>

#include "relais/common/strings.h"
#include "relais/config/units.h"
#include "relais/config/xml.h"

#include "config/config_reader.h"

namespace relais::config::detail {
namespace {

void readTls(const ElementReader& in, const xmlNode* element, TlsConfig& tls) {
    tls.enabled = true;
    tls.where = in.where(element);
    tls.certificate_file = in.requiredPath(element, "certificate");
    tls.key_file = in.requiredPath(element, "key");
    tls.ca_file = in.pathAttribute(element, "client-ca").value_or("");
    tls.require_client_certificate = in.boolAttribute(element, "require-client-certificate", false);
    if (tls.require_client_certificate && tls.ca_file.empty()) {
        in.fail(element,
                "element 'tls': require-client-certificate=\"true\" needs the "
                "attribute 'client-ca' (the CAs whose client certificates are "
                "accepted)");
    }
}

void readLimits(const ElementReader& in, const xmlNode* element, LimitsConfig& limits) {
    if (auto value = xmlAttribute(element, "max-body")) {
        auto size = parseSize(*value);
        if (!size)
            in.fail(element, in.attributeContext(element, "max-body") + size.error().message);
        if (*size == 0)
            in.fail(element, in.attributeContext(element, "max-body") + "must not be 0");
        limits.max_body_bytes = static_cast<std::size_t>(*size);
    }
    limits.max_header_fields =
        in.intAttribute(element, "max-header-fields", limits.max_header_fields, 1, 1024);
    limits.request_timeout_ms =
        in.durationAttribute(element, "request-timeout", limits.request_timeout_ms);
    limits.keep_alive_timeout_ms =
        in.durationAttribute(element, "keep-alive-timeout", limits.keep_alive_timeout_ms);
    limits.header_timeout_ms =
        in.durationAttribute(element, "header-timeout", limits.header_timeout_ms);
    limits.body_timeout_ms = in.durationAttribute(element, "body-timeout", limits.body_timeout_ms);
    limits.max_threads = in.intAttribute(element, "max-threads", limits.max_threads, 1, 1024);
    limits.max_queued = in.intAttribute(element, "max-queued", limits.max_queued, 0, 1'000'000);
    limits.max_connections =
        in.intAttribute(element, "max-connections", limits.max_connections, 1, 1'000'000);
    limits.max_connections_per_address = in.intAttribute(
        element, "max-connections-per-address", limits.max_connections_per_address, 0, 1'000'000);
    limits.io_threads = in.intAttribute(element, "io-threads", limits.io_threads, 1, 1024);
    limits.max_json_depth =
        in.intAttribute(element, "max-json-depth", limits.max_json_depth, 1, 1024);
    limits.max_identifier_bytes =
        in.intAttribute(element, "max-identifier", limits.max_identifier_bytes, 16, 1024);
    if (xmlAttribute(element, "client-rate")) {
        limits.client_rate = in.rateAttribute(element, "client-rate");
    }
    if (xmlAttribute(element, "client-burst")) {
        limits.client_burst = in.intAttribute(element, "client-burst", 1, 1, 1024);
    }
}

}  // namespace

void readServer(const ElementReader& in, const xmlNode* element, ServerConfig& server) {
    server.where = in.where(element);
    if (auto address = xmlAttribute(element, "address")) {
        const std::string_view text = common::trim(*address);
        if (!isListenAddress(text)) {
            in.fail(element, in.attributeContext(element, "address") + inQuotes(*address) +
                                 " is neither an IP address nor a host name");
        }
        server.address = std::string(text);
    }
    server.port = in.intAttribute(element, "port", server.port, 0, 65535);
    for (const xmlNode* child : elementsOf(element)) {
        if (isNamed(child, "tls")) {
            readTls(in, child, server.tls);
        } else if (isNamed(child, "limits")) {
            readLimits(in, child, server.limits);
        } else if (isNamed(child, "signatures")) {
            server.signatures.window_ms = in.durationAttribute(
                child, "window", static_cast<int>(server.signatures.window_ms));
        } else {
            in.fail(child, "element 'server': unknown element " + inQuotes(nameOf(child)));
        }
    }
}

}  // namespace relais::config::detail
