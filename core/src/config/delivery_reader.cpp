// SPDX-License-Identifier: AGPL-3.0-or-later
#include "config/delivery_reader.h"

#include <string>

#include "relais/config/host_allow_list.h"
#include "relais/config/units.h"
#include "relais/config/xml.h"

namespace relais::config::detail {
namespace {

/// `attachment-hosts`: each pattern checked now, so that a typo stops the start rather
/// than every download.
void readAttachmentHosts(const ElementReader& in, const xmlNode* element,
                         DeliveryConfig& delivery) {
    const auto value = xmlAttribute(element, "attachment-hosts");
    if (!value) return;
    const std::string context = in.attributeContext(element, "attachment-hosts");
    std::vector<std::string> patterns = splitList(*value);
    // An empty list would read as "no restriction", the opposite of what was meant.
    if (patterns.empty()) {
        in.fail(element, context +
                             "empty; list the hosts attachments may be downloaded from, or "
                             "remove the attribute to allow any host");
    }
    for (const std::string& pattern : patterns) {
        if (auto parsed = parseHostPattern(pattern); !parsed) {
            in.fail(element, context + inQuotes(pattern) + ": " + parsed.error().message);
        }
    }
    delivery.attachment_hosts = std::move(patterns);
}

}  // namespace

void readDelivery(const ElementReader& in, const xmlNode* element, DeliveryConfig& delivery) {
    delivery.where = in.where(element);
    delivery.workers = in.intAttribute(element, "workers", delivery.workers, 1, 256);
    delivery.batch = in.intAttribute(element, "batch", delivery.batch, 1, 1000);
    delivery.lease_ms = in.durationAttribute(element, "lease", static_cast<int>(delivery.lease_ms));
    delivery.idle_poll_ms =
        in.durationAttribute(element, "idle-poll", static_cast<int>(delivery.idle_poll_ms));
    delivery.attachment_timeout_ms = in.durationAttribute(
        element, "attachment-timeout", static_cast<int>(delivery.attachment_timeout_ms));
    if (auto value = xmlAttribute(element, "max-attachment")) {
        auto size = parseSize(*value);
        if (!size) {
            in.fail(element, in.attributeContext(element, "max-attachment") + size.error().message);
        }
        if (*size == 0) {
            in.fail(element, in.attributeContext(element, "max-attachment") + "must not be 0");
        }
        delivery.max_attachment_bytes = static_cast<std::size_t>(*size);
    }
    readAttachmentHosts(in, element, delivery);
}

}  // namespace relais::config::detail
