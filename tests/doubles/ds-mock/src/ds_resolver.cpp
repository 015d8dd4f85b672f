// SPDX-License-Identifier: AGPL-3.0-or-later
#include "ds_resolver.h"

#include <algorithm>
#include <tuple>
#include <vector>

#include "relais/sdk/signing.h"

namespace relais::ds_mock {
namespace {

// DS's `default_max_page_size 100`: a larger `first` is cut to 100, silently.
constexpr std::int64_t kMaxPageSize = 100;

Resolved notFound(const std::string& type_name) {
    sdk::Json extensions = sdk::Json::object();
    extensions.set("code", "not_found");
    return {{}, type_name + " not found", extensions};
}

Resolved badRequest(const std::string& message) {
    sdk::Json extensions = sdk::Json::object();
    extensions.set("code", "bad_request");
    return {{}, message, extensions};
}

// A list field with an `id` argument (`champs(id:)`, `messages(id:)`): the one with that id.
Resolved filteredById(const FieldCall& call) {
    const sdk::Json* all = call.parent.find(call.field);
    const sdk::Json* id = call.arguments.find("id");
    if (all == nullptr) return {sdk::Json::array(), {}, {}};
    if (id == nullptr || id->isNull()) return {*all, {}, {}};
    sdk::Json out = sdk::Json::array();
    for (const auto& item : *all->arrayIf()) {
        const sdk::Json* item_id = item.find("id");
        if (item_id != nullptr && item_id->asString() == id->asString()) out.push(item);
    }
    return {std::move(out), {}, {}};
}

struct Page {
    std::int64_t key = 0;
    std::int64_t id = 0;
    const sdk::Json* node = nullptr;
};

// DS's CursorConnection (first/after; the deprecated `order: DESC` reverses the order).
Resolved paginate(std::vector<Page> items, const sdk::Json& arguments, const std::string& edge_type,
                  const std::string& connection_type) {
    // An argument given as null is an argument not given.
    const auto given = [&](const char* name) {
        const sdk::Json* value = arguments.find(name);
        return value != nullptr && !value->isNull() ? value : nullptr;
    };
    const sdk::Json* first = given("first");
    const sdk::Json* after = given("after");
    const bool descending =
        arguments.find("order") != nullptr && arguments.find("order")->asString() == "DESC";
    if (given("last") != nullptr || given("before") != nullptr) {
        return badRequest("The DS double does not implement \"last\" and \"before\"");
    }
    if (first != nullptr && first->asInt() < 0) {
        return badRequest("Argument \"first\" must be a non-negative integer");
    }
    const std::int64_t limit =
        std::min(first != nullptr ? first->asInt() : kMaxPageSize, kMaxPageSize);
    std::sort(items.begin(), items.end(), [descending](const Page& a, const Page& b) {
        return descending ? std::tie(a.key, a.id) > std::tie(b.key, b.id)
                          : std::tie(a.key, a.id) < std::tie(b.key, b.id);
    });
    if (after != nullptr) {
        const auto cursor = decodeCursor(after->asString());
        if (!cursor) return badRequest("Invalid cursor: " + after->asString());
        const auto mark = std::tie(cursor->first, cursor->second);
        std::erase_if(items, [&](const Page& page) {
            const auto here = std::tie(page.key, page.id);
            return descending ? here >= mark : here <= mark;
        });
    }
    const bool has_next = static_cast<std::int64_t>(items.size()) > limit;
    if (has_next) items.resize(static_cast<std::size_t>(limit));
    sdk::Json nodes = sdk::Json::array();
    sdk::Json edges = sdk::Json::array();
    for (const auto& page : items) {
        nodes.push(*page.node);
        sdk::Json edge = sdk::Json::object();
        edge.set("__typename", edge_type);
        edge.set("cursor", encodeCursor(page.key, page.id));
        edge.set("node", *page.node);
        edges.push(std::move(edge));
    }
    sdk::Json info = sdk::Json::object();
    info.set("__typename", "PageInfo");
    info.set("hasNextPage", has_next);
    info.set("hasPreviousPage", after != nullptr);
    info.set("startCursor", items.empty()
                                ? sdk::Json()
                                : sdk::Json(encodeCursor(items.front().key, items.front().id)));
    info.set("endCursor", items.empty()
                              ? sdk::Json()
                              : sdk::Json(encodeCursor(items.back().key, items.back().id)));
    sdk::Json connection = sdk::Json::object();
    connection.set("__typename", connection_type);
    connection.set("nodes", std::move(nodes));
    connection.set("edges", std::move(edges));
    connection.set("pageInfo", std::move(info));
    return {std::move(connection), {}, {}};
}

std::optional<std::int64_t> sinceArgument(const sdk::Json& arguments, std::string_view name) {
    const sdk::Json* since = arguments.find(name);
    if (since == nullptr || since->isNull()) return std::nullopt;
    return parseMicros(since->asString());
}

}  // namespace

std::optional<Resolved> DsResolver::resolve(const FieldCall& call) {
    if (call.type == store_.schema.mutationType()) return mutate(call);
    return query(call);
}

std::optional<Resolved> DsResolver::query(const FieldCall& call) {
    if (call.type == "Query" && call.field == "demarche") {
        const auto found =
            store_.demarches.find(static_cast<int>(call.arguments.find("number")->asInt()));
        if (found == store_.demarches.end()) return notFound("Demarche");
        return Resolved{found->second, {}, {}};
    }
    if (call.type == "Query" && call.field == "dossier") {
        StoredDossier* dossier =
            store_.find(static_cast<int>(call.arguments.find("number")->asInt()));
        if (dossier == nullptr) return notFound("Dossier");
        return Resolved{dossier->data, {}, {}};
    }
    if (call.type == "Query") return notFound(call.field);
    if (call.type == "Demarche" && call.field == "dossiers") return dossierConnection(call);
    if (call.type == "Demarche" &&
        (call.field == "deletedDossiers" || call.field == "pendingDeletedDossiers")) {
        return deletedConnection(call);
    }
    if (call.type == "Dossier" && (call.field == "champs" || call.field == "annotations" ||
                                   call.field == "messages" || call.field == "avis")) {
        return filteredById(call);
    }
    if (call.type == "Dossier" && call.field == "demarche") {
        const StoredDossier* dossier =
            store_.find(static_cast<int>(call.parent.find("number")->asInt()));
        sdk::Json descriptor =
            dossier != nullptr ? store_.demarches.at(dossier->demarche) : sdk::Json::object();
        descriptor.set("__typename", "DemarcheDescriptor");
        return Resolved{std::move(descriptor), {}, {}};
    }
    if (call.type == "DossierLinkChamp" && call.field == "dossier") {
        const sdk::Json* value = call.parent.find("stringValue");
        const StoredDossier* linked =
            value != nullptr && !value->asString().empty()
                ? store_.find(static_cast<int>(std::strtol(value->asString().c_str(), nullptr, 10)))
                : nullptr;
        return Resolved{linked != nullptr ? linked->data : sdk::Json(), {}, {}};
    }
    if (call.type == "File" && call.field == "url") {
        const sdk::Json* blob = call.parent.find("__blob");
        if (blob == nullptr) return std::nullopt;
        const std::int64_t expires =
            store_.clock.nowMicros() / 1'000'000 + store_.options.file_ttl.count();
        return Resolved{
            store_.base_url + store_.files.downloadPath(blob->asString(), expires), {}, {}};
    }
    return std::nullopt;
}

Resolved DsResolver::dossierConnection(const FieldCall& call) {
    const int demarche = static_cast<int>(call.parent.find("number")->asInt());
    const auto updated_since = sinceArgument(call.arguments, "updatedSince");
    const auto created_since = sinceArgument(call.arguments, "createdSince");
    const sdk::Json* state = call.arguments.find("state");
    const sdk::Json* archived = call.arguments.find("archived");
    std::vector<Page> items;
    for (const auto& [number, dossier] : store_.dossiers) {
        if (dossier.demarche != demarche) continue;
        if (state != nullptr && !state->isNull() &&
            dossier.data.find("state")->asString() != state->asString()) {
            continue;
        }
        if (archived != nullptr && !archived->isNull() &&
            dossier.data.find("archived")->asBool() != archived->asBool()) {
            continue;
        }
        // updated_since(since): updated_at >= since; else created_since on depose_at.
        if (updated_since && dossier.updated_us < *updated_since) continue;
        if (!updated_since && created_since && dossier.depose_us < *created_since) continue;
        items.push_back(
            {updated_since ? dossier.updated_us : dossier.depose_us, number, &dossier.data});
    }
    return paginate(std::move(items), call.arguments, "DossierEdge", "DossierConnection");
}

Resolved DsResolver::deletedConnection(const FieldCall& call) {
    const int demarche = static_cast<int>(call.parent.find("number")->asInt());
    const auto since = sinceArgument(call.arguments, "deletedSince");
    std::vector<Page> items;
    if (call.field == "deletedDossiers") {
        for (const auto& deletion : store_.deletions) {
            if (deletion.demarche != demarche || (since && deletion.deleted_us < *since)) continue;
            items.push_back(
                {deletion.deleted_us, deletion.data.find("number")->asInt(), &deletion.data});
        }
    }
    return paginate(std::move(items), call.arguments, "DeletedDossierEdge",
                    "DeletedDossierConnection");
}

}  // namespace relais::ds_mock
