// SPDX-License-Identifier: AGPL-3.0-or-later
#include "json_adapter.h"

#include "relais/sdk/host.h"
#include "relais/sdk/http_helpers.h"
#include "relais/sdk/signing.h"
#include "relais/sdk/text.h"

namespace relais::adapters::json {
namespace {

using sdk::ErrorCode;

bool isEmptyValue(const sdk::Json* value) {
    if (value == nullptr || value->isNull()) return true;
    if (value->isString()) return value->asString().empty();
    if (value->isArray() || value->isObject()) return value->size() == 0;
    return false;
}

// A scalar as text: the portal's id may be a number.
std::string scalarText(const sdk::Json& value) {
    if (value.isString()) return value.asString();
    if (value.isInt()) return std::to_string(value.asInt());
    if (value.isBool()) return value.asBool() ? "true" : "false";
    if (value.isDouble()) return value.dump();
    return {};
}

bool isJsonContentType(std::string_view content_type) {
    const auto semicolon = content_type.find(';');
    std::string base(content_type.substr(0, semicolon));
    while (!base.empty() && base.back() == ' ') base.pop_back();
    for (auto& c : base) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return base == "application/json" ||
           (base.starts_with("application/") && base.ends_with("+json"));
}

sdk::Json eventToJson(const sdk::Dossier& dossier, const sdk::Event& event) {
    sdk::Json body = sdk::Json::object();
    sdk::Json& d = body["dossier"];
    d.set("id", dossier.id);
    d.set("source_key", dossier.source_key);
    d.set("procedure", dossier.procedure);
    d.set("status", std::string(sdk::toString(dossier.status)));
    if (!dossier.portal_status.empty()) d.set("portal_status", dossier.portal_status);
    sdk::Json& e = body["event"];
    e.set("id", event.id);
    e.set("type", event.type);
    e.set("occurred_at", event.occurred_at.toString());
    if (!event.actor.empty()) e.set("actor", event.actor);
    e.set("public", event.is_public);
    e.set("payload", event.payload);
    return body;
}

}  // namespace

sdk::Result<Layout> layoutFromSettings(const sdk::Settings& settings) {
    Layout layout;
    layout.source_key = settings.string("source-key");
    layout.procedure = settings.string("procedure");
    layout.procedure_field = settings.string("procedure-field");
    if (layout.procedure.empty() == layout.procedure_field.empty()) {
        return sdk::fail(ErrorCode::InvalidArgument,
                         "set exactly one of 'procedure' and 'procedure-field'", "procedure");
    }
    layout.submitted_at = settings.string("submitted-at");
    layout.portal_status = settings.string("portal-status");
    layout.required_fields = settings.list("required-fields");
    layout.subject_france_connect = settings.string("subject-france-connect");
    layout.subject_siret = settings.string("subject-siret");
    layout.attachments = settings.string("attachments");
    layout.attachment_url = settings.string("attachment-url", "url");
    layout.attachment_name = settings.string("attachment-name", "name");
    layout.attachment_content_type = settings.string("attachment-content-type", "content_type");
    layout.attachment_sha256 = settings.string("attachment-sha256", "sha256");
    layout.attachment_size = settings.string("attachment-size", "size");
    layout.attachment_kind = settings.string("attachment-kind", "kind");
    return layout;
}

sdk::Result<sdk::Timestamp> parseSubmissionDate(std::string_view text) {
    // DD/MM/YYYY, the French form most portals use.
    if (text.size() == 10 && text[2] == '/' && text[5] == '/') {
        const std::string iso = std::string(text.substr(6, 4)) + "-" +
                                std::string(text.substr(3, 2)) + "-" +
                                std::string(text.substr(0, 2));
        auto parsed = sdk::Timestamp::parse(iso);
        if (parsed) return parsed;
    } else {
        auto parsed = sdk::Timestamp::parse(text);
        if (parsed) return parsed;
    }
    return sdk::fail(ErrorCode::InvalidArgument,
                     "'" + std::string(text.substr(0, 40)) +
                         "' is not a date (RFC 3339, YYYY-MM-DD or DD/MM/YYYY)");
}

sdk::Result<sdk::Dossier> parseDossier(const Layout& layout, std::string_view body,
                                       const std::string& source, sdk::Timestamp received_at,
                                       int max_depth) {
    sdk::JsonParseOptions options;
    options.max_depth = max_depth;
    auto parsed = sdk::Json::parse(body, options);
    if (!parsed) return std::move(parsed).error();
    sdk::Json fields = std::move(parsed).value();
    if (!fields.isObject()) {
        return sdk::fail(ErrorCode::InvalidArgument, "the dossier must be a JSON object");
    }

    sdk::Dossier dossier;
    dossier.source = source;

    // Without a configured path the key comes from the request (see parseInbound).
    if (!layout.source_key.empty()) {
        const sdk::Json* key = fields.path(layout.source_key);
        if (isEmptyValue(key) || scalarText(*key).empty()) {
            return sdk::fail(ErrorCode::InvalidArgument,
                             "missing the portal's dossier id at '" + layout.source_key + "'",
                             layout.source_key);
        }
        dossier.source_key = scalarText(*key);
    }

    if (!layout.procedure.empty()) {
        dossier.procedure = layout.procedure;
    } else {
        const sdk::Json* procedure = fields.path(layout.procedure_field);
        if (isEmptyValue(procedure) || !procedure->isString()) {
            return sdk::fail(ErrorCode::InvalidArgument,
                             "missing the procedure code at '" + layout.procedure_field + "'",
                             layout.procedure_field);
        }
        dossier.procedure = procedure->asString();
    }

    for (const auto& path : layout.required_fields) {
        if (isEmptyValue(fields.path(path))) {
            return sdk::fail(ErrorCode::InvalidArgument,
                             "required field '" + path + "' is missing or empty", path);
        }
    }

    dossier.submitted_at = received_at;
    if (!layout.submitted_at.empty()) {
        const sdk::Json* date = fields.path(layout.submitted_at);
        if (!isEmptyValue(date)) {
            if (!date->isString()) {
                return sdk::fail(ErrorCode::InvalidArgument,
                                 "field '" + layout.submitted_at + "' must be a date string",
                                 layout.submitted_at);
            }
            auto when = parseSubmissionDate(date->asString());
            if (!when) {
                return sdk::fail(ErrorCode::InvalidArgument,
                                 "field '" + layout.submitted_at + "': " + when.error().message,
                                 layout.submitted_at);
            }
            dossier.submitted_at = *when;
        }
    }

    if (!layout.portal_status.empty()) {
        if (const sdk::Json* status = fields.path(layout.portal_status)) {
            dossier.portal_status = scalarText(*status);
        }
    }

    if (!layout.subject_france_connect.empty() || !layout.subject_siret.empty()) {
        sdk::Subject subject;
        bool known = false;
        if (const sdk::Json* sub = fields.path(layout.subject_france_connect);
            !layout.subject_france_connect.empty() && !isEmptyValue(sub)) {
            subject.france_connect_sub = scalarText(*sub);
            known = true;
        }
        if (const sdk::Json* siret = fields.path(layout.subject_siret);
            !layout.subject_siret.empty() && !isEmptyValue(siret)) {
            subject.kind = sdk::SubjectKind::Company;
            subject.siret = scalarText(*siret);
            if (subject.siret.size() != 14 ||
                subject.siret.find_first_not_of("0123456789") != std::string::npos) {
                return sdk::fail(ErrorCode::InvalidArgument,
                                 "field '" + layout.subject_siret + "' is not a SIRET (14 digits)",
                                 layout.subject_siret);
            }
            subject.siren = subject.siret.substr(0, 9);
            known = true;
        }
        if (known) dossier.subject = std::move(subject);
    }

    if (!layout.attachments.empty()) {
        if (const sdk::Json* list = fields.path(layout.attachments); list != nullptr) {
            if (!list->isArray()) {
                return sdk::fail(ErrorCode::InvalidArgument,
                                 "field '" + layout.attachments + "' must be an array",
                                 layout.attachments);
            }
            for (std::size_t i = 0; i < list->size(); ++i) {
                const sdk::Json& item = *list->at(i);
                const std::string where = layout.attachments + "[" + std::to_string(i) + "]";
                if (!item.isObject()) {
                    return sdk::fail(ErrorCode::InvalidArgument, where + " must be an object",
                                     where);
                }
                sdk::Attachment attachment;
                const auto text = [&](const std::string& member) {
                    const sdk::Json* v = item.find(member);
                    return v != nullptr ? scalarText(*v) : std::string();
                };
                attachment.source_url = text(layout.attachment_url);
                attachment.name = text(layout.attachment_name);
                attachment.content_type = text(layout.attachment_content_type);
                attachment.sha256 = text(layout.attachment_sha256);
                attachment.kind = text(layout.attachment_kind);
                if (const sdk::Json* size = item.find(layout.attachment_size)) {
                    if (!size->isInt() || size->asInt() < 0) {
                        return sdk::fail(ErrorCode::InvalidArgument,
                                         where + "." + layout.attachment_size +
                                             " must be a non-negative integer",
                                         where + "." + layout.attachment_size);
                    }
                    attachment.size = size->asInt();
                }
                if (!attachment.sha256.empty() &&
                    (attachment.sha256.size() != 64 ||
                     attachment.sha256.find_first_not_of("0123456789abcdefABCDEF") !=
                         std::string::npos)) {
                    return sdk::fail(
                        ErrorCode::InvalidArgument,
                        where + "." + layout.attachment_sha256 + " must be 64 hexadecimal digits",
                        where + "." + layout.attachment_sha256);
                }
                dossier.attachments.push_back(std::move(attachment));
            }
        }
    }

    dossier.fields = std::move(fields);
    return dossier;
}

JsonAdapter::JsonAdapter(sdk::Host& host) : sdk::PortalAdapter(host) {}

sdk::Result<void> JsonAdapter::configure(const sdk::Settings& settings) {
    auto layout = layoutFromSettings(settings);
    if (!layout) return std::move(layout).error();
    layout_ = std::move(layout).value();
    callback_url_ = settings.string("callback-url");
    callback_token_reference_ = settings.string("callback-token");
    callback_hmac_reference_ = settings.string("callback-hmac-secret");
    timeout_ms_ = static_cast<int>(settings.duration("callback-timeout").count());
    // Resolve once now so a missing secret is a start-up error, not a failed push.
    for (const std::string* reference : {&callback_token_reference_, &callback_hmac_reference_}) {
        if (reference->empty()) continue;
        auto secret = host().secrets().resolve(*reference);
        if (!secret) return std::move(secret).error();
    }
    return sdk::ok();
}

sdk::Result<sdk::InboundBatch> JsonAdapter::parseInbound(const sdk::InboundRequest& request) {
    if (!isJsonContentType(request.content_type)) {
        return sdk::fail(ErrorCode::InvalidArgument,
                         "the body must be JSON (Content-Type: application/json)", "Content-Type");
    }
    auto dossier = parseDossier(layout_, request.body, host().instanceName(), host().clock().now());
    if (!dossier) return std::move(dossier).error();
    if (layout_.source_key.empty()) {
        // The portal's idempotency key, when it sends one; otherwise the key stays empty and
        // the core gives the dossier its own (every such request is a new dossier).
        for (const auto& [name, value] : request.headers) {
            if (sdk::text::equalsIgnoreCase(name, "Idempotency-Key")) {
                dossier->source_key = value;
                break;
            }
        }
    }
    sdk::InboundBatch batch;
    batch.dossiers.push_back(std::move(dossier).value());
    return batch;
}

sdk::Result<sdk::PushReceipt> JsonAdapter::pushEvent(const sdk::Dossier& dossier,
                                                     const sdk::Event& event) {
    if (callback_url_.empty()) {
        // Nothing to push to: the portal reads statuses from relais (timeline, events).
        // Unsupported tells the core to stop making push jobs for this instance.
        return sdk::fail(ErrorCode::Unsupported,
                         "not pushed: no callback-url, the portal reads relais");
    }
    sdk::HttpRequest request;
    request.method = "POST";
    request.url = callback_url_;
    request.body = eventToJson(dossier, event).dump();
    request.headers = {{"Content-Type", "application/json"},
                       {"Idempotency-Key", event.id.empty() ? dossier.id : event.id}};
    request.timeout_ms = timeout_ms_;
    if (!callback_token_reference_.empty()) {
        auto token = host().secrets().resolve(callback_token_reference_);
        if (!token) return std::move(token).error();
        request.headers.emplace_back("Authorization", "Bearer " + *token);
    }
    if (!callback_hmac_reference_.empty()) {
        auto secret = host().secrets().resolve(callback_hmac_reference_);
        if (!secret) return std::move(secret).error();
        const std::int64_t now = host().clock().now().micros / 1'000'000;
        request.headers.emplace_back(std::string(sdk::signing::kBodySignatureHeader),
                                     sdk::signing::bodySignature(*secret, now, request.body));
    }
    auto response = host().http().send(request);
    if (!response) return std::move(response).error();
    const int status = response->status;
    if (sdk::http::isSuccessStatus(status)) {
        return sdk::PushReceipt{{}, "HTTP " + std::to_string(status)};
    }
    const std::string message = "portal callback answered HTTP " + std::to_string(status);
    if (sdk::http::isRetryableStatus(status)) {
        sdk::Error error = sdk::fail(ErrorCode::Retryable, message);
        error.retry_after_seconds =
            sdk::http::retryAfterSeconds(response->header("Retry-After"), host().clock().now());
        return error;
    }
    return sdk::fail(ErrorCode::Permanent, message);
}

}  // namespace relais::adapters::json
