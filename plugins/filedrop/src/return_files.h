// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "relais/sdk/connector.h"
#include "relais/sdk/result.h"
#include "relais/sdk/settings.h"
#include "relais/sdk/status_report.h"
#include "relais/sdk/time.h"
#include "relais/sdk/xml.h"

/// @file
/// Status files that a legacy application drops into the return directory: which values
/// to read in a JSON file (paths) or an XML file (XPath), and the application's status
/// codes. Pure functions, no I/O: `FileDrop::poll` reads and moves the files.

namespace relais::plugins::filedrop {

/// The `return-*` keys, validated and compiled. Immutable once built; shared read-only.
struct ReturnConfig {
    std::string directory;  ///< empty: no return directory
    /// JSON files: where each value is in a decision (the file is one object or an array).
    sdk::StatusReportPaths paths;
    // XML files: one decision per file. Null when not configured.
    std::shared_ptr<const sdk::XPathQuery> xpath_business_id;
    std::shared_ptr<const sdk::XPathQuery> xpath_status;
    std::shared_ptr<const sdk::XPathQuery> xpath_sub_label;
    std::shared_ptr<const sdk::XPathQuery> xpath_message;
    std::shared_ptr<const sdk::XPathQuery> xpath_occurred_at;
    std::shared_ptr<const sdk::XPathQuery> xpath_version;
    std::vector<sdk::StatusCode> table;

    bool enabled() const noexcept { return !directory.empty(); }
};

/// Reads the `return-*` settings. `InvalidArgument` naming the key: an XPath that does not
/// compile (or uses an undeclared prefix), a malformed `return-namespaces` or
/// `return-table` entry, only one of `return-xpath-business-id` and `return-xpath-status`.
sdk::Result<ReturnConfig> buildReturnConfig(const sdk::Settings& settings);

/// Whether `file_name` is a return file: `*.json` or `*.xml` (case-insensitive), not hidden.
/// Other names (`x.json.part`, `.x.json`) are left for the application to finish.
bool isReturnFile(std::string_view file_name);

/// The events of one return file named `file_name` (its extension says JSON or XML).
/// Errors (`InvalidArgument`, the message is the `.reason` written beside a rejected file):
/// not well-formed JSON or XML (a DTD refused), XML without configured XPaths, a decision
/// without business id or status, a code not in `return-table`, a time that is not RFC 3339.
sdk::Result<std::vector<sdk::InboundEvent>> readReturnFile(std::string_view file_name,
                                                           std::string_view content,
                                                           const ReturnConfig& config,
                                                           sdk::Timestamp now,
                                                           std::string_view actor);

}  // namespace relais::plugins::filedrop
