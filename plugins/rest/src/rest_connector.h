// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <memory>

#include "relais/sdk/connector.h"

#include "rest_config.h"

/// @file
/// The generic HTTP/JSON delivery connector: sends each mapped dossier to a business
/// application's REST endpoint and reads back the id the application gave it.
///
/// One delivery is one request: `method url`, the mapped payload as body, the delivery's
/// idempotency key in `idempotency-header` (the same on every retry, so the application can
/// apply a dossier exactly once), the configured credentials and extra headers. The status
/// decides: `success-codes` → delivered (with the business id and display id found where
/// `business-id`/`display-id` say, and the JSON answer kept when under 64 KiB);
/// `retry-codes` → `Retryable`, with `Retry-After` as advice; anything else → `Permanent`,
/// whose message carries the status and a sanitised excerpt of the answer (never the
/// request body, never a credential). Transport failures keep the host client's codes
/// (`Unavailable`, `Timeout` are retried).

namespace relais::plugins::rest {

/// Threading: `configure` runs on the control thread before any operation; afterwards the
/// configuration is immutable and `deliver`/`health` may run concurrently (the host's HTTP
/// client is thread-safe), so the plugin is declared reentrant.
class RestConnector : public sdk::Connector {
public:
    explicit RestConnector(sdk::Host& host);

    sdk::Result<void> configure(const sdk::Settings& settings) override;
    /// GET `health-url`: healthy on a 2xx. Without one: healthy, "no health check
    /// configured". Never an error: an unreachable application is an unhealthy report.
    sdk::Result<sdk::HealthReport> health() override;
    sdk::Result<sdk::DeliveryReceipt> deliver(const sdk::Delivery& delivery) override;

protected:
    /// The configuration `configure` built; null before.
    const RestConfig* restConfig() const noexcept { return config_.get(); }

    /// The request with the configured headers, credentials and TLS settings; signed now
    /// (host clock, fresh nonce) for auth=hmac and auth=publik, so each attempt has its own
    /// signature. `InvalidArgument` when auth=publik cannot sign `url`.
    sdk::Result<sdk::HttpRequest> makeRequest(const RestConfig& config, std::string method,
                                              std::string url, std::string body,
                                              int timeout_ms) const;

    /// The error for an answer outside `success-codes`: `Retryable` for `retry-codes` (with
    /// `Retry-After` as advice, capped at a day), `Permanent` otherwise; the message says
    /// `<where> answered <status> <reason>` and carries a sanitised excerpt of the body.
    sdk::Error refusal(const RestConfig& config, const sdk::HttpResponse& response,
                       const std::string& where) const;

private:
    std::shared_ptr<const RestConfig> config_;  // set by configure, then read-only
};

}  // namespace relais::plugins::rest
