// SPDX-License-Identifier: AGPL-3.0-or-later
#include "wcs_adapter.h"

#include <Poco/SHA2Engine.h>

#include "relais/sdk/host.h"
#include "relais/sdk/http_helpers.h"
#include "relais/sdk/signing.h"
#include "relais/sdk/text.h"

#include "local_time.h"

namespace relais::adapters::wcs {
namespace {

using sdk::ErrorCode;

sdk::Error invalid(const std::string& field, const std::string& what) {
    return sdk::fail(ErrorCode::InvalidArgument, "'" + field + "' " + what, field);
}

bool isJsonContentType(std::string_view content_type) {
    const std::string_view base = sdk::text::trim(content_type.substr(0, content_type.find(';')));
    return sdk::text::equalsIgnoreCase(base, "application/json");
}

const std::string* stringMember(const sdk::Json& object, std::string_view key) {
    const sdk::Json* value = object.find(key);
    return value != nullptr ? value->stringIf() : nullptr;
}

// `id` may be a string or a number (w.c.s. writes the natural key as a string).
std::string scalarText(const sdk::Json* value) {
    if (value == nullptr) return {};
    if (value->isString()) return value->asString();
    if (value->isInt()) return std::to_string(value->asInt());
    return {};
}

// Query-string encoding of one value (unreserved characters kept), as Python's urlencode.
std::string formEncode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(ch);
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 15]);
        }
    }
    return out;
}

std::string sha256Hex(const std::string& bytes) {
    Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
    engine.update(bytes);
    return Poco::DigestEngine::digestToHex(engine.digest());
}

// A file field: `{filename, content_type, url?, content?}`.
sdk::Result<bool> addAttachment(const std::string& var, const sdk::Json& value,
                                sdk::Dossier& dossier) {
    if (!value.isObject() || value.find("filename") == nullptr) return false;
    const std::string where = "fields." + var;
    sdk::Attachment attachment;
    attachment.kind = var;
    attachment.name = value.find("filename")->asString();
    if (const auto* type = stringMember(value, "content_type")) attachment.content_type = *type;
    if (const auto* url = stringMember(value, "url")) attachment.source_url = *url;
    if (const sdk::Json* content = value.find("content"); content != nullptr) {
        if (!content->isString()) return invalid(where + ".content", "must be base64 text");
        auto bytes = sdk::signing::base64Decode(content->asString());
        if (!bytes) return invalid(where + ".content", "is not valid base64");
        attachment.size = static_cast<std::int64_t>(bytes->size());
        attachment.sha256 = sha256Hex(*bytes);
    }
    if (attachment.source_url.empty() && value.find("content") == nullptr) {
        return invalid(where, "is a file with neither url nor content");
    }
    dossier.attachments.push_back(std::move(attachment));
    return true;
}

// w.c.s.'s own words for a refused call: err_desc, else err_code, else the body's start.
std::string portalWords(const sdk::HttpResponse& response, const std::string& secret) {
    if (auto body = sdk::Json::parse(response.body); body && body->isObject()) {
        if (const auto* desc = stringMember(*body, "err_desc"); desc != nullptr && !desc->empty()) {
            return sdk::http::safeExcerpt(*desc, {secret});
        }
        if (const auto* code = stringMember(*body, "err_code"); code != nullptr && !code->empty()) {
            return sdk::http::safeExcerpt(*code, {secret});
        }
    }
    return sdk::http::safeExcerpt(response.body, {secret}, 120);
}

// The error of an answer that is not a success: retryable (5xx, 429, 408…) or permanent.
sdk::Error answerError(const sdk::HttpResponse& response, const std::string& what,
                       const std::string& secret, sdk::Timestamp now) {
    std::string message = "w.c.s. answered HTTP " + std::to_string(response.status) + " to " +
                          what + ": " + portalWords(response, secret);
    if (sdk::http::isRetryableStatus(response.status)) {
        sdk::Error error = sdk::fail(ErrorCode::Retryable, std::move(message));
        error.retry_after_seconds =
            sdk::http::retryAfterSeconds(response.header("Retry-After"), now);
        return error;
    }
    return sdk::fail(ErrorCode::Permanent, std::move(message));
}

// A 2xx answer's JSON with `err` 0, or the permanent error w.c.s. gave.
sdk::Result<sdk::Json> successBody(const sdk::HttpResponse& response, const std::string& what,
                                   const std::string& secret) {
    auto body = sdk::Json::parse(response.body);
    if (!body || !body->isObject()) {
        return sdk::fail(ErrorCode::Permanent,
                         "w.c.s. answered " + what + " with something other than a JSON object: " +
                             sdk::http::safeExcerpt(response.body, {secret}, 120));
    }
    const sdk::Json* err = body->find("err");
    if (err != nullptr && !(err->isInt() && err->asInt() == 0) && !err->isNull() &&
        !(err->isString() && err->asString() == "0")) {
        return sdk::fail(ErrorCode::Permanent,
                         "w.c.s. refused " + what + ": " + portalWords(response, secret));
    }
    return std::move(body).value();
}

// What a jump or hook carries: the event's words and documents, as workflow data.
sdk::Json workflowData(const sdk::Event& event) {
    sdk::Json data = sdk::Json::object();
    data.set("relais_event_id", event.id);
    data.set("occurred_at", event.occurred_at.toString());
    for (const char* key : {"status", "message", "motivation", "documents", "portal_status"}) {
        if (const sdk::Json* value = event.payload.find(key);
            value != nullptr && !value->isNull()) {
            data.set(key, *value);
        }
    }
    // A decision's text is its motivation: the events API has no member of that name, and
    // the integrator's templates read `form_trigger_<id>_content_motivation`.
    const sdk::Json* message = data.find("message");
    if (event.type == sdk::event_type::kStatusChanged && message != nullptr &&
        data.find("motivation") == nullptr) {
        sdk::Json motivation = *message;  // a copy: `set` may move the members
        data.set("motivation", std::move(motivation));
    }
    return data;
}

std::string slugOf(const sdk::Dossier& dossier) {
    return dossier.source_key.substr(0, dossier.source_key.find(':'));
}

}  // namespace

sdk::Result<WcsSettings> settingsFrom(const sdk::Settings& settings) {
    WcsSettings out;
    out.base_url = settings.string("url");
    if (!out.base_url.empty() && out.base_url.back() != '/') out.base_url += '/';
    out.orig = settings.string("orig");
    if (out.orig.empty()) return invalid("orig", "must not be empty");
    out.secret_reference = settings.string("secret");
    out.algorithm = settings.string("signature-algorithm", "sha256");
    out.zone = settings.string("time-zone", "Europe/Paris");
    auto zone = sdk::TimeZone::load(out.zone);
    if (!zone) {
        return invalid("time-zone", "'" + out.zone + "' is not a zone of the tz database");
    }
    out.time_zone = std::move(zone).value();
    out.procedure = settings.string("procedure");
    auto tables = StatusTables::parse(settings.list("status-map"), settings.list("triggers"));
    if (!tables) return std::move(tables).error();
    out.tables = std::move(tables).value();
    out.message_hook = settings.string("message-hook");
    out.timeout_ms =
        static_cast<int>(settings.duration("timeout", std::chrono::seconds(30)).count());
    auto tls = sdk::http::readTlsFiles(settings);
    if (!tls) return std::move(tls).error();
    out.tls = std::move(tls).value();
    return out;
}

sdk::Result<sdk::Dossier> parseFormdata(const WcsSettings& settings, std::string_view body,
                                        const std::string& source) {
    auto parsed = sdk::Json::parse(body);
    if (!parsed) return std::move(parsed).error();
    const sdk::Json& export_ = *parsed;
    if (!export_.isObject()) {
        return sdk::fail(ErrorCode::InvalidArgument, "the body must be a w.c.s. formdata export");
    }
    sdk::Dossier dossier;
    dossier.source = source;

    // `id` is the natural key `<form slug>:<number>`.
    const std::string id = scalarText(export_.find("id"));
    const auto colon = id.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == id.size()) {
        return invalid("id", "must be the w.c.s. key '<form slug>:<number>'");
    }
    dossier.source_key = id;
    dossier.procedure = settings.procedure.empty() ? id.substr(0, colon) : settings.procedure;

    const auto* receipt = stringMember(export_, "receipt_time");
    if (receipt == nullptr || receipt->empty()) return invalid("receipt_time", "is missing");
    auto submitted = parseLocalTime(*receipt, settings.time_zone);
    if (!submitted) return invalid("receipt_time", submitted.error().message);
    dossier.submitted_at = *submitted;

    const sdk::Json* status = export_.path("workflow.status");
    const auto* status_id = status != nullptr ? stringMember(*status, "id") : nullptr;
    if (status_id == nullptr || status_id->empty()) {
        return invalid("workflow.status.id", "is missing");
    }
    dossier.portal_status = *status_id;

    const sdk::Json* fields = export_.find("fields");
    if (fields != nullptr && !fields->isNull() && !fields->isObject()) {
        return invalid("fields", "must be an object");
    }
    dossier.fields = fields != nullptr && fields->isObject() ? *fields : sdk::Json::object();
    for (const auto& member : *dossier.fields.objectIf()) {
        auto added = addAttachment(member.key, member.value, dossier);
        if (!added) return std::move(added).error();
    }

    if (const sdk::Json* user = export_.find("user"); user != nullptr && user->isObject()) {
        if (const sdk::Json* name_ids = user->find("NameID");
            name_ids != nullptr && name_ids->isArray() && name_ids->size() > 0) {
            sdk::Subject subject;
            subject.france_connect_sub = name_ids->at(0)->asString();
            if (!subject.france_connect_sub.empty()) dossier.subject = std::move(subject);
        }
    }

    sdk::Json meta = sdk::Json::object();
    meta.set("id", id);
    for (const char* key : {"display_id", "url", "api_url", "backoffice_url", "last_update_time"}) {
        if (const auto* value = stringMember(export_, key)) meta.set(key, *value);
    }
    sdk::Json status_meta = sdk::Json::object();
    status_meta.set("id", *status_id);
    if (const auto* name = stringMember(*status, "name")) status_meta.set("name", *name);
    meta.set("status", std::move(status_meta));
    if (const sdk::Json* user = export_.find("user"); user != nullptr && !user->isNull()) {
        meta.set("user", *user);
    }
    if (const sdk::Json* extra = export_.find("extra"); extra != nullptr) meta.set("extra", *extra);
    dossier.fields.set(kMetaKey, std::move(meta));
    return dossier;
}

sdk::Result<std::string> apiUrlOf(const WcsSettings& settings, const sdk::Dossier& dossier) {
    const auto colon = dossier.source_key.find(':');
    if (!settings.base_url.empty() && colon != std::string::npos) {
        return settings.base_url + "api/forms/" + dossier.source_key.substr(0, colon) + "/" +
               dossier.source_key.substr(colon + 1) + "/";
    }
    const sdk::Json* meta = dossier.fields.find(kMetaKey);
    const auto* api_url = meta != nullptr ? stringMember(*meta, "api_url") : nullptr;
    if (api_url == nullptr ||
        !(api_url->starts_with("https://") || api_url->starts_with("http://"))) {
        return sdk::fail(
            ErrorCode::Permanent,
            "dossier " + dossier.source_key + " has no w.c.s. api_url and no 'url' is configured");
    }
    std::string url = *api_url;
    if (url.back() != '/') url += '/';
    return url;
}

WcsAdapter::WcsAdapter(sdk::Host& host) : sdk::PortalAdapter(host) {}

sdk::Result<void> WcsAdapter::configure(const sdk::Settings& settings) {
    auto parsed = settingsFrom(settings);
    if (!parsed) return std::move(parsed).error();
    // Resolve once now so a missing secret is a start-up error, not a failed push.
    auto secret = host().secrets().resolve(parsed->secret_reference);
    if (!secret) return std::move(secret).error();
    settings_ = std::move(parsed).value();
    return sdk::ok();
}

sdk::Result<sdk::InboundBatch> WcsAdapter::parseInbound(const sdk::InboundRequest& request) {
    if (!isJsonContentType(request.content_type)) {
        return sdk::fail(ErrorCode::InvalidArgument,
                         "the body must be JSON (Content-Type: application/json)", "Content-Type");
    }
    auto dossier = parseFormdata(settings_, request.body, host().instanceName());
    if (!dossier) return std::move(dossier).error();
    sdk::InboundBatch batch;
    batch.dossiers.push_back(std::move(dossier).value());
    return batch;
}

sdk::Result<sdk::HttpResponse> WcsAdapter::call(const std::string& method, const std::string& url,
                                                const std::string& body) {
    auto secret = host().secrets().resolve(settings_.secret_reference);
    if (!secret) return std::move(secret).error();
    const auto question = url.find('?');
    std::string query = question == std::string::npos ? "" : url.substr(question + 1);
    if (!query.empty()) query += '&';
    query += "orig=" + formEncode(settings_.orig);
    const auto now = host().clock().now();
    auto signed_query = sdk::signing::publikSignQuery(
        query, *secret, settings_.algorithm, now.micros / 1'000'000, sdk::signing::newNonce());
    if (!signed_query) return std::move(signed_query).error();
    sdk::HttpRequest request;
    request.method = method;
    request.url = url.substr(0, question) + "?" + *signed_query;
    request.headers = {{"Accept", "application/json"}};
    if (!body.empty()) {
        request.headers.emplace_back("Content-Type", "application/json");
        request.body = body;
    }
    request.timeout_ms = settings_.timeout_ms;
    request.tls = settings_.tls;
    return host().http().send(request);
}

sdk::Result<sdk::PushReceipt> WcsAdapter::pushEvent(const sdk::Dossier& dossier,
                                                    const sdk::Event& event) {
    if (event.type == sdk::event_type::kStatusChanged) return pushStatus(dossier, event);
    if (event.type == sdk::event_type::kMessage) return pushMessage(dossier, event);
    return sdk::PushReceipt{{}, "not sent: w.c.s. has no use for a '" + event.type + "' event"};
}

sdk::Result<sdk::PushReceipt> WcsAdapter::pushStatus(const sdk::Dossier& dossier,
                                                     const sdk::Event& event) {
    const auto* wanted_name = stringMember(event.payload, "status");
    const auto wanted = wanted_name != nullptr ? sdk::parseStatus(*wanted_name) : std::nullopt;
    if (!wanted) {
        return sdk::fail(ErrorCode::InvalidArgument,
                         "a status_changed event needs a canonical payload.status", "status");
    }
    const std::string slug = slugOf(dossier);
    const std::string trigger = settings_.tables.trigger(slug, *wanted);
    auto api_url = apiUrlOf(settings_, dossier);
    if (!api_url) return std::move(api_url).error();
    auto secret = host().secrets().resolve(settings_.secret_reference);
    if (!secret) return std::move(secret).error();

    // Read the current status first: a push replayed after a lost answer finds the dossier
    // already there and succeeds without a second jump.
    auto current = call("GET", *api_url, {});
    if (!current) return std::move(current).error();
    const std::string reading = "the reading of " + dossier.source_key;
    if (!sdk::http::isSuccessStatus(current->status)) {
        return answerError(*current, reading, *secret, host().clock().now());
    }
    auto exported = successBody(*current, reading, *secret);
    if (!exported) return std::move(exported).error();
    const sdk::Json* status = exported->path("workflow.status.id");
    const std::string status_id = status != nullptr ? status->asString() : std::string();
    if (settings_.tables.canonical(slug, status_id) == wanted) {
        return sdk::PushReceipt{status_id,
                                "already in that state (w.c.s. status " + status_id + ")"};
    }
    if (trigger.empty()) {
        // The integrator chose not to show this status on the portal.
        return sdk::PushReceipt{status_id, "not sent: no trigger configured for " +
                                               std::string(sdk::toString(*wanted))};
    }
    if (const sdk::Json* actions = exported->find("actions");
        actions != nullptr && actions->isObject() && actions->find("jump:" + trigger) == nullptr) {
        return sdk::fail(ErrorCode::Permanent,
                         "w.c.s. says dossier " + dossier.source_key + " in status " + status_id +
                             " does not offer trigger '" + trigger + "' (to reach " +
                             std::string(sdk::toString(*wanted)) + ")");
    }
    const std::string jumping = "trigger '" + trigger + "' of " + dossier.source_key;
    auto answer = call("POST", *api_url + "jump/trigger/" + formEncode(trigger) + "/",
                       workflowData(event).dump());
    if (!answer) return std::move(answer).error();
    if (!sdk::http::isSuccessStatus(answer->status)) {
        return answerError(*answer, jumping, *secret, host().clock().now());
    }
    auto jumped = successBody(*answer, jumping, *secret);
    if (!jumped) return std::move(jumped).error();
    return sdk::PushReceipt{{}, "w.c.s. took trigger '" + trigger + "' from status " + status_id};
}

sdk::Result<sdk::PushReceipt> WcsAdapter::pushMessage(const sdk::Dossier& dossier,
                                                      const sdk::Event& event) {
    if (settings_.message_hook.empty()) {
        return sdk::PushReceipt{{}, "not sent: no message-hook configured"};
    }
    auto api_url = apiUrlOf(settings_, dossier);
    if (!api_url) return std::move(api_url).error();
    auto secret = host().secrets().resolve(settings_.secret_reference);
    if (!secret) return std::move(secret).error();
    const std::string what = "hook '" + settings_.message_hook + "' of " + dossier.source_key;
    auto answer = call("POST", *api_url + "hooks/" + formEncode(settings_.message_hook) + "/",
                       workflowData(event).dump());
    if (!answer) return std::move(answer).error();
    if (!sdk::http::isSuccessStatus(answer->status)) {
        return answerError(*answer, what, *secret, host().clock().now());
    }
    auto body = successBody(*answer, what, *secret);
    if (!body) return std::move(body).error();
    return sdk::PushReceipt{{}, "w.c.s. ran " + what};
}

}  // namespace relais::adapters::wcs
