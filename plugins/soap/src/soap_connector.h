// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "relais/sdk/connector.h"

/// @file
/// The SOAP connector, for business applications (état civil, urbanisme…) that only speak
/// SOAP.
///
/// Each delivery takes the mapping's XML output, parses it safely (no DTD, no entities, no
/// network), optionally validates it against an XSD, wraps it as the Body of a SOAP 1.1 or
/// 1.2 envelope (with a WS-Security UsernameToken and the idempotency key as header blocks
/// when configured) and POSTs it. The answer is read safely too: a Fault is classified
/// (retried or dead-lettered), a success must yield the application's id through an XPath.
///
/// Threading: reentrant. `configure` builds an immutable `Config` (compiled XSD and
/// XPaths included); `deliver` and `health` only read it and use per-call libxml2 contexts.

namespace relais::plugins::soap {

class SoapConnector : public sdk::Connector {
public:
    explicit SoapConnector(sdk::Host& host);
    ~SoapConnector() override;

    /// Checks and compiles everything a delivery needs; a bad XPath, namespaces entry,
    /// schema, TLS file or secret is an `InvalidArgument` naming the key.
    sdk::Result<void> configure(const sdk::Settings& settings) override;

    /// GET `health-url` when configured (healthy on 2xx/3xx); otherwise healthy.
    sdk::Result<sdk::HealthReport> health() override;

    /// One SOAP call. Errors: `InvalidArgument` for a payload relais cannot send (not XML,
    /// a DOCTYPE, a schema violation); `Retryable` for a retryable fault, a 5xx without
    /// fault, 408 or 429; `Permanent` for other faults and statuses, and for a success
    /// without a business id; `Unavailable`/`Timeout` from the transport.
    sdk::Result<sdk::DeliveryReceipt> deliver(const sdk::Delivery& delivery) override;

private:
    struct Config;

    sdk::Result<sdk::DeliveryReceipt> interpret(const Config& config, const sdk::Delivery& delivery,
                                                const sdk::HttpResponse& response);

    std::shared_ptr<const Config> config_;
};

}  // namespace relais::plugins::soap
