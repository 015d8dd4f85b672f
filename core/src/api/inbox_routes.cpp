// SPDX-License-Identifier: AGPL-3.0-or-later
// The pull inbox: applications that fetch their mapped dossiers instead of receiving them.
// Reading an inbox reads personal data, so every read is audited.

#include "relais/api/routes.h"
#include "relais/config/config.h"
#include "relais/http/authenticator.h"
#include "relais/http/router.h"
#include "relais/log/log.h"
#include "relais/sdk/clock.h"
#include "relais/store/store.h"

#include "query_params.h"

namespace relais::api {
namespace {

constexpr int kDefaultLimit = 50;
constexpr int kMaxLimit = 500;
/// Most acknowledgements in one call (one transaction).
constexpr std::size_t kMaxAcks = 1000;

bool isInbox(const Context& context, const std::string& name) {
    for (const auto& inbox : context.config.inboxes) {
        if (inbox.name == name) return true;
    }
    return false;
}

// The inbox the request names, if it exists and the client may use it; else the problem.
std::optional<http::Response> checkInbox(Context& context, const http::Request& request,
                                         const std::string& name) {
    if (!isInbox(context, name)) {
        return http::problem(404, "Not Found", "no inbox '" + name + "'", "name");
    }
    if (!request.client->mayUseInstance(name)) {
        (void)context.store.appendAudit(
            {0, request.client->name(), "", "", "inbox.read", "", "", "", "refused"});
        auto refused = http::problem(
            403, "Forbidden",
            "client '" + request.client->name() + "' may not use inbox '" + name + "'");
        refused.audited = true;
        return refused;
    }
    return std::nullopt;
}

http::Response read(Context& context, const http::Request& request) {
    const std::string name = request.param("name");
    if (auto refused = checkInbox(context, request, name)) return *refused;
    auto limit = limitParam(request, kDefaultLimit, kMaxLimit);
    if (!limit) return http::problemFromError(limit.error());
    auto items = context.store.inbox(name, *limit);
    if (!items) return http::problemFromError(items.error());

    // Record the reads before the data leaves: no audit entry, no data.
    std::vector<store::AuditEntry> reads;
    for (const auto& item : *items) {
        reads.push_back({0, request.client->name(), "", item.dossier_id, "inbox.read", "payload",
                         "", "", "allowed"});
    }
    if (!reads.empty()) {
        if (auto audited = context.store.appendAudit(reads); !audited) {
            return http::problemFromError(audited.error());
        }
    }
    sdk::Json list = sdk::Json::array();
    for (const auto& item : *items) {
        sdk::Json entry = sdk::Json::object();
        entry.set("id", item.job_id);
        entry.set("dossier_id", item.dossier_id);
        entry.set("route", item.route);
        entry.set("content_type", item.content_type);
        entry.set("queued_at", sdk::Timestamp{item.created_at, 0}.toUtcString());
        // JSON payloads are embedded as JSON; others (XML…) as text.
        auto parsed = item.content_type.find("json") != std::string::npos
                          ? sdk::Json::parse(item.payload)
                          : sdk::Result<sdk::Json>(sdk::fail(sdk::ErrorCode::InvalidArgument, ""));
        entry.set("payload", parsed ? std::move(parsed).value() : sdk::Json(item.payload));
        list.push(std::move(entry));
    }
    sdk::Json body = sdk::Json::object();
    body.set("inbox", name);
    body.set("items", std::move(list));
    return http::jsonResponse(200, body);
}

// `{"ids": ["…"]}` or `{"acks": [{"id": "…", "business_id": "…", "display_id": "…"}]}`.
sdk::Result<std::vector<store::InboxAck>> parseAcks(const std::string& text) {
    auto body = sdk::Json::parse(text);
    if (!body) return std::move(body).error();
    std::vector<store::InboxAck> acks;
    const sdk::Json* ids = body->find("ids");
    const sdk::Json* detailed = body->find("acks");
    if ((ids == nullptr) == (detailed == nullptr) || !body->isObject()) {
        return sdk::fail(sdk::ErrorCode::InvalidArgument,
                         "the body must be {\"ids\": [...]} or {\"acks\": [{\"id\": ...}]}");
    }
    const sdk::Json& list = ids != nullptr ? *ids : *detailed;
    const std::string field = ids != nullptr ? "ids" : "acks";
    if (!list.isArray() || list.size() == 0 || list.size() > kMaxAcks) {
        return sdk::fail(
            sdk::ErrorCode::InvalidArgument,
            "'" + field + "' must be an array of 1 to " + std::to_string(kMaxAcks) + " items",
            field);
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
        const sdk::Json& item = *list.at(i);
        const std::string where = field + "[" + std::to_string(i) + "]";
        store::InboxAck ack;
        if (ids != nullptr) {
            ack.job_id = item.asString();
        } else {
            if (!item.isObject()) {
                return sdk::fail(sdk::ErrorCode::InvalidArgument, where + " must be an object",
                                 where);
            }
            if (const sdk::Json* id = item.find("id")) ack.job_id = id->asString();
            if (const sdk::Json* b = item.find("business_id")) ack.business_id = b->asString();
            if (const sdk::Json* d = item.find("display_id")) ack.display_id = d->asString();
        }
        if (ack.job_id.empty()) {
            return sdk::fail(sdk::ErrorCode::InvalidArgument, where + ": an id is required", where);
        }
        acks.push_back(std::move(ack));
    }
    return acks;
}

http::Response acknowledge(Context& context, const http::Request& request) {
    const std::string name = request.param("name");
    if (auto refused = checkInbox(context, request, name)) return *refused;
    auto acks = parseAcks(request.body);
    if (!acks) return http::problemFromError(acks.error());
    auto outcome = context.store.acknowledgeInbox(name, *acks, context.clock.now().micros);
    if (!outcome) return http::problemFromError(outcome.error());
    const auto list = [](const std::vector<std::string>& ids) {
        sdk::Json out = sdk::Json::array();
        for (const auto& id : ids) out.push(id);
        return out;
    };
    sdk::Json body = sdk::Json::object();
    body.set("acknowledged", list(outcome->acknowledged));
    body.set("already_acknowledged", list(outcome->already));
    body.set("unknown", list(outcome->unknown));
    context.logger.info("inbox acknowledged",
                        {{"inbox", name},
                         {"client", request.client->name()},
                         {"acknowledged", std::to_string(outcome->acknowledged.size())}});
    return http::jsonResponse(200, body);
}

}  // namespace

void addInboxRoutes(http::Router& router, Context& context) {
    const std::string right(http::rights::kInboxRead);
    router.add({"GET", "/v1/inbox/{name}", "inbox_read", right,
                [&context](http::Request& request) { return read(context, request); }, 0});
    router.add({"POST", "/v1/inbox/{name}/ack", "inbox_ack", right,
                [&context](http::Request& request) { return acknowledge(context, request); }, 0});
}

}  // namespace relais::api
