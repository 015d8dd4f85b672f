// SPDX-License-Identifier: AGPL-3.0-or-later
#include "api_entreprise_connector.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "relais/sdk/host.h"
#include "relais/sdk/text.h"

namespace relais::plugins::api_entreprise {
namespace {

using sdk::ErrorCode;

constexpr const char* kApiName = "API Entreprise";
constexpr std::string_view kProcessPrefix = "api-entreprise";

// Endpoints (openapi-entreprise.yaml). The v3 INSEE endpoints are the ones the sandbox
// cases exist for; their v4 successors answer the same `data` members plus
// `activite_principale_naf_rev2`.
constexpr std::string_view kUniteLegale = "/v3/insee/sirene/unites_legales/{siren}";
constexpr std::string_view kEtablissement = "/v3/insee/sirene/etablissements/{siret}";
constexpr std::string_view kAttestationVigilance =
    "/v4/urssaf/unites_legales/{siren}/attestation_vigilance";

// Sirene data changes rarely and is refreshed nightly upstream: a day is a safe validity.
constexpr std::int64_t kOneDaySeconds = 86'400;
// API Entreprise asks for an `object` under 50 characters.
constexpr std::size_t kObjectAdvisedMax = 50;

constexpr std::string_view kProcedure = "{procedure}";
constexpr std::string_view kPurpose = "{purpose}";

sdk::Error invalid(const std::string& key, const std::string& message) {
    return sdk::fail(ErrorCode::InvalidArgument, key + ": " + message, key);
}

// The text with its placeholders removed, or nullopt when it holds another `{…}`.
std::optional<std::string> withoutPlaceholders(std::string_view text) {
    std::string rest;
    for (std::size_t i = 0; i < text.size();) {
        if (text.substr(i).starts_with(kProcedure)) {
            i += kProcedure.size();
        } else if (text.substr(i).starts_with(kPurpose)) {
            i += kPurpose.size();
        } else if (text[i] == '{' || text[i] == '}') {
            return std::nullopt;
        } else {
            rest.push_back(text[i++]);
        }
    }
    return rest;
}

sdk::Result<std::string> templateSetting(const sdk::Settings& settings, const std::string& key) {
    const std::string text(sdk::text::trimSpacesAndTabs(settings.string(key)));
    if (text.empty()) return invalid(key, "is empty: API Entreprise requires it on every call");
    if (sdk::text::hasControlCharacter(text)) return invalid(key, "contains control characters");
    if (!withoutPlaceholders(text)) {
        return invalid(key,
                       "'" + text + "' holds a placeholder other than {procedure} and {purpose}");
    }
    return text;
}

// Spaces dropped (`552 049 447` is how SIRENs are often written).
std::string compact(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (c != ' ') out.push_back(c);
    }
    return out;
}

std::string replaced(std::string_view path, std::string_view name, const std::string& value) {
    std::string out(path);
    const auto at = out.find(name);
    if (at != std::string::npos) out.replace(at, name.size(), value);
    return out;
}

std::string processOf(std::string_view endpoint) {
    return std::string(kProcessPrefix) + std::string(endpoint);
}

}  // namespace

sdk::Result<EntrepriseConfig> buildConfig(const sdk::Settings& settings,
                                          const sdk::Secrets& secrets) {
    auto api = apistration::buildApiConfig(kApiName, settings, secrets);
    if (!api) return std::move(api).error();
    EntrepriseConfig config;
    config.api = std::move(api).value();
    auto context = templateSetting(settings, "context");
    if (!context) return std::move(context).error();
    config.context = std::move(context).value();
    auto object = templateSetting(settings, "object");
    if (!object) return std::move(object).error();
    config.object = std::move(object).value();
    if (withoutPlaceholders(config.object)->size() > kObjectAdvisedMax) {
        config.api.warnings.emplace_back(
            "object is longer than the 50 characters API Entreprise advises");
    }
    return config;
}

sdk::Result<std::string> expand(std::string_view text, const sdk::AttributeQuery& query) {
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        const bool procedure = text.substr(i).starts_with(kProcedure);
        const bool purpose = !procedure && text.substr(i).starts_with(kPurpose);
        if (!procedure && !purpose) {
            out.push_back(text[i++]);
            continue;
        }
        const std::string_view value =
            sdk::text::trimSpacesAndTabs(procedure ? query.procedure : query.purpose);
        const char* name = procedure ? "procedure" : "purpose";
        if (value.empty() || sdk::text::hasControlCharacter(value)) {
            return sdk::fail(ErrorCode::InvalidArgument,
                             std::string("the query has no ") + name +
                                 ", which the configured context or object uses",
                             name);
        }
        out += value;
        i += procedure ? kProcedure.size() : kPurpose.size();
    }
    return out;
}

ApiEntrepriseConnector::ApiEntrepriseConnector(sdk::Host& host) : sdk::Connector(host) {}

sdk::Result<void> ApiEntrepriseConnector::configure(const sdk::Settings& settings) {
    auto built = buildConfig(settings, host().secrets());
    if (!built) return std::move(built).error();
    for (const auto& warning : built->api.warnings) host().logger().warn(warning);
    config_ = std::make_shared<const EntrepriseConfig>(std::move(built).value());
    return sdk::ok();
}

sdk::Result<sdk::Json> ApiEntrepriseConnector::call(const apistration::Call& call,
                                                    std::string_view endpoint) const {
    return apistration::instrumentedGet(host(), config_->api, call, endpoint, "api_entreprise");
}

sdk::Result<std::vector<sdk::Attribute>> ApiEntrepriseConnector::fetchAttributes(
    const sdk::AttributeQuery& query) {
    if (!config_) return sdk::fail(ErrorCode::Internal, "fetchAttributes before configure");
    const EntrepriseConfig& config = *config_;

    const auto wants = [&](std::string_view name) {
        return std::find(query.names.begin(), query.names.end(), name) != query.names.end();
    };
    const bool want_unit = wants(attribute::kUniteLegale);
    const bool want_establishment = wants(attribute::kEtablissement);
    const bool want_attestation = wants(attribute::kAttestationVigilance);
    std::vector<sdk::Attribute> attributes;
    if (!want_unit && !want_establishment && !want_attestation) return attributes;

    // Everything is checked before the first call (each call is logged by the provider).
    const std::string siret = compact(query.subject.siret);
    std::string siren = compact(query.subject.siren);
    if (!siret.empty() && !apistration::isDigits(siret, 14)) {
        return sdk::fail(ErrorCode::InvalidArgument, "subject.siret is not a SIRET (14 digits)",
                         "subject.siret");
    }
    if (!siren.empty() && !apistration::isDigits(siren, 9)) {
        return sdk::fail(ErrorCode::InvalidArgument, "subject.siren is not a SIREN (9 digits)",
                         "subject.siren");
    }
    if (!siren.empty() && !siret.empty() && !siret.starts_with(siren)) {
        return sdk::fail(ErrorCode::InvalidArgument,
                         "subject.siret is not an establishment of subject.siren (its first "
                         "nine digits differ)",
                         "subject.siret");
    }
    if (siren.empty() && !siret.empty()) siren = siret.substr(0, 9);
    if ((want_unit || want_attestation) && siren.empty()) {
        return sdk::fail(ErrorCode::InvalidArgument,
                         "subject.siren is missing (nor is there a subject.siret to take it "
                         "from): unite_legale and attestation_vigilance are read by SIREN",
                         "subject.siren");
    }
    if (want_establishment && siret.empty()) {
        return sdk::fail(ErrorCode::InvalidArgument,
                         "subject.siret is missing: etablissement is read by SIRET",
                         "subject.siret");
    }
    auto context = expand(config.context, query);
    if (!context) return std::move(context).error();
    auto object = expand(config.object, query);
    if (!object) return std::move(object).error();
    apistration::Query common;
    common.add("recipient", config.api.recipient);
    common.add("context", *context);
    common.add("object", *object);

    const sdk::Timestamp now = host().clock().now();
    const sdk::Timestamp tomorrow = apistration::plusSeconds(now, kOneDaySeconds);
    const std::string& source = host().instanceName();
    std::optional<sdk::Error> not_found;
    // The answer's `data` object; nullopt after a NotFound (remembered); an error otherwise.
    const auto dataOf = [&](std::string_view endpoint, std::string_view parameter,
                            const std::string& value) -> sdk::Result<std::optional<sdk::Json>> {
        const apistration::Call c{replaced(endpoint, parameter, value), common, config.api.token};
        return apistration::dataObjectOf(call(c, endpoint), config.api, c.path, not_found);
    };
    const auto add = [&](std::string_view name, sdk::Json value, std::string_view endpoint,
                         sdk::Timestamp valid_until) {
        attributes.push_back(apistration::makeAttribute(std::string(name), std::move(value), source,
                                                        processOf(endpoint), now, valid_until,
                                                        query.legal_basis));
    };

    if (want_unit) {
        auto data = dataOf(kUniteLegale, "{siren}", siren);
        if (!data) return std::move(data).error();
        if (auto& found = *data)
            add(attribute::kUniteLegale, std::move(*found), kUniteLegale, tomorrow);
    }
    if (want_establishment) {
        auto data = dataOf(kEtablissement, "{siret}", siret);
        if (!data) return std::move(data).error();
        if (auto& found = *data) {
            add(attribute::kEtablissement, std::move(*found), kEtablissement, tomorrow);
        }
    }
    if (want_attestation) {
        auto data = dataOf(kAttestationVigilance, "{siren}", siren);
        if (!data) return std::move(data).error();
        if (auto& found = *data) {
            // A delivered attestation holds until its end-of-validity date; a refusal
            // (`entity_status.code` = `refus_de_delivrance`, every document field null) is
            // served as it is, valid a day: the company may settle its debts at any time.
            sdk::Timestamp valid_until = tomorrow;
            if (const sdk::Json* end = found->find("date_fin_validite");
                end != nullptr && end->isString()) {
                if (const auto parsed = apistration::endOfDay(end->asString())) {
                    valid_until = *parsed;
                }
            }
            if (found->path("entity_status.code") == nullptr) {
                return apistration::malformedAnswer(
                    config.api, replaced(kAttestationVigilance, "{siren}", siren),
                    "data.entity_status.code");
            }
            add(attribute::kAttestationVigilance, std::move(*found), kAttestationVigilance,
                valid_until);
        }
    }

    if (attributes.empty() && not_found) return std::move(*not_found);
    return attributes;
}

}  // namespace relais::plugins::api_entreprise
