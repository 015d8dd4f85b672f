// SPDX-License-Identifier: AGPL-3.0-or-later
// "Tell us once": the prefill route. The service decides and audits; this file turns the
// request into a query and the result into JSON.

#include <string>
#include <vector>

#include "relais/api/routes.h"
#include "relais/common/strings.h"
#include "relais/config/config.h"
#include "relais/http/authenticator.h"
#include "relais/http/router.h"
#include "relais/store/store.h"
#include "relais/subjects/prefill.h"

#include "attribute_json.h"

namespace relais::api {
namespace {

/// Query parameters of the identity pivot, in `IdentityPivot` order.
constexpr std::string_view kPivotParams[] = {"family_name", "birth_date",    "gender",
                                             "birth_place", "birth_country", "given_names"};
/// Identifiers passed on to providers under their own name.
constexpr std::string_view kIdentifierParams[] = {"ine", "identifiant_france_travail"};
constexpr std::string_view kIdentifierPrefix = "identifier.";

bool isOneOf(std::string_view name, const auto& list) {
    for (std::string_view known : list) {
        if (known == name) return true;
    }
    return false;
}

/// The query of a prefill request, or the problem with its parameters.
sdk::Result<subjects::PrefillRequest> parseRequest(const http::Request& request) {
    subjects::PrefillRequest out;
    out.client = request.client->name();
    out.procedure = request.param("procedure");
    subjects::SubjectQuery& subject = out.subject;
    bool has_pivot = false;
    sdk::IdentityPivot pivot;
    for (const auto& [name, value] : request.query) {
        if (name == "subject") {
            subject.subject_id = value;
        } else if (name == "fc_sub") {
            subject.fc_sub = value;
        } else if (name == "siren") {
            subject.siren = value;
        } else if (name == "siret") {
            subject.siret = value;
        } else if (name == "attributes") {
            for (std::string& attribute : common::splitTrimmed(value, ',')) {
                out.names.push_back(std::move(attribute));
            }
        } else if (name == "format") {
            if (value != "full" && value != "userinfo") {
                return sdk::fail(sdk::ErrorCode::InvalidArgument,
                                 "format must be full (default) or userinfo", "format");
            }
        } else if (isOneOf(name, kPivotParams)) {
            has_pivot = true;
            if (name == "family_name") pivot.family_name = value;
            if (name == "birth_date") pivot.birth_date = value;
            if (name == "gender") pivot.gender = value;
            if (name == "birth_place") pivot.birth_place = value;
            if (name == "birth_country") pivot.birth_country = value;
            if (name == "given_names") pivot.given_names.push_back(value);
        } else if (isOneOf(name, kIdentifierParams)) {
            subject.identifiers[name] = value;
        } else if (name.starts_with(kIdentifierPrefix) && name.size() > kIdentifierPrefix.size()) {
            subject.identifiers[name.substr(kIdentifierPrefix.size())] = value;
        } else {
            return sdk::fail(sdk::ErrorCode::InvalidArgument,
                             "unknown query parameter '" + name + "'", name);
        }
    }
    if (has_pivot) subject.pivot = std::move(pivot);
    // A bearer token of the citizen's FranceConnect session travels in a header, never in
    // the query string (which ends up in logs).
    subject.access_token = request.header("X-FranceConnect-Token");
    return out;
}

http::Response prefill(Context& context, const http::Request& request) {
    if (context.prefill == nullptr) return noAttributeStore();
    if (!request.client->mayUseProcedure(request.param("procedure"))) {
        store::AuditEntry refusal;
        refusal.client = request.client->name();
        refusal.action = "prefill.read";
        refusal.procedure = request.param("procedure");
        refusal.outcome = "refused: procedure not among the client's";
        if (auto appended = context.store.appendAudit(refusal); !appended) {
            return http::problemFromError(appended.error());
        }
        auto refused =
            http::problem(403, "Forbidden",
                          "client '" + request.client->name() + "' may not use procedure '" +
                              request.param("procedure") + "'",
                          "procedure");
        refused.audited = true;
        return refused;
    }
    auto parsed = parseRequest(request);
    if (!parsed) return http::problemFromError(parsed.error());
    auto result = context.prefill->prefill(*parsed);
    if (!result) {
        auto failed = http::problemFromError(result.error());
        // The prefill service writes its refusals (no contract…) to the audit trail.
        failed.audited = result.error().code == sdk::ErrorCode::Forbidden;
        return failed;
    }

    if (request.queryParam("format") == "userinfo") {
        // The OpenID Connect userinfo shape portals already read from FranceConnect: the
        // subject's `sub` and one claim per attribute, values only.
        sdk::Json body = sdk::Json::object();
        if (!result->fc_sub.empty()) body.set("sub", result->fc_sub);
        for (const sdk::Attribute& attribute : result->attributes) {
            body.set(attribute.name, attribute.value);
        }
        return http::jsonResponse(200, body);
    }
    const config::ContractConfig& contract = *result->contract;
    sdk::Json body = sdk::Json::object();
    body.set("procedure", contract.procedure);
    body.set("contract", contract.name);
    body.set("purpose", contract.purpose);
    body.set("legal_basis", contract.legal_basis);
    body.set("subject",
             result->subject_id.empty() ? sdk::Json(nullptr) : sdk::Json(result->subject_id));
    body.set("coverage", result->coverage);
    sdk::Json attributes = sdk::Json::object();
    for (const sdk::Attribute& attribute : result->attributes) {
        attributes.set(attribute.name, attributeJson(attribute, context.config.attributes));
    }
    body.set("attributes", std::move(attributes));
    sdk::Json missing = sdk::Json::array();
    for (const subjects::MissingAttribute& gap : result->missing) {
        sdk::Json item = sdk::Json::object();
        item.set("name", gap.name);
        item.set("reason", gap.reason);
        item.set("detail", gap.detail);
        missing.push(std::move(item));
    }
    body.set("missing", std::move(missing));
    return http::jsonResponse(200, body);
}

}  // namespace

void addPrefillRoutes(http::Router& router, Context& context) {
    router.add({"GET", "/v1/prefill/{procedure}", "prefill",
                std::string(http::rights::kPrefillRead),
                [&context](http::Request& request) { return prefill(context, request); }, 0});
}

}  // namespace relais::api
