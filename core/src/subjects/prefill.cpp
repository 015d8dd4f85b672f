// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/subjects/prefill.h"

#include <algorithm>
#include <map>
#include <utility>

#include "relais/config/config.h"
#include "relais/identity/pivot.h"
#include "relais/log/log.h"
#include "relais/metrics/registry.h"
#include "relais/plugin/instance.h"
#include "relais/sdk/clock.h"
#include "relais/store/store.h"
#include "relais/subjects/validity.h"
#include "relais/subjects/vault.h"

namespace relais::subjects {

struct PrefillService::Resolved {
    std::string subject_id;  ///< empty: not stored (yet)
    std::string fc_sub;
    store::SubjectKey key;    ///< to create the subject when a provider answers
    bool identified = false;  ///< `key` carries an identifier (the subject can be stored)
    sdk::Subject subject;     ///< what providers are given
};

namespace {

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const std::string& name : names) {
        if (!out.empty()) out += ',';
        out += name;
    }
    return out;
}

bool isFresh(const sdk::Attribute& value, std::int64_t now) {
    return !value.valid_until || value.valid_until->micros > now;
}

/// What became of a provider's failure for the attributes it was asked.
std::string reasonFor(sdk::ErrorCode code) {
    switch (code) {
        case sdk::ErrorCode::NotFound:
            return "unknown";
        case sdk::ErrorCode::Permanent:
        case sdk::ErrorCode::InvalidArgument:
        case sdk::ErrorCode::Forbidden:
        case sdk::ErrorCode::Unauthorized:
            return "provider_refused";
        default:
            return "provider_failed";
    }
}

}  // namespace

PrefillService::PrefillService(const config::Config& config, store::Store& store,
                               AttributeVault& vault, plugin::InstanceManager& instances,
                               const sdk::Clock& clock, log::Logger& logger,
                               metrics::Registry& metrics)
    : config_(config),
      store_(store),
      vault_(vault),
      instances_(instances),
      clock_(clock),
      logger_(logger),
      hits_(metrics.counter("relais_prefill_attributes_total",
                            "attributes asked in prefill requests, by where they came from",
                            {{"outcome", "hit"}})),
      misses_(metrics.counter("relais_prefill_attributes_total",
                              "attributes asked in prefill requests, by where they came from",
                              {{"outcome", "miss"}})),
      fetches_(metrics.counter("relais_provider_calls_total",
                               "calls to provider connectors (national APIs) for prefill")),
      refusals_(metrics.counter("relais_prefill_refusals_total",
                                "prefill requests refused for want of a contract")) {}

void PrefillService::audit(const PrefillRequest& request, const config::ContractConfig* contract,
                           const std::string& subject_id, const std::string& attributes,
                           const std::string& outcome) {
    store::AuditEntry entry;
    entry.client = request.client;
    entry.subject_id = subject_id;
    entry.action = "prefill.read";
    entry.attributes = attributes;
    entry.procedure = request.procedure;
    entry.purpose = contract != nullptr ? contract->purpose : "";
    entry.outcome = outcome;
    if (auto appended = store_.appendAudit(entry); !appended) {
        logger_.error("audit entry not recorded",
                      {{"client", request.client}, {"error", appended.error().message}});
    }
}

sdk::Result<PrefillService::Resolved> PrefillService::resolve(const SubjectQuery& query,
                                                              bool may_fetch) {
    Resolved resolved;
    store::SubjectKey& key = resolved.key;
    key.id = query.subject_id;
    key.fc_sub = query.fc_sub;
    key.siren = query.siren;
    key.siret = query.siret;
    key.kind = query.siren.empty() && query.siret.empty() ? sdk::SubjectKind::Person
                                                          : sdk::SubjectKind::Company;
    if (query.pivot) {
        auto pivot = identity::normalisePivot(*query.pivot);
        if (!pivot) return std::move(pivot).error();
        key.pivot_hash = identity::pivotHash(*pivot);
        resolved.subject.pivot = std::move(pivot).value();
    }
    resolved.identified = !key.id.empty() || !key.fc_sub.empty() || !key.siren.empty() ||
                          !key.siret.empty() || !key.pivot_hash.empty();
    if (!resolved.identified && query.access_token.empty()) {
        return sdk::fail(sdk::ErrorCode::InvalidArgument,
                         "name the subject: subject, fc_sub, siren, siret, the identity pivot "
                         "(family_name, given_names, birth_date, gender, birth_place, "
                         "birth_country) or access_token",
                         "subject");
    }
    if (resolved.identified) {
        auto found = store_.findSubject(key);
        if (!found) return std::move(found).error();
        if (*found) {
            resolved.subject_id = (*found)->id;
            resolved.fc_sub = (*found)->fc_sub;
            // Providers get every identifier known, not only the one given.
            if (key.siren.empty()) key.siren = (*found)->siren;
            if (key.siret.empty()) key.siret = (*found)->siret;
            key.kind = (*found)->kind;
        } else if (!key.id.empty() || !may_fetch) {
            return sdk::fail(sdk::ErrorCode::NotFound, "unknown subject", "subject");
        }
    }
    if (resolved.fc_sub.empty()) resolved.fc_sub = key.fc_sub;
    sdk::Subject& subject = resolved.subject;
    subject.id = resolved.subject_id;
    subject.kind = key.kind;
    subject.france_connect_sub = resolved.fc_sub;
    subject.siren = key.siren;
    subject.siret = key.siret;
    return resolved;
}

sdk::Result<PrefillResult> PrefillService::prefill(const PrefillRequest& request) {
    const config::ContractConfig* contract =
        config_.findContract(request.procedure, request.client);
    if (contract == nullptr) {
        refusals_.increment();
        audit(request, nullptr, request.subject.subject_id, joined(request.names),
              "refused: no contract");
        return sdk::fail(sdk::ErrorCode::Forbidden,
                         "client '" + request.client + "' has no contract for procedure '" +
                             request.procedure + "': no contract, no data",
                         "procedure");
    }

    // The attributes asked for, each with its contract terms; any outside the contract
    // refuses the whole request (never silently dropped).
    std::vector<const config::ContractAttributeConfig*> asked;
    std::vector<std::string> names;
    if (request.names.empty()) {
        for (const auto& attribute : contract->attributes) {
            asked.push_back(&attribute);
            names.push_back(attribute.name);
        }
    } else {
        std::vector<std::string> outside;
        for (const std::string& name : request.names) {
            const auto* attribute = contract->findAttribute(name);
            if (attribute == nullptr) {
                outside.push_back(name);
            } else {
                asked.push_back(attribute);
                names.push_back(name);
            }
        }
        if (!outside.empty()) {
            refusals_.increment();
            audit(request, contract, request.subject.subject_id, joined(outside),
                  "refused: outside the contract");
            return sdk::fail(sdk::ErrorCode::Forbidden,
                             "contract '" + contract->name + "' does not let client '" +
                                 request.client + "' read: " + joined(outside),
                             "attributes");
        }
    }

    bool may_fetch = false;
    for (const auto* attribute : asked) may_fetch = may_fetch || !attribute->provider.empty();
    auto resolved = resolve(request.subject, may_fetch);
    if (!resolved) {
        if (resolved.error().code == sdk::ErrorCode::NotFound) {
            audit(request, contract, "", joined(names), "not found");
        }
        return std::move(resolved).error();
    }

    const std::int64_t now = clock_.now().micros;
    std::map<std::string, sdk::Attribute, std::less<>> stored;
    if (!resolved->subject_id.empty()) {
        auto current = vault_.current(resolved->subject_id, names);
        if (!current) return std::move(current).error();
        for (sdk::Attribute& value : *current) {
            std::string name = value.name;
            stored.emplace(std::move(name), std::move(value));
        }
    }

    PrefillResult result;
    result.contract = contract;
    result.subject_id = resolved->subject_id;
    result.fc_sub = resolved->fc_sub;
    std::map<std::string, sdk::Attribute, std::less<>> served;
    std::map<std::string, MissingAttribute, std::less<>> missing;
    std::map<std::string, std::vector<std::string>, std::less<>> to_fetch;  // by provider
    for (const auto* attribute : asked) {
        const auto found = stored.find(attribute->name);
        if (found != stored.end() && isFresh(found->second, now) &&
            found->second.level >= attribute->min_level) {
            hits_.increment();
            served.emplace(attribute->name, found->second);
            continue;
        }
        misses_.increment();
        MissingAttribute gap{attribute->name, "unknown", "no value is held"};
        if (found != stored.end() && !isFresh(found->second, now)) {
            gap = {attribute->name, "expired", "the value held has expired"};
        } else if (found != stored.end()) {
            gap = {attribute->name, "insufficient_level",
                   "the value held is at level " + std::to_string(found->second.level) +
                       ", below the contract's minimum " + std::to_string(attribute->min_level)};
        }
        if (!attribute->provider.empty()) to_fetch[attribute->provider].push_back(attribute->name);
        missing.emplace(attribute->name, std::move(gap));
    }

    // Ask each provider once for everything it may fill.
    std::vector<sdk::Attribute> fetched;
    // A provider that failed for now (rate limit, outage) may know the subject: then the
    // answer says what is missing and why rather than "unknown".
    bool provider_failed_for_now = false;
    for (const auto& [provider, wanted] : to_fetch) {
        plugin::Instance* instance = instances_.find(provider);
        sdk::Result<std::vector<sdk::Attribute>> answer =
            instance == nullptr
                ? sdk::Result<std::vector<sdk::Attribute>>(sdk::fail(
                      sdk::ErrorCode::Unavailable, "provider '" + provider + "' is not running"))
                : [&] {
                      sdk::AttributeQuery query;
                      query.subject = resolved->subject;
                      query.names = wanted;
                      query.procedure = request.procedure;
                      query.purpose = contract->purpose;
                      query.legal_basis = contract->legal_basis;
                      query.access_token = request.subject.access_token;
                      query.identifiers = request.subject.identifiers;
                      fetches_.increment();
                      return instance->fetchAttributes(query);
                  }();
        if (!answer) {
            const std::string reason = reasonFor(answer.error().code);
            if (reason == "provider_failed") provider_failed_for_now = true;
            logger_.info("provider could not fill a prefill", {{"provider", provider},
                                                               {"procedure", request.procedure},
                                                               {"error", answer.error().message}});
            for (const std::string& name : wanted) {
                MissingAttribute& gap = missing[name];
                if (reason != "unknown" || gap.reason == "unknown") gap.reason = reason;
                gap.detail = "provider '" + provider + "': " + answer.error().message;
            }
            continue;
        }
        for (sdk::Attribute& value : *answer) {
            const bool was_wanted =
                std::find(wanted.begin(), wanted.end(), value.name) != wanted.end();
            const auto* kind = config_.attributes.findKind(value.name);
            if (!was_wanted || kind == nullptr) continue;  // never keep what was not asked
            if (value.source.empty()) value.source = provider;
            if (value.legal_basis.empty()) value.legal_basis = contract->legal_basis;
            if (value.verified_at.micros == 0) value.verified_at = sdk::Timestamp{now, 0};
            const std::int64_t limit =
                earlierLimit(value.valid_until ? value.valid_until->micros : 0,
                             validUntil(*kind, value.verified_at.micros));
            if (limit != 0) value.valid_until = sdk::Timestamp{limit, 0};
            fetched.push_back(std::move(value));
        }
        for (const std::string& name : wanted) {
            bool answered = false;
            for (const auto& value : fetched) answered = answered || value.name == name;
            if (!answered) missing[name].detail = "provider '" + provider + "' holds no value";
        }
    }

    if (!fetched.empty()) {
        result.fetched = static_cast<int>(fetched.size());
        if (result.subject_id.empty() && resolved->identified) {
            auto subject = store_.resolveSubject(resolved->key, now);
            if (!subject) return std::move(subject).error();
            result.subject_id = subject->id;
        }
        // A subject named by a FranceConnect token only cannot be keyed: its values are
        // served once and not kept.
        if (!result.subject_id.empty()) {
            const std::int64_t retain_until = now + contract->retention_ms * 1000;
            auto recorded = vault_.record(result.subject_id, fetched, retain_until, now);
            if (!recorded) return std::move(recorded).error();
        }
        for (sdk::Attribute& value : fetched) {
            const auto* terms = contract->findAttribute(value.name);
            if (value.level < terms->min_level) {
                missing[value.name] = {value.name, "insufficient_level",
                                       "the provider's value is at level " +
                                           std::to_string(value.level) + ", below " +
                                           std::to_string(terms->min_level)};
                continue;
            }
            missing.erase(value.name);
            std::string name = value.name;
            served.insert_or_assign(std::move(name), std::move(value));
        }
    }

    // Not held by relais and no provider could find it: unknown, whatever the reasons the
    // providers gave (no record, or nothing to search with).
    if (result.subject_id.empty() && served.empty() && !provider_failed_for_now) {
        audit(request, contract, "", joined(names), "not found");
        return sdk::fail(sdk::ErrorCode::NotFound, "unknown subject", "subject");
    }

    result.coverage = true;
    std::vector<std::string> served_names;
    for (const auto* attribute : asked) {
        auto value = served.find(attribute->name);
        if (value != served.end()) {
            served_names.push_back(attribute->name);
            result.attributes.push_back(std::move(value->second));
        } else {
            if (attribute->required) result.coverage = false;
            result.missing.push_back(std::move(missing[attribute->name]));
        }
    }
    // Recorded before the data leaves: no audit entry, no data.
    store::AuditEntry entry;
    entry.client = request.client;
    entry.subject_id = result.subject_id;
    entry.action = "prefill.read";
    entry.attributes = joined(served_names);
    entry.procedure = request.procedure;
    entry.purpose = contract->purpose;
    entry.outcome = result.missing.empty() ? "allowed" : "allowed, partial";
    if (auto appended = store_.appendAudit(entry); !appended) {
        return std::move(appended).error();
    }
    return result;
}

}  // namespace relais::subjects
