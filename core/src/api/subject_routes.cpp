// SPDX-License-Identifier: AGPL-3.0-or-later
// Subjects: business applications certify attributes back and look subjects up; a portal
// shows a citizen who read their data; operators answer the rights of the person (export,
// erasure). Every read of personal data here is audited before the data leaves.

#include <algorithm>
#include <string>
#include <vector>

#include "relais/api/routes.h"
#include "relais/common/strings.h"
#include "relais/config/config.h"
#include "relais/http/authenticator.h"
#include "relais/http/router.h"
#include "relais/identity/pivot.h"
#include "relais/log/log.h"
#include "relais/sdk/clock.h"
#include "relais/store/store.h"
#include "relais/subjects/validity.h"
#include "relais/subjects/vault.h"

#include "attribute_json.h"
#include "audit_json.h"
#include "dossier_json.h"
#include "query_params.h"

namespace relais::api {
namespace {

constexpr std::size_t kMaxCertified = 100;
/// A verification may be dated a little ahead of our clock (the application's clock drifts).
constexpr std::int64_t kClockSkewMicros = 5LL * 60 * 1'000'000;

const config::ClientConfig* clientConfig(const Context& context, const std::string& name) {
    for (const auto& client : context.config.clients) {
        if (client.name == name) return &client;
    }
    return nullptr;
}

sdk::Error invalid(const std::string& field, const std::string& what) {
    return sdk::Error{sdk::ErrorCode::InvalidArgument, field + ": " + what, field};
}

/// Records an audit entry; the problem to answer when it cannot be recorded.
std::optional<http::Response> audit(Context& context, const http::Request& request,
                                    const std::string& subject_id, const std::string& action,
                                    const std::string& attributes, const std::string& outcome) {
    store::AuditEntry entry;
    entry.client = request.client->name();
    entry.subject_id = subject_id;
    entry.action = action;
    entry.attributes = attributes;
    entry.outcome = outcome;
    if (auto appended = context.store.appendAudit(entry); !appended) {
        return http::problemFromError(appended.error());
    }
    return std::nullopt;
}

/// The stored subject `{id}` names, or the problem (404).
sdk::Result<store::SubjectRecord> subjectOf(Context& context, const http::Request& request) {
    store::SubjectKey key;
    key.id = request.param("id");
    auto found = context.store.findSubject(key);
    if (!found) return std::move(found).error();
    if (!*found) return sdk::fail(sdk::ErrorCode::NotFound, "unknown subject", "id");
    return std::move(**found);
}

sdk::Json subjectJson(const store::SubjectRecord& subject) {
    sdk::Json out = sdk::Json::object();
    out.set("id", subject.id);
    out.set("kind", subject.kind == sdk::SubjectKind::Company ? "company" : "person");
    if (!subject.fc_sub.empty()) out.set("fc_sub", subject.fc_sub);
    if (!subject.siren.empty()) out.set("siren", subject.siren);
    if (!subject.siret.empty()) out.set("siret", subject.siret);
    out.set("identity_pivot_known", !subject.pivot_hash.empty());
    out.set("created_at", sdk::Timestamp{subject.created_at, 0}.toUtcString());
    return out;
}

// ---------------------------------------------------------------- PUT …/attributes

/// One certified value from the body, checked against the client's certify rights.
sdk::Result<sdk::Attribute> parseCertified(const Context& context,
                                           const config::ClientConfig& client,
                                           const sdk::Json& item, const std::string& where,
                                           std::int64_t now) {
    if (!item.isObject()) return invalid(where, "must be an object");
    sdk::Attribute attribute;
    const sdk::Json* name = item.find("name");
    if (name == nullptr || !name->isString() || name->asString().empty()) {
        return invalid(where + ".name", "a non-empty string is required");
    }
    attribute.name = name->asString();
    const config::AttributeKindConfig* kind = context.config.attributes.findKind(attribute.name);
    if (kind == nullptr) {
        return invalid(where + ".name", "unknown attribute '" + attribute.name + "'");
    }
    if (std::find(client.certify.begin(), client.certify.end(), attribute.name) ==
        client.certify.end()) {
        return sdk::Error{sdk::ErrorCode::Forbidden,
                          "client '" + client.name + "' may not certify '" + attribute.name + "'",
                          where + ".name"};
    }
    const sdk::Json* value = item.find("value");
    if (value == nullptr || value->isNull()) return invalid(where + ".value", "is required");
    attribute.value = *value;
    const sdk::Json* level = item.find("level");
    if (level == nullptr || !level->isInt()) {
        return invalid(where + ".level", "a whole number is required");
    }
    attribute.level = static_cast<int>(level->asInt());
    if (context.config.attributes.findLevel(attribute.level) == nullptr) {
        return invalid(where + ".level",
                       std::to_string(attribute.level) + " is not a level of the scale");
    }
    if (attribute.level > client.certify_max_level) {
        return sdk::Error{sdk::ErrorCode::Forbidden,
                          "client '" + client.name + "' may certify up to level " +
                              std::to_string(client.certify_max_level),
                          where + ".level"};
    }
    if (const sdk::Json* process = item.find("process"); process != nullptr) {
        if (!process->isString()) return invalid(where + ".process", "must be a string");
        attribute.process = process->asString();
    }
    attribute.verified_at = sdk::Timestamp{now, 0};
    if (const sdk::Json* at = item.find("verified_at"); at != nullptr) {
        auto parsed = sdk::Timestamp::parse(at->asString());
        if (!at->isString() || !parsed) {
            return invalid(where + ".verified_at", "an RFC 3339 date-time is required");
        }
        if (parsed->micros > now + kClockSkewMicros) {
            return invalid(where + ".verified_at", "is in the future");
        }
        attribute.verified_at = *parsed;
    }
    std::int64_t limit = subjects::validUntil(*kind, attribute.verified_at.micros);
    if (const sdk::Json* until = item.find("valid_until"); until != nullptr) {
        auto parsed = sdk::Timestamp::parse(until->asString());
        if (!until->isString() || !parsed) {
            return invalid(where + ".valid_until", "an RFC 3339 date-time is required");
        }
        limit = subjects::earlierLimit(limit, parsed->micros);
    }
    if (limit != 0) attribute.valid_until = sdk::Timestamp{limit, 0};
    attribute.source = client.name;
    return attribute;
}

http::Response certify(Context& context, const http::Request& request) {
    if (context.vault == nullptr) return noAttributeStore();
    const config::ClientConfig* client = clientConfig(context, request.client->name());
    if (client == nullptr || client->certify.empty()) {
        (void)audit(context, request, request.param("id"), "attributes.certify", "",
                    "refused: no certify right");
        auto refused = http::problem(403, "Forbidden",
                                     "client '" + request.client->name() +
                                         "' may not certify attributes (no <certify> element)");
        refused.audited = true;
        return refused;
    }
    auto subject = subjectOf(context, request);
    if (!subject) return http::problemFromError(subject.error());
    auto body = sdk::Json::parse(request.body);
    if (!body) return http::problemFromError(body.error());
    const sdk::Json* list = body->find("attributes");
    if (!body->isObject() || list == nullptr || !list->isArray() || list->size() == 0 ||
        list->size() > kMaxCertified) {
        return http::problemFromError(
            invalid("attributes", "the body must be {\"attributes\": [...]} with 1 to " +
                                      std::to_string(kMaxCertified) + " values"));
    }
    std::string legal_basis;
    if (const sdk::Json* basis = body->find("legal_basis"); basis != nullptr) {
        legal_basis = basis->asString();
    }
    const std::int64_t now = context.clock.now().micros;
    std::vector<sdk::Attribute> values;
    std::string names;
    for (std::size_t i = 0; i < list->size(); ++i) {
        auto value = parseCertified(context, *client, *list->at(i),
                                    "attributes[" + std::to_string(i) + "]", now);
        if (!value) {
            if (value.error().code == sdk::ErrorCode::Forbidden) {
                (void)audit(context, request, subject->id, "attributes.certify",
                            list->at(i)->find("name") ? list->at(i)->find("name")->asString() : "",
                            "refused: " + value.error().message);
            }
            auto failed = http::problemFromError(value.error());
            failed.audited = value.error().code == sdk::ErrorCode::Forbidden;
            return failed;
        }
        value->legal_basis = legal_basis;
        if (!names.empty()) names += ',';
        names += value->name;
        values.push_back(std::move(value).value());
    }
    auto outcomes = context.vault->record(subject->id, values, 0, now);
    if (!outcomes) return http::problemFromError(outcomes.error());
    if (auto failed =
            audit(context, request, subject->id, "attributes.certify", names, "allowed")) {
        return *failed;
    }
    sdk::Json results = sdk::Json::array();
    for (std::size_t i = 0; i < values.size(); ++i) {
        sdk::Json item = sdk::Json::object();
        item.set("name", values[i].name);
        item.set("outcome",
                 (*outcomes)[i] == store::AttributeOutcome::Current ? "current" : "outranked");
        results.push(std::move(item));
    }
    sdk::Json answer = sdk::Json::object();
    answer.set("subject", subject->id);
    answer.set("attributes", std::move(results));
    return http::jsonResponse(200, answer);
}

// ---------------------------------------------------------------- POST /v1/subjects

http::Response resolveSubject(Context& context, const http::Request& request) {
    if (context.vault == nullptr) return noAttributeStore();
    auto body = sdk::Json::parse(request.body);
    if (!body) return http::problemFromError(body.error());
    if (!body->isObject()) return http::problemFromError(invalid("body", "must be an object"));
    store::SubjectKey key;
    const auto text = [&](const char* name) {
        const sdk::Json* field = body->find(name);
        return field != nullptr ? field->asString() : std::string();
    };
    key.fc_sub = text("fc_sub");
    key.siren = text("siren");
    key.siret = text("siret");
    if (!key.siren.empty() || !key.siret.empty()) key.kind = sdk::SubjectKind::Company;
    if (const sdk::Json* pivot = body->find("identity_pivot"); pivot != nullptr) {
        if (!pivot->isObject()) {
            return http::problemFromError(invalid("identity_pivot", "must be an object"));
        }
        sdk::IdentityPivot raw;
        const auto field = [&](const char* name) {
            const sdk::Json* value = pivot->find(name);
            return value != nullptr ? value->asString() : std::string();
        };
        raw.family_name = field("family_name");
        raw.birth_date = field("birth_date");
        raw.gender = field("gender");
        raw.birth_place = field("birth_place");
        raw.birth_country = field("birth_country");
        if (const sdk::Json* given = pivot->find("given_names"); given != nullptr) {
            if (given->isString()) raw.given_names.push_back(given->asString());
            for (std::size_t i = 0; given->isArray() && i < given->size(); ++i) {
                raw.given_names.push_back(given->at(i)->asString());
            }
        }
        auto normalised = identity::normalisePivot(raw);
        if (!normalised) {
            sdk::Error error = normalised.error();
            error.field = "identity_pivot." + error.field;
            return http::problemFromError(error);
        }
        key.pivot_hash = identity::pivotHash(*normalised);
    }
    if (key.fc_sub.empty() && key.siren.empty() && key.siret.empty() && key.pivot_hash.empty()) {
        return http::problemFromError(
            invalid("body", "give fc_sub, siren, siret or identity_pivot"));
    }
    auto subject = context.store.resolveSubject(key, context.clock.now().micros);
    if (!subject) return http::problemFromError(subject.error());
    return http::jsonResponse(200, subjectJson(*subject));
}

// ---------------------------------------------------------------- access log, export, erase

constexpr int kDefaultLogLimit = 100;
constexpr int kMaxLogLimit = 1000;
// How far back the entries of a subject are searched for the client's own.
constexpr int kMaxServedScan = 10'000;

http::Response accessLog(Context& context, const http::Request& request) {
    auto subject = subjectOf(context, request);
    if (!subject) return http::problemFromError(subject.error());
    auto limit = limitParam(request, kDefaultLogLimit, kMaxLogLimit);
    if (!limit) return http::problemFromError(limit.error());
    // Least privilege: a portal showing a citizen who read their data may read the log of a
    // subject it has served itself (prefilled, certified…), not of any subject whose id it
    // learnt; the data protection officer's `subjects:admin` reads every log.
    if (!request.client->hasRight(http::rights::kSubjectsAdmin)) {
        auto served = context.store.auditEntries(subject->id, kMaxServedScan);
        if (!served) return http::problemFromError(served.error());
        const bool known = std::any_of(served->begin(), served->end(), [&](const auto& record) {
            return record.entry.client == request.client->name() &&
                   record.entry.action != "access-log.read" &&
                   !record.entry.outcome.starts_with("refused");
        });
        if (!known) {
            (void)audit(context, request, subject->id, "access-log.read", "",
                        "refused: the client never served this subject");
            auto refused = http::problem(403, "Forbidden",
                                         "client '" + request.client->name() +
                                             "' has not served this subject: only a client with "
                                             "subjects:admin reads any subject's access log");
            refused.audited = true;
            return refused;
        }
    }
    auto entries = context.store.auditEntries(subject->id, *limit);
    if (!entries) return http::problemFromError(entries.error());
    if (auto failed = audit(context, request, subject->id, "access-log.read", "", "allowed")) {
        return *failed;
    }
    sdk::Json list = sdk::Json::array();
    for (const store::AuditRecord& record : *entries) list.push(auditJson(record, false));
    sdk::Json body = sdk::Json::object();
    body.set("subject", subject->id);
    body.set("entries", std::move(list));
    return http::jsonResponse(200, body);
}

http::Response exportSubject(Context& context, const http::Request& request) {
    if (context.vault == nullptr) return noAttributeStore();
    auto subject = subjectOf(context, request);
    if (!subject) return http::problemFromError(subject.error());
    auto kept = context.vault->history(subject->id);
    if (!kept) return http::problemFromError(kept.error());
    auto dossiers = context.store.dossiersOfSubject(subject->id);
    if (!dossiers) return http::problemFromError(dossiers.error());
    auto entries = context.store.auditEntries(subject->id, kMaxLogLimit);
    if (!entries) return http::problemFromError(entries.error());
    if (auto failed = audit(context, request, subject->id, "subject.export", "*", "allowed")) {
        return *failed;
    }
    sdk::Json attributes = sdk::Json::array();
    for (const subjects::KeptValue& value : *kept) {
        sdk::Json item = attributeJson(value.attribute, context.config.attributes);
        item.set("name", value.attribute.name);
        item.set("current", value.current);
        item.set("recorded_at", sdk::Timestamp{value.recorded_at, 0}.toUtcString());
        item.set("retain_until",
                 value.retain_until == 0
                     ? sdk::Json(nullptr)
                     : sdk::Json(sdk::Timestamp{value.retain_until, 0}.toUtcString()));
        attributes.push(std::move(item));
    }
    sdk::Json files = sdk::Json::array();
    for (const sdk::Dossier& dossier : *dossiers) {
        sdk::Json item = sdk::Json::object();
        item.set("id", dossier.id);
        item.set("source", dossier.source);
        item.set("procedure", dossier.procedure);
        item.set("submitted_at", dossier.submitted_at.toString());
        item.set("status", std::string(sdk::toString(dossier.status)));
        item.set("fields", dossier.fields);
        files.push(std::move(item));
    }
    sdk::Json log = sdk::Json::array();
    for (const store::AuditRecord& record : *entries) log.push(auditJson(record, false));
    sdk::Json body = sdk::Json::object();
    body.set("subject", subjectJson(*subject));
    body.set("attributes", std::move(attributes));
    body.set("dossiers", std::move(files));
    body.set("access_log", std::move(log));
    body.set("exported_at", context.clock.now().toUtcString());
    return http::jsonResponse(200, body);
}

http::Response eraseSubject(Context& context, const http::Request& request) {
    auto subject = subjectOf(context, request);
    if (!subject) return http::problemFromError(subject.error());
    auto erased = context.store.eraseSubject(subject->id);
    if (!erased) return http::problemFromError(erased.error());
    if (auto failed = audit(context, request, subject->id, "subject.erase", "*", "allowed")) {
        return *failed;
    }
    context.logger.info("subject erased",
                        {{"subject", subject->id},
                         {"client", request.client->name()},
                         {"attributes", std::to_string(erased->attributes_deleted)}});
    sdk::Json body = sdk::Json::object();
    body.set("subject", subject->id);
    body.set("attributes_deleted", erased->attributes_deleted);
    body.set("dossiers_kept", erased->dossiers_kept);
    body.set("kept_because",
             "dossiers are administrative records the administration must archive; they no "
             "longer point to the subject. The audit trail is kept as the law requires.");
    return http::jsonResponse(200, body);
}

}  // namespace

void addSubjectRoutes(http::Router& router, Context& context) {
    using namespace http::rights;
    router.add({"PUT", "/v1/subjects/{id}/attributes", "subject_attributes_put",
                std::string(kAttributesWrite),
                [&context](http::Request& request) { return certify(context, request); }, 0});
    router.add({"POST", "/v1/subjects", "subject_resolve", std::string(kAttributesWrite),
                [&context](http::Request& request) { return resolveSubject(context, request); },
                0});
    router.add({"GET", "/v1/subjects/{id}/access-log", "subject_access_log",
                std::string(kAccessLogRead),
                [&context](http::Request& request) { return accessLog(context, request); }, 0});
    router.add({"GET", "/v1/subjects/{id}/export", "subject_export", std::string(kSubjectsAdmin),
                [&context](http::Request& request) { return exportSubject(context, request); }, 0});
    router.add({"DELETE", "/v1/subjects/{id}", "subject_erase", std::string(kSubjectsAdmin),
                [&context](http::Request& request) { return eraseSubject(context, request); }, 0});
}

}  // namespace relais::api
