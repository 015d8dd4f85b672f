// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <memory>
#include <string>

#include "rest_connector.h"
#include "status_feed.h"

/// @file
/// The class the `rest` plugin exports: the delivery connector plus, with `status-url`, the
/// status feed of an application that does not push its decisions.

namespace relais::plugins::rest {

/// `RestConnector` (deliver, health) and `poll`: GET `status-url` with the stored cursor as
/// `{since}`, with the same headers, credentials and TLS settings as a delivery, and turn
/// the answer into `status_changed` events addressed by business id (`readFeed`).
///
/// Threading: as `RestConnector`; the host polls one instance from one thread at a time.
class RestFeedConnector : public RestConnector {
public:
    explicit RestFeedConnector(sdk::Host& host);

    sdk::Result<void> configure(const sdk::Settings& settings) override;
    /// Without `status-url`: an empty batch, the cursor unchanged. Otherwise one page of the
    /// feed. Errors: the HTTP client's (`Unavailable`, `Timeout`…), `Retryable` for an answer
    /// in `retry-codes` (Retry-After as advice), `Permanent` for another non-2xx answer or an
    /// answer `readFeed` refuses; the message names the URL without its query.
    sdk::Result<sdk::PollBatch> poll(const std::string& cursor) override;

private:
    std::shared_ptr<const StatusFeedConfig> feed_;  // set by configure, then read-only
};

}  // namespace relais::plugins::rest
