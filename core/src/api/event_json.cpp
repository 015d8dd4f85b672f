// SPDX-License-Identifier: AGPL-3.0-or-later
#include "event_json.h"

#include <array>
#include <string>
#include <utility>

#include "relais/sdk/status.h"

#include "dossier_json.h"

namespace relais::api {
namespace {

sdk::Error invalid(const std::string& field, const std::string& what) {
    return sdk::fail(sdk::ErrorCode::InvalidArgument, "'" + field + "' " + what, field);
}

// Checks that `object` has only `allowed` members.
std::optional<sdk::Error> unknownMember(const sdk::Json& object,
                                        std::initializer_list<std::string_view> allowed,
                                        const std::string& prefix) {
    for (const auto& member : *object.objectIf()) {
        bool known = false;
        for (const std::string_view name : allowed) known = known || member.key == name;
        if (!known) return invalid(prefix + member.key, "is not a member of this object");
    }
    return std::nullopt;
}

// A string member: absent → empty; another type → error.
sdk::Result<std::string> stringMember(const sdk::Json& object, const char* name,
                                      const std::string& prefix) {
    const sdk::Json* member = object.find(name);
    if (member == nullptr) return std::string();
    if (!member->isString()) return invalid(prefix + name, "must be a string");
    return member->asString();
}

sdk::Result<sdk::Json> subStatus(const sdk::Json& object) {
    const sdk::Json* sub = object.find("sub_status");
    if (sub == nullptr) return sdk::Json();
    if (!sub->isObject()) return invalid("sub_status", "must be an object {code, label}");
    if (auto unknown = unknownMember(*sub, {"code", "label"}, "sub_status.")) return *unknown;
    sdk::Json out = sdk::Json::object();
    for (const char* name : {"code", "label"}) {
        auto value = stringMember(*sub, name, "sub_status.");
        if (!value) return std::move(value).error();
        if (!value->empty()) out.set(name, *value);
    }
    return out;
}

sdk::Result<sdk::Json> documents(const sdk::Json& object) {
    const sdk::Json* list = object.find("documents");
    if (list == nullptr) return sdk::Json();
    if (!list->isArray()) return invalid("documents", "must be an array");
    sdk::Json out = sdk::Json::array();
    for (std::size_t i = 0; i < list->size(); ++i) {
        const std::string prefix = "documents[" + std::to_string(i) + "].";
        const sdk::Json& item = *list->at(i);
        if (!item.isObject())
            return invalid(prefix.substr(0, prefix.size() - 1), "must be an object");
        if (auto unknown = unknownMember(item, {"name", "url", "content_type", "sha256"}, prefix)) {
            return *unknown;
        }
        sdk::Json document = sdk::Json::object();
        for (const char* name : {"name", "url", "content_type", "sha256"}) {
            auto value = stringMember(item, name, prefix);
            if (!value) return std::move(value).error();
            if (!value->empty()) document.set(name, *value);
        }
        if (document.find("name") == nullptr) return invalid(prefix + "name", "is required");
        out.push(std::move(document));
    }
    return out;
}

sdk::Result<sdk::Json> parseObject(std::string_view body) {
    auto parsed = sdk::Json::parse(body);
    if (!parsed) {
        return sdk::fail(sdk::ErrorCode::InvalidArgument,
                         "the body is not JSON: " + parsed.error().message);
    }
    if (!parsed->isObject())
        return sdk::fail(sdk::ErrorCode::InvalidArgument, "the body must be a JSON object");
    return std::move(parsed).value();
}

}  // namespace

sdk::Result<EventBody> parseEventBody(std::string_view text, sdk::Timestamp now,
                                      std::size_t max_identifier_bytes) {
    auto parsed = parseObject(text);
    if (!parsed) return std::move(parsed).error();
    const sdk::Json& body = *parsed;
    if (auto unknown = unknownMember(
            body,
            {"type", "status", "sub_status", "message", "public", "occurred_at", "actor",
             "source_event_key", "source_version", "based_on_version", "documents"},
            "")) {
        return *unknown;
    }
    EventBody out;
    sdk::Event& event = out.event;
    auto type = stringMember(body, "type", "");
    if (!type) return std::move(type).error();
    constexpr std::array<std::string_view, 3> kTypes = {sdk::event_type::kStatusChanged,
                                                        sdk::event_type::kMessage,
                                                        sdk::event_type::kDocumentAdded};
    bool known_type = false;
    for (const std::string_view t : kTypes) known_type = known_type || *type == t;
    if (!known_type) {
        return invalid("type", type->empty() ? "is required"
                                             : "must be status_changed, message or document_added");
    }
    event.type = *type;
    event.payload = sdk::Json::object();

    auto status = stringMember(body, "status", "");
    if (!status) return std::move(status).error();
    if (event.type == sdk::event_type::kStatusChanged) {
        if (status->empty()) return invalid("status", "is required for a status_changed event");
        if (!sdk::parseStatus(*status)) {
            return invalid("status", "'" + *status + "' is not a canonical status");
        }
        event.payload.set("status", *status);
    } else if (!status->empty()) {
        return invalid("status", "is only for a status_changed event");
    }
    auto sub = subStatus(body);
    if (!sub) return std::move(sub).error();
    if (sub->isObject()) event.payload.set("sub_status", std::move(sub).value());

    auto message = stringMember(body, "message", "");
    if (!message) return std::move(message).error();
    if (event.type == sdk::event_type::kMessage && message->empty()) {
        return invalid("message", "is required for a message event");
    }
    // An unfavourable decision must state its reasons to the citizen (Code des relations
    // entre le public et l'administration, L211-2 and L211-5), and portals refuse it without
    // them (Démarches Simplifiées' dossierRefuser): refused here, before anything is stored
    // or pushed, rather than parked on the push.
    if (event.type == sdk::event_type::kStatusChanged && *status == "refused" && message->empty()) {
        return invalid("message",
                       "is required for a refusal: its motivation, shown to the "
                       "citizen (CRPA L211-2)");
    }
    if (!message->empty()) event.payload.set("message", *message);
    auto docs = documents(body);
    if (!docs) return std::move(docs).error();
    if (docs->isArray()) event.payload.set("documents", std::move(docs).value());

    event.is_public = true;
    if (const sdk::Json* is_public = body.find("public")) {
        if (!is_public->isBool()) return invalid("public", "must be true or false");
        event.is_public = is_public->asBool();
    }
    auto occurred = stringMember(body, "occurred_at", "");
    if (!occurred) return std::move(occurred).error();
    if (occurred->empty()) {
        event.occurred_at = now;
    } else {
        auto at = sdk::Timestamp::parse(*occurred);
        if (!at) return invalid("occurred_at", "must be an RFC 3339 instant with its zone");
        event.occurred_at = *at;
    }
    for (auto [name, target] :
         {std::pair{"actor", &event.actor}, std::pair{"source_event_key", &event.source_event_key},
          std::pair{"source_version", &event.source_version}}) {
        auto value = stringMember(body, name, "");
        if (!value) return std::move(value).error();
        if (value->size() > max_identifier_bytes) {
            return invalid(name, "is " + std::to_string(value->size()) + " bytes long; at most " +
                                     std::to_string(max_identifier_bytes) +
                                     " are accepted (limits max-identifier)");
        }
        *target = std::move(value).value();
    }
    if (const sdk::Json* based_on = body.find("based_on_version")) {
        if (!based_on->isInt() || based_on->asInt() < 1) {
            return invalid("based_on_version", "must be a positive integer (a dossier version)");
        }
        out.based_on_version = based_on->asInt();
    }
    return out;
}

sdk::Json eventRecordJson(const std::string& dossier_id, const store::EventRecord& record) {
    sdk::Json out = sdk::Json::object();
    out.set("dossier_id", dossier_id);
    out.set("event_id", record.event_id);
    out.set("outcome", std::string(store::toString(record.outcome)));
    out.set("status", std::string(sdk::toString(record.status)));
    out.set("version", record.version);
    if (!record.conflict_id.empty()) {
        out.set("conflict_id", record.conflict_id);
        out.set("conflict_url", "/v1/conflicts/" + record.conflict_id);
    }
    return out;
}

sdk::Json timelineEntryJson(const sdk::Event& event) {
    sdk::Json out = sdk::Json::object();
    out.set("event_id", event.id);
    out.set("type", event.type);
    out.set("occurred_at", event.occurred_at.toString());
    const sdk::Json& payload = event.payload;
    std::string label;
    if (const sdk::Json* status = payload.find("status"); status != nullptr && status->isString()) {
        out.set("status", status->asString());
        label = status->asString();
    }
    if (const sdk::Json* sub = payload.find("sub_status"); sub != nullptr && sub->isObject()) {
        out.set("sub_status", *sub);
        if (const sdk::Json* text = sub->find("label"); text != nullptr && text->isString()) {
            label = text->asString();
        }
    }
    if (!label.empty()) out.set("label", label);
    for (const char* name : {"message", "documents", "business_id", "display_id"}) {
        if (const sdk::Json* member = payload.find(name)) out.set(name, *member);
    }
    return out;
}

sdk::Json conflictJson(const store::ConflictRecord& conflict) {
    sdk::Json out = sdk::Json::object();
    out.set("id", conflict.id);
    out.set("dossier_id", conflict.dossier_id);
    out.set("state", conflict.state);
    out.set("created_at", sdk::Timestamp{conflict.created_at, 0}.toUtcString());
    out.set("current", eventJson(conflict.current));
    out.set("incoming", eventJson(conflict.incoming));
    if (conflict.state == "resolved") {
        out.set("resolved_at", sdk::Timestamp{conflict.resolved_at, 0}.toUtcString());
        out.set("resolved_by", conflict.resolved_by);
        out.set("resolution", conflict.resolution);
    }
    return out;
}

sdk::Result<store::ConflictResolution> parseResolution(std::string_view text) {
    auto parsed = parseObject(text);
    if (!parsed) return std::move(parsed).error();
    const sdk::Json& body = *parsed;
    if (auto unknown = unknownMember(body, {"winner", "status", "sub_status", "message"}, "")) {
        return *unknown;
    }
    store::ConflictResolution out;
    for (auto [name, target] : {std::pair{"winner", &out.winner}, std::pair{"status", &out.status},
                                std::pair{"message", &out.message}}) {
        auto value = stringMember(body, name, "");
        if (!value) return std::move(value).error();
        *target = std::move(value).value();
    }
    if (out.winner.empty() == out.status.empty()) {
        return invalid("winner", "give either 'winner' (current or incoming) or 'status'");
    }
    if (!out.winner.empty() && out.winner != "current" && out.winner != "incoming") {
        return invalid("winner", "must be 'current' or 'incoming'");
    }
    if (!out.status.empty() && !sdk::parseStatus(out.status)) {
        return invalid("status", "'" + out.status + "' is not a canonical status");
    }
    auto sub = subStatus(body);
    if (!sub) return std::move(sub).error();
    if (sub->isObject()) {
        if (const sdk::Json* code = sub->find("code")) out.sub_status_code = code->asString();
        if (const sdk::Json* label = sub->find("label")) out.sub_status_label = label->asString();
    }
    return out;
}

}  // namespace relais::api
