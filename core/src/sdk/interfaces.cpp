// SPDX-License-Identifier: AGPL-3.0-or-later
// Out-of-line destructors and default operations of the SDK's interfaces. Defining them
// here pins their vtables and type_info in the SDK library, so the core and every plugin
// share one copy (dynamic_cast and exception matching work across RTLD_LOCAL libraries).

#include <algorithm>
#include <cctype>

#include "relais/sdk/clock.h"
#include "relais/sdk/component.h"
#include "relais/sdk/connector.h"
#include "relais/sdk/host.h"
#include "relais/sdk/http_client.h"
#include "relais/sdk/logger.h"
#include "relais/sdk/metrics.h"
#include "relais/sdk/portal_adapter.h"
#include "relais/sdk/secrets.h"

namespace relais::sdk {
namespace {

Error unsupported(std::string_view operation) {
    return fail(ErrorCode::Unsupported,
                std::string(operation) + " is not supported by this plugin");
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) noexcept {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) ==
               std::tolower(static_cast<unsigned char>(y));
    });
}

}  // namespace

Logger::~Logger() = default;
Clock::~Clock() = default;
Secrets::~Secrets() = default;
Metrics::~Metrics() = default;
HttpClient::~HttpClient() = default;
Host::~Host() = default;

std::string HttpResponse::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (equalsIgnoreCase(key, name)) return value;
    }
    return {};
}

Component::~Component() = default;
Result<void> Component::configure(const Settings& /*settings*/) { return ok(); }
Result<void> Component::start() { return ok(); }
Result<void> Component::stop() { return ok(); }
Result<HealthReport> Component::health() { return HealthReport{}; }

Connector::~Connector() = default;
Result<DeliveryReceipt> Connector::deliver(const Delivery& /*delivery*/) {
    return unsupported("deliver");
}
Result<PollBatch> Connector::poll(const std::string& /*cursor*/) { return unsupported("poll"); }
Result<std::vector<Attribute>> Connector::fetchAttributes(const AttributeQuery& /*query*/) {
    return unsupported("fetchAttributes");
}
Result<EndpointResponse> Connector::callEndpoint(const EndpointRequest& /*request*/) {
    return unsupported("callEndpoint");
}

PortalAdapter::~PortalAdapter() = default;
Result<InboundBatch> PortalAdapter::parseInbound(const InboundRequest& /*request*/) {
    return unsupported("parseInbound");
}
Result<PollBatch> PortalAdapter::poll(const std::string& /*cursor*/) { return unsupported("poll"); }
Result<PushReceipt> PortalAdapter::pushEvent(const Dossier& /*dossier*/, const Event& /*event*/) {
    return unsupported("pushEvent");
}
Result<AttachmentContent> PortalAdapter::fetchAttachment(const Dossier& /*dossier*/,
                                                         const Attachment& /*attachment*/) {
    return unsupported("fetchAttachment");
}

}  // namespace relais::sdk
