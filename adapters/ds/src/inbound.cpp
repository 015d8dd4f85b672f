// SPDX-License-Identifier: AGPL-3.0-or-later
#include "inbound.h"

#include <utility>

#include "relais/sdk/text.h"
#include "relais/sdk/url_encoding.h"

#include "field_error.h"
#include "poll_cursor.h"
#include "queries.h"

namespace relais::adapters::ds {
namespace {

using sdk::ErrorCode;
using sdk::Json;

Json stringOrNull(const std::string& value) { return value.empty() ? Json(nullptr) : Json(value); }

// Names the dossier in a mapping error, keeping its field.
sdk::Error aboutDossier(sdk::Error error, const std::string& number) {
    error.message = "dossier " + number + ": " + error.message;
    return error;
}

const Json* connection(const Json& demarche, std::string_view name) {
    const Json* found = demarche.find(name);
    return found != nullptr && found->isObject() ? found : nullptr;
}

struct PageInfo {
    bool has_next_page = false;
    std::string end_cursor;
};

PageInfo pageInfoOf(const Json& connection_json) {
    PageInfo info;
    if (const Json* next = connection_json.path("pageInfo.hasNextPage"); next != nullptr) {
        info.has_next_page = next->asBool();
    }
    if (const Json* end = connection_json.path("pageInfo.endCursor"); end != nullptr) {
        info.end_cursor = end->asString();
    }
    return info;
}

// One page of one démarche into `batch`; moves the démarche's cursor.
sdk::Result<void> pollDemarche(const DsSettings& settings, const GraphqlCall& call,
                               std::int64_t number, DemarcheCursor& cursor,
                               const std::string& source, sdk::PollBatch& batch) {
    Json variables = Json::object();
    variables.set("demarche", number);
    variables.set("first", settings.page_size);
    variables.set("after", stringOrNull(cursor.dossiers.after));
    variables.set("since", stringOrNull(cursor.dossiers.since));
    variables.set("deletedFirst", settings.page_size);
    variables.set("deletedAfter", stringOrNull(cursor.deleted.after));
    variables.set("deletedSince", stringOrNull(cursor.deleted.since));
    auto data = call(dossiersPageQuery(), variables);
    if (!data) return std::move(data).error();
    const Json* demarche = data->find("demarche");
    const std::string what = "démarche " + std::to_string(number);
    if (demarche == nullptr || !demarche->isObject()) {
        return sdk::fail(ErrorCode::Permanent, "DS answered no " + what, "demarche");
    }
    const Json* dossiers = connection(*demarche, "dossiers");
    const Json* deleted = connection(*demarche, "deletedDossiers");
    if (dossiers == nullptr || deleted == nullptr) {
        return sdk::fail(ErrorCode::Permanent,
                         "DS answered " + what + " without dossiers or deletedDossiers",
                         "demarche");
    }

    std::string latest;
    auto dossier_nodes = listMember(dossiers->find("nodes"), "dossiers.nodes");
    if (!dossier_nodes) return std::move(dossier_nodes).error();
    const Json::Array& nodes = **dossier_nodes;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        const Json& node = nodes[i];
        if (node.isNull()) continue;  // DS hides a dossier it cannot show
        auto mapped = mapDossier(settings, node, source);
        if (!mapped) {
            const Json* node_number = node.find("number");
            return aboutDossier(std::move(mapped).error(),
                                node_number != nullptr ? std::to_string(node_number->asInt())
                                                       : "#" + std::to_string(i));
        }
        const Json* modified = node.find("dateDerniereModification");
        if (modified != nullptr && isLater(modified->asString(), latest)) {
            latest = modified->asString();
        }
        for (auto& event : mapped->events) batch.events.push_back(std::move(event));
        batch.dossiers.push_back(std::move(mapped->dossier));
    }
    const PageInfo dossiers_page = pageInfoOf(*dossiers);
    cursor.dossiers.pageRead(latest, dossiers_page.has_next_page, dossiers_page.end_cursor);

    std::string latest_deletion;
    auto deleted_nodes = listMember(deleted->find("nodes"), "deletedDossiers.nodes");
    if (!deleted_nodes) return std::move(deleted_nodes).error();
    for (const Json& node : **deleted_nodes) {
        if (node.isNull()) continue;
        auto event = deletedDossierEvent(node);
        if (!event) return std::move(event).error();
        if (isLater(event->event.source_version, latest_deletion)) {
            latest_deletion = event->event.source_version;
        }
        batch.events.push_back(std::move(event).value());
    }
    const PageInfo deleted_page = pageInfoOf(*deleted);
    cursor.deleted.pageRead(latest_deletion, deleted_page.has_next_page, deleted_page.end_cursor);
    batch.more = batch.more || dossiers_page.has_next_page || deleted_page.has_next_page;
    return sdk::ok();
}

// `application/x-www-form-urlencoded` pairs, decoded; nullopt for a malformed escape.
std::optional<std::vector<std::pair<std::string, std::string>>> formPairs(std::string_view body) {
    std::vector<std::pair<std::string, std::string>> pairs;
    while (!body.empty()) {
        const auto amp = body.find('&');
        const std::string_view pair = body.substr(0, amp);
        body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
        if (pair.empty()) continue;
        const auto eq = pair.find('=');
        auto name = sdk::url::percentDecode(pair.substr(0, eq), true);
        auto value = sdk::url::percentDecode(
            eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
        if (!name || !value) return std::nullopt;
        pairs.emplace_back(std::move(*name), std::move(*value));
    }
    return pairs;
}

}  // namespace

sdk::Result<MappedDossier> fetchDossier(const DsSettings& settings, const GraphqlCall& call,
                                        std::int64_t number, const std::string& source) {
    Json variables = Json::object();
    variables.set("number", number);
    auto data = call(dossierQuery(), variables);
    if (!data) return std::move(data).error();
    const Json* node = data->find("dossier");
    if (node == nullptr || !node->isObject()) {
        return sdk::fail(ErrorCode::NotFound,
                         "dossier_id: DS has no dossier " + std::to_string(number), "dossier_id");
    }
    auto mapped = mapDossier(settings, *node, source);
    if (!mapped) return aboutDossier(std::move(mapped).error(), std::to_string(number));
    return mapped;
}

sdk::Result<sdk::PollBatch> pollDemarches(const DsSettings& settings, const GraphqlCall& call,
                                          const std::string& cursor_text,
                                          const std::string& source) {
    auto cursor = PollCursor::parse(cursor_text);
    if (!cursor) return std::move(cursor).error();
    sdk::PollBatch batch;
    for (const std::int64_t number : settings.demarches) {
        auto polled =
            pollDemarche(settings, call, number, cursor->demarches[number], source, batch);
        if (!polled) return std::move(polled).error();
    }
    batch.next_cursor = cursor->dump();
    return batch;
}

sdk::Result<sdk::InboundBatch> parseWebhook(const DsSettings& settings, const GraphqlCall& call,
                                            const sdk::InboundRequest& request,
                                            const std::string& source) {
    const std::string_view type = sdk::text::trim(
        std::string_view(request.content_type).substr(0, request.content_type.find(';')));
    if (!sdk::text::equalsIgnoreCase(type, "application/x-www-form-urlencoded")) {
        return invalidField("Content-Type", "DS's webhook posts application/x-www-form-urlencoded");
    }
    auto pairs = formPairs(request.body);
    if (!pairs) return invalidField("body", "is not a valid form-encoded body");
    std::string procedure_id;
    std::string dossier_id;
    for (const auto& [name, value] : *pairs) {
        if (name == "procedure_id") procedure_id = value;
        if (name == "dossier_id") dossier_id = value;
    }
    const auto demarche = parseNumber(procedure_id);
    if (!demarche) return invalidField("procedure_id", "is missing or not a démarche number");
    if (!settings.hasDemarche(*demarche)) {
        return invalidField("procedure_id", "démarche " + procedure_id + " is not configured");
    }
    const auto number = parseNumber(dossier_id);
    if (!number) return invalidField("dossier_id", "is missing or not a dossier number");

    auto mapped = fetchDossier(settings, call, *number, source);
    if (!mapped) return std::move(mapped).error();
    const Json* meta = mapped->dossier.fields.find(kMetaKey);
    const Json* actual = meta != nullptr ? meta->path("demarche.number") : nullptr;
    if (actual == nullptr || actual->asInt() != *demarche) {
        return invalidField(
            "dossier_id", "DS says dossier " + dossier_id + " is not of démarche " + procedure_id);
    }
    sdk::InboundBatch batch;
    batch.events = std::move(mapped->events);
    batch.dossiers.push_back(std::move(mapped->dossier));
    return batch;
}

}  // namespace relais::adapters::ds
