// SPDX-License-Identifier: AGPL-3.0-or-later
// The audit trail, for the data protection officer: who read or changed personal data, who
// was refused what. Reading it is itself recorded.

#include <charconv>
#include <string>

#include "relais/api/routes.h"
#include "relais/http/authenticator.h"
#include "relais/http/router.h"
#include "relais/store/store.h"

#include "audit_json.h"
#include "query_params.h"

namespace relais::api {
namespace {

constexpr int kDefaultLimit = 100;
constexpr int kMaxLimit = 1000;

http::Response search(Context& context, const http::Request& request) {
    store::AuditFilter filter;
    filter.subject_id = request.queryParam("subject");
    filter.client = request.queryParam("client");
    filter.action = request.queryParam("action");
    if (request.hasQueryParam("before")) {
        const std::string before = request.queryParam("before");
        const auto [end, error] =
            std::from_chars(before.data(), before.data() + before.size(), filter.before_seq);
        if (error != std::errc() || end != before.data() + before.size() ||
            filter.before_seq <= 0) {
            return http::problem(400, "Bad Request",
                                 "before must be the seq of an entry (a positive whole number)",
                                 "before");
        }
    }
    auto limit = limitParam(request, kDefaultLimit, kMaxLimit);
    if (!limit) return http::problemFromError(limit.error());
    filter.limit = *limit;
    auto records = context.store.searchAudit(filter);
    if (!records) return http::problemFromError(records.error());

    store::AuditEntry read;
    read.client = request.client->name();
    read.subject_id = filter.subject_id;
    read.action = "audit.read";
    read.outcome = "allowed";
    if (auto appended = context.store.appendAudit(read); !appended) {
        return http::problemFromError(appended.error());
    }
    sdk::Json entries = sdk::Json::array();
    for (const store::AuditRecord& record : *records) {
        entries.push(auditJson(record, true, true));
    }
    sdk::Json body = sdk::Json::object();
    body.set("entries", std::move(entries));
    // The cursor of the next (older) page, when this one is full.
    if (static_cast<int>(records->size()) == filter.limit && !records->empty()) {
        body.set("next_before", records->back().seq);
    }
    return http::jsonResponse(200, body);
}

}  // namespace

void addAuditRoutes(http::Router& router, Context& context) {
    router.add({"GET", "/v1/audit", "audit_search", std::string(http::rights::kAuditRead),
                [&context](http::Request& request) { return search(context, request); }, 0});
}

}  // namespace relais::api
