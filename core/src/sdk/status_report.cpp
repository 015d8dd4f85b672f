// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/sdk/status_report.h"

#include <algorithm>
#include <utility>

#include "relais/sdk/event.h"
#include "relais/sdk/signing.h"
#include "relais/sdk/text.h"

namespace relais::sdk {
namespace {

constexpr std::size_t kMaxBusinessIdBytes = 255;

// Fixed key of the hash that derives an event key: not a secret, only a stable digest.
constexpr std::string_view kEventKeyHashKey = "relais-status-report";

std::string trimmedCopy(std::string_view value) { return std::string(text::trim(value)); }

std::string textAt(const Json& item, const std::string& path) {
    if (path.empty()) return {};
    const Json* value = item.path(path);
    if (value == nullptr) return {};
    if (const std::string* text = value->stringIf()) return *text;
    if (value->isInt()) return std::to_string(value->asInt());
    return {};
}

}  // namespace

Result<std::vector<StatusCode>> parseStatusTable(const std::vector<std::string>& entries,
                                                 const std::string& field) {
    std::vector<StatusCode> table;
    for (const auto& raw : entries) {
        const std::string entry = trimmedCopy(raw);
        if (entry.empty()) continue;
        const std::size_t first = entry.find(':');
        if (first == std::string::npos) {
            return fail(ErrorCode::InvalidArgument,
                        "status table entry '" + entry + "' is not CODE:status[:Label]", field);
        }
        const std::size_t second = entry.find(':', first + 1);
        StatusCode code;
        code.code = trimmedCopy(std::string_view(entry).substr(0, first));
        const std::string status = trimmedCopy(std::string_view(entry).substr(
            first + 1, second == std::string::npos ? std::string::npos : second - first - 1));
        if (second != std::string::npos) {
            code.label = trimmedCopy(std::string_view(entry).substr(second + 1));
        }
        if (code.code.empty()) {
            return fail(ErrorCode::InvalidArgument,
                        "status table entry '" + entry + "' has an empty code", field);
        }
        const auto canonical = parseStatus(status);
        if (!canonical) {
            return fail(
                ErrorCode::InvalidArgument,
                "status table entry '" + entry + "': '" + status + "' is not a canonical status",
                field);
        }
        code.status = *canonical;
        const bool repeated = std::any_of(table.begin(), table.end(),
                                          [&](const StatusCode& c) { return c.code == code.code; });
        if (repeated) {
            return fail(ErrorCode::InvalidArgument,
                        "status table gives code '" + code.code + "' twice", field);
        }
        table.push_back(std::move(code));
    }
    return table;
}

StatusReport readStatusReport(const Json& item, const StatusReportPaths& paths) {
    StatusReport report;
    report.business_id = textAt(item, paths.business_id);
    report.code = textAt(item, paths.code);
    report.sub_code = textAt(item, paths.sub_code);
    report.sub_label = textAt(item, paths.sub_label);
    report.message = textAt(item, paths.message);
    report.occurred_at = textAt(item, paths.occurred_at);
    report.version = textAt(item, paths.version);
    report.event_key = textAt(item, paths.event_key);
    return report;
}

Result<InboundEvent> statusReportEvent(const StatusReport& report,
                                       const std::vector<StatusCode>& table, Timestamp now,
                                       std::string_view actor) {
    if (report.business_id.empty() || report.business_id.size() > kMaxBusinessIdBytes ||
        text::hasControlCharacter(report.business_id)) {
        return fail(ErrorCode::InvalidArgument,
                    "a status report needs a business id of 1 to 255 bytes without control "
                    "characters",
                    "business_id");
    }
    const std::string where = "status report of business id " + report.business_id;
    if (report.code.empty()) {
        return fail(ErrorCode::InvalidArgument, where + " has no status code", "status");
    }
    Status status = Status::InReview;
    std::string label;
    if (table.empty()) {
        const auto canonical = parseStatus(report.code);
        if (!canonical) {
            return fail(ErrorCode::InvalidArgument,
                        where + ": status '" + report.code +
                            "' is not a canonical status (configure a status table)",
                        "status");
        }
        status = *canonical;
    } else {
        const auto found = std::find_if(table.begin(), table.end(),
                                        [&](const StatusCode& c) { return c.code == report.code; });
        if (found == table.end()) {
            return fail(ErrorCode::InvalidArgument,
                        where + ": status code '" + report.code + "' is not in the status table",
                        "status");
        }
        status = found->status;
        label = found->label;
    }

    InboundEvent inbound;
    inbound.business_id = report.business_id;
    Event& event = inbound.event;
    event.type = std::string(event_type::kStatusChanged);
    event.side = EventSide::Backoffice;
    event.source_version = report.version;
    event.actor = std::string(actor);
    event.is_public = true;
    if (report.occurred_at.empty()) {
        event.occurred_at = now;
    } else {
        auto parsed = Timestamp::parse(report.occurred_at);
        if (!parsed) {
            return fail(ErrorCode::InvalidArgument,
                        where + ": occurred_at '" + report.occurred_at + "' is not RFC 3339",
                        "occurred_at");
        }
        event.occurred_at = *parsed;
    }
    const std::string sub_code = report.sub_code.empty() ? report.code : report.sub_code;
    if (!report.sub_label.empty()) label = report.sub_label;
    if (label.empty()) label = sub_code;

    event.payload = Json::object();
    event.payload.set("status", std::string(toString(status)));
    Json sub = Json::object();
    sub.set("code", sub_code);
    sub.set("label", label);
    event.payload.set("sub_status", std::move(sub));
    if (!report.message.empty()) event.payload.set("message", report.message);

    if (!report.event_key.empty()) {
        event.source_event_key = report.event_key;
    } else {
        std::string material;
        for (const std::string* part :
             {&report.business_id, &report.code, &sub_code, &report.version, &report.occurred_at}) {
            material += std::to_string(part->size()) + ":" + *part + ";";
        }
        const auto digest = signing::hmac("sha256", kEventKeyHashKey, material);
        event.source_event_key = "status:" + signing::toHex(digest.value_or(material));
    }
    return inbound;
}

}  // namespace relais::sdk
