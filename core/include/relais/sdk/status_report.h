// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "relais/sdk/connector.h"
#include "relais/sdk/result.h"
#include "relais/sdk/status.h"
#include "relais/sdk/time.h"
#include "relais/sdk/visibility.h"

/// @file
/// Status reports of business applications that do not push their decisions: a connector
/// reads them (a status feed it polls, a file dropped in a return directory), picks the
/// values it is configured to pick, and turns each into the `status_changed` event the core
/// applies by business id. The selection (JSON paths, XPath) stays in the connector; the
/// status code table and the event are the same for every connector, so they live here.

namespace relais::sdk {

/// One entry of a status code table: the application's own code, the canonical status it
/// means, and the label the citizen sees when the application gives none.
struct StatusCode {
    std::string code;
    Status status = Status::InReview;
    std::string label;  ///< may be empty
};

/// Parses status table entries `CODE:status` or `CODE:status:Label` (`ACC:accepted:Accordé`,
/// white space around each part dropped, empty entries skipped). Errors: `InvalidArgument`
/// with `field` set, quoting the entry: no `:`, an empty code, a status that is not canonical
/// (`relais/sdk/status.h`), a code given twice. Pure; any thread.
RELAIS_SDK_API Result<std::vector<StatusCode>> parseStatusTable(
    const std::vector<std::string>& entries, const std::string& field);

/// What an application reported about one of its dossiers, as the connector read it. Plain
/// values, copied by the caller; every member but `business_id` and `code` may be empty.
struct StatusReport {
    std::string business_id;  ///< the application's id of the dossier (its link)
    std::string code;         ///< the application's status code
    std::string sub_code;     ///< the sub-status code; empty: `code`
    std::string sub_label;    ///< the sub-status label; empty: the table's label, else the code
    std::string message;      ///< text for the citizen
    std::string occurred_at;  ///< RFC 3339 with its offset; empty: `now`
    std::string version;      ///< the application's version of the dossier (ordering)
    std::string event_key;    ///< the application's id of this report; empty: derived
};

/// Where each value of a report is in a JSON decision: paths that `Json::path` follows
/// (`dossier.numero`, `items[0].id`); an empty path is not read.
struct StatusReportPaths {
    std::string business_id = "business_id";
    std::string code = "status";
    std::string sub_code;
    std::string sub_label;
    std::string message;
    std::string occurred_at;
    std::string version;
    std::string event_key;
};

/// The report whose values are at `paths` in `item`: a string as is, an integer in
/// decimal, anything else (absent, null, another type) empty. Never fails: what is missing
/// is for `statusReportEvent` to refuse. Pure; any thread.
RELAIS_SDK_API StatusReport readStatusReport(const Json& item, const StatusReportPaths& paths);

/// The back-office event for `report`, addressed by business id as `Connector::poll`
/// returns it: type `status_changed`, side back office, public, actor `actor`, payload
/// `status`, `sub_status {code, label}` and `message` (when not empty), `source_version`
/// the report's version. `source_event_key` is the report's `event_key`, or else
/// `status:` and a hash of business id, code, sub-status, version and time, so that the
/// same report read twice is one event (the core deduplicates it).
///
/// With a non-empty `table`, `code` must be one of its codes; with an empty table it must
/// be a canonical status name. Errors (`InvalidArgument`, naming the business id): an
/// empty or over-long (255 bytes) business id or one with a control character, an empty
/// code, a code the table does not know (`status code 'XYZ' is not in the status table`),
/// an `occurred_at` that is not RFC 3339. Pure; any thread.
RELAIS_SDK_API Result<InboundEvent> statusReportEvent(const StatusReport& report,
                                                      const std::vector<StatusCode>& table,
                                                      Timestamp now, std::string_view actor);

}  // namespace relais::sdk
