// SPDX-License-Identifier: AGPL-3.0-or-later
#include "rest_feed_connector.h"

#include <algorithm>
#include <utility>

#include "relais/sdk/host.h"
#include "relais/sdk/http_helpers.h"
#include "relais/sdk/text.h"

#include "url_template.h"

namespace relais::plugins::rest {

RestFeedConnector::RestFeedConnector(sdk::Host& host) : RestConnector(host) {}

sdk::Result<void> RestFeedConnector::configure(const sdk::Settings& settings) {
    auto feed = buildStatusFeedConfig(settings);
    if (!feed) return std::move(feed).error();
    if (auto configured = RestConnector::configure(settings); !configured) return configured;
    feed_ = std::make_shared<const StatusFeedConfig>(std::move(feed).value());
    return sdk::ok();
}

sdk::Result<sdk::PollBatch> RestFeedConnector::poll(const std::string& cursor) {
    const RestConfig* config = restConfig();
    if (!feed_ || config == nullptr)
        return sdk::fail(sdk::ErrorCode::Internal, "poll before configure");
    if (!feed_->enabled()) {
        sdk::PollBatch nothing;
        nothing.next_cursor = cursor;
        return nothing;
    }
    auto made = makeRequest(*config, "GET", feedUrl(*feed_, cursor), {}, config->timeout_ms);
    if (!made) return std::move(made).error();
    sdk::HttpRequest request = std::move(made).value();
    const bool has_accept = std::any_of(
        request.headers.begin(), request.headers.end(),
        [](const auto& header) { return sdk::text::equalsIgnoreCase(header.first, "Accept"); });
    if (!has_accept) request.headers.emplace_back("Accept", "application/json");

    const std::string where = "GET " + urlForMessages(request.url);
    auto sent = host().http().send(request);
    if (!sent) {
        sdk::Error error = std::move(sent).error();
        host().metrics().increment("rest_transport_errors_total",
                                   {{"code", std::string(sdk::toString(error.code))}});
        error.message = where + ": " + error.message;
        return error;
    }
    host().metrics().increment("rest_responses_total",
                               {{"status", sdk::http::statusClass(sent->status)}});
    if (!sdk::http::isSuccessStatus(sent->status)) return refusal(*config, *sent, where);

    auto batch = readFeed(sent->body, *feed_, cursor, host().clock().now(), host().instanceName());
    if (!batch) {
        sdk::Error error = std::move(batch).error();
        error.message = where + ": " + error.message;
        host().logger().warn("status feed refused", {{"error", error.message}});
        return error;
    }
    if (!batch->events.empty()) {
        host().logger().info("status feed read",
                             {{"events", std::to_string(batch->events.size())}});
    }
    return batch;
}

}  // namespace relais::plugins::rest
