// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "relais/sdk/connector.h"
#include "relais/sdk/result.h"
#include "relais/sdk/settings.h"
#include "relais/sdk/status_report.h"
#include "relais/sdk/time.h"

/// @file
/// The status feed of a business application that does not push its decisions: a URL the
/// connector polls with the cursor of the previous poll (`{since}`), and where in the JSON
/// answer each decision's values are. Pure functions, no I/O: the connector sends the
/// request (`RestFeedConnector`).

namespace relais::plugins::rest {

/// The `status-*` keys, validated. Immutable once built.
struct StatusFeedConfig {
    std::string url;    ///< `status-url`; empty: no feed, `poll` returns nothing
    std::string items;  ///< JSON path of the array of decisions; empty: the answer itself
    sdk::StatusReportPaths paths;  ///< where each value is in a decision
    std::string cursor;            ///< JSON path of the next cursor in the answer; empty: unchanged
    std::vector<sdk::StatusCode> table;

    bool enabled() const noexcept { return !url.empty(); }
};

/// Reads the `status-*` settings. `InvalidArgument` naming the key: a `status-url` whose
/// `{since}` is before the path (in the scheme or host) or with another placeholder or a
/// stray brace, a malformed `status-table` entry (`sdk::parseStatusTable`), a path that
/// `sdk::Json::path` cannot follow (empty step, spaces).
sdk::Result<StatusFeedConfig> buildStatusFeedConfig(const sdk::Settings& settings);

/// `config.url` with every `{since}` replaced by the percent-encoded `cursor` (empty on the
/// first poll: `since=`).
std::string feedUrl(const StatusFeedConfig& config, std::string_view cursor);

/// The events of a feed answer and the next cursor (the previous one when `config.cursor`
/// is empty or absent from the answer). Errors, all `Permanent` (the answer is wrong, not
/// the moment): the body is not JSON, the items are not an array, an item is not an object
/// or lacks its business id or status, a code not in `status-table`, a time that is not
/// RFC 3339 — each naming the item's index. One bad item fails the whole page, so that no
/// decision is skipped: the cursor does not move until the table or the application is
/// fixed.
sdk::Result<sdk::PollBatch> readFeed(std::string_view body, const StatusFeedConfig& config,
                                     std::string_view cursor, sdk::Timestamp now,
                                     std::string_view actor);

}  // namespace relais::plugins::rest
