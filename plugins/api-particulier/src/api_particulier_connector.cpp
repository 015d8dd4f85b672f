// SPDX-License-Identifier: AGPL-3.0-or-later
#include "api_particulier_connector.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "relais/sdk/host.h"

#include "pivot.h"

namespace relais::plugins::api_particulier {
namespace {

using sdk::ErrorCode;

constexpr const char* kApiName = "API Particulier";
// `process` of every attribute: this prefix and the endpoint's path.
constexpr std::string_view kProcessPrefix = "api-particulier";

// Endpoints (openapi-particulier.yaml).
constexpr std::string_view kQuotientFamilialIdentite = "/v3/dss/quotient_familial/identite";
constexpr std::string_view kQuotientFamilialFranceConnect =
    "/v3/dss/quotient_familial/france_connect";
constexpr std::string_view kRsaIdentite = "/v3/dss/revenu_solidarite_active/identite";
constexpr std::string_view kRsaFranceConnect = "/v3/dss/revenu_solidarite_active/france_connect";
constexpr std::string_view kEtudiantIne = "/v3/mesri/statut_etudiant/ine";
constexpr std::string_view kEtudiantFranceConnect = "/v3/mesri/statut_etudiant/france_connect";
constexpr std::string_view kFranceTravailStatut = "/v3/france_travail/statut/identifiant";

// Longest identifier passed on: ids are short; anything longer is a mistake upstream.
constexpr std::size_t kMaxIdentifierBytes = 64;

// The members of `data.quotient_familial` that make the `quotient_familial` value.
constexpr const char* kQuotientFamilialMembers[] = {"valeur",      "mois",        "annee",
                                                    "fournisseur", "mois_calcul", "annee_calcul"};

bool wants(const sdk::AttributeQuery& query, std::string_view name) {
    return std::find(query.names.begin(), query.names.end(), name) != query.names.end();
}

std::string identifierOf(const sdk::AttributeQuery& query, std::string_view name) {
    const auto it = query.identifiers.find(std::string(name));
    if (it == query.identifiers.end()) return {};
    std::string_view value = it->second;
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
    return std::string(value);
}

sdk::Error missingIdentifier(std::string_view name, const std::string& why) {
    const std::string field = "identifiers." + std::string(name);
    return sdk::fail(ErrorCode::InvalidArgument, field + " is missing: " + why, field);
}

// Letters, digits, `-` and `_` only, at most `kMaxIdentifierBytes`.
bool plainIdentifier(std::string_view text) {
    return !text.empty() && text.size() <= kMaxIdentifierBytes &&
           std::all_of(text.begin(), text.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                      c == '-' || c == '_';
           });
}

std::string processOf(std::string_view path) {
    return std::string(kProcessPrefix) + std::string(path);
}

}  // namespace

ApiParticulierConnector::ApiParticulierConnector(sdk::Host& host) : sdk::Connector(host) {}

sdk::Result<void> ApiParticulierConnector::configure(const sdk::Settings& settings) {
    auto built = apistration::buildApiConfig(kApiName, settings, host().secrets());
    if (!built) return std::move(built).error();
    for (const auto& warning : built->warnings) host().logger().warn(warning);
    config_ = std::make_shared<const apistration::ApiConfig>(std::move(built).value());
    return sdk::ok();
}

sdk::Result<sdk::Json> ApiParticulierConnector::call(const apistration::Call& call,
                                                     std::string_view endpoint) const {
    return apistration::instrumentedGet(host(), *config_, call, endpoint, "api_particulier");
}

sdk::Result<std::vector<sdk::Attribute>> ApiParticulierConnector::fetchAttributes(
    const sdk::AttributeQuery& query) {
    if (!config_) return sdk::fail(ErrorCode::Internal, "fetchAttributes before configure");
    const apistration::ApiConfig& config = *config_;

    const bool want_qf = wants(query, attribute::kQuotientFamilial);
    const bool want_family = wants(query, attribute::kCompositionFamiliale);
    const bool want_address = wants(query, attribute::kAdresseCaf);
    const bool family_call = want_qf || want_family || want_address;
    const bool rsa_call = wants(query, attribute::kRevenuSolidariteActive);
    const bool student_call = wants(query, attribute::kStatutEtudiant);
    const bool job_call = wants(query, attribute::kStatutFranceTravail);
    std::vector<sdk::Attribute> attributes;
    if (!family_call && !rsa_call && !student_call && !job_call) return attributes;

    // Everything is checked before the first call: a call costs quota and is logged by
    // the provider, so none is made for a query that cannot be answered in full.
    const bool france_connect = !query.access_token.empty();
    if (france_connect && !apistration::isBearerToken(query.access_token)) {
        return sdk::fail(ErrorCode::InvalidArgument,
                         "access_token holds spaces or control characters: not a FranceConnect "
                         "access token",
                         "access_token");
    }
    apistration::Query recipient_only;
    recipient_only.add("recipient", config.recipient);
    apistration::Query pivot_query = recipient_only;
    if ((family_call || rsa_call) && !france_connect) {
        if (auto added = addPivot(query.subject.pivot, pivot_query); !added) {
            return std::move(added).error();
        }
    }
    const std::string ine = student_call ? identifierOf(query, identifier::kIne) : std::string();
    if (student_call && ine.empty() && !france_connect) {
        return missingIdentifier(identifier::kIne,
                                 "statut_etudiant is read by INE (the student's national "
                                 "number) or with a FranceConnect access token");
    }
    if (!ine.empty() && !plainIdentifier(ine)) {
        return sdk::fail(ErrorCode::InvalidArgument,
                         "identifiers.ine is not an INE (letters and digits)", "identifiers.ine");
    }
    const std::string job_id =
        job_call ? identifierOf(query, identifier::kFranceTravail) : std::string();
    if (job_call && job_id.empty()) {
        return missingIdentifier(identifier::kFranceTravail,
                                 "statut_france_travail is read by the France Travail "
                                 "identifier");
    }
    if (job_call && !plainIdentifier(job_id)) {
        return sdk::fail(ErrorCode::InvalidArgument,
                         "identifiers.identifiant_france_travail is not an identifier (letters, "
                         "digits, - and _, at most 64)",
                         "identifiers.identifiant_france_travail");
    }

    const sdk::Timestamp now = host().clock().now();
    const std::string& source = host().instanceName();
    // The family quotient, RSA and job-seeker status are those of the month of the call;
    // the student status holds for the school year.
    const sdk::Timestamp month_end = apistration::endOfMonth(now);
    std::optional<sdk::Error> not_found;
    const auto person_call = [&](std::string_view identite,
                                 std::string_view with_france_connect) -> apistration::Call {
        if (france_connect) {
            return {std::string(with_france_connect), recipient_only, query.access_token};
        }
        return {std::string(identite), pivot_query, config.token};
    };
    // The answer's `data` object; nullopt after a NotFound (remembered); an error otherwise.
    const auto dataOf = [&](const apistration::Call& c) -> sdk::Result<std::optional<sdk::Json>> {
        return apistration::dataObjectOf(call(c, c.path), config, c.path, not_found);
    };
    const auto add = [&](std::string_view name, sdk::Json value, const std::string& path,
                         sdk::Timestamp valid_until) {
        attributes.push_back(apistration::makeAttribute(std::string(name), std::move(value), source,
                                                        processOf(path), now, valid_until,
                                                        query.legal_basis));
    };

    if (family_call) {
        const apistration::Call c =
            person_call(kQuotientFamilialIdentite, kQuotientFamilialFranceConnect);
        auto data = dataOf(c);
        if (!data) return std::move(data).error();
        if (const auto& found = *data) {
            if (want_qf) {
                const sdk::Json* qf = found->find("quotient_familial");
                if (qf == nullptr || !qf->isObject()) {
                    return apistration::malformedAnswer(config, c.path, "data.quotient_familial");
                }
                sdk::Json value = sdk::Json::object();
                for (const char* member : kQuotientFamilialMembers) {
                    if (const sdk::Json* v = qf->find(member)) value.set(member, *v);
                }
                add(attribute::kQuotientFamilial, std::move(value), c.path, month_end);
            }
            if (want_family) {
                sdk::Json value = sdk::Json::object();
                for (const char* member : {"allocataires", "enfants"}) {
                    const sdk::Json* list = found->find(member);
                    value.set(member,
                              list != nullptr && list->isArray() ? *list : sdk::Json::array());
                }
                add(attribute::kCompositionFamiliale, std::move(value), c.path, month_end);
            }
            if (const sdk::Json* address = found->find("adresse");
                want_address && address != nullptr && address->isObject()) {
                add(attribute::kAdresseCaf, *address, c.path, month_end);
            }
        }
    }

    if (rsa_call) {
        const apistration::Call c = person_call(kRsaIdentite, kRsaFranceConnect);
        auto data = dataOf(c);
        if (!data) return std::move(data).error();
        if (auto& found = *data) {
            add(attribute::kRevenuSolidariteActive, std::move(*found), c.path, month_end);
        }
    }

    if (student_call) {
        apistration::Call c;
        if (!ine.empty()) {
            apistration::Query by_ine = recipient_only;
            by_ine.add("ine", ine);
            c = {std::string(kEtudiantIne), std::move(by_ine), config.token};
        } else {
            c = {std::string(kEtudiantFranceConnect), recipient_only, query.access_token};
        }
        auto data = dataOf(c);
        if (!data) return std::move(data).error();
        if (auto& found = *data) {
            add(attribute::kStatutEtudiant, std::move(*found), c.path,
                apistration::endOfSchoolYear(now));
        }
    }

    if (job_call) {
        apistration::Query by_id = recipient_only;
        by_id.add("identifiant", job_id);
        const apistration::Call c{std::string(kFranceTravailStatut), std::move(by_id),
                                  config.token};
        auto data = dataOf(c);
        if (!data) return std::move(data).error();
        if (auto& found = *data) {
            add(attribute::kStatutFranceTravail, std::move(*found), c.path, month_end);
        }
    }

    if (attributes.empty() && not_found) return std::move(*not_found);
    return attributes;
}

}  // namespace relais::plugins::api_particulier
