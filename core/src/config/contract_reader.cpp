// SPDX-License-Identifier: AGPL-3.0-or-later
#include "config/contract_reader.h"

#include "relais/common/strings.h"
#include "relais/config/xml.h"

namespace relais::config::detail {

void ContractReader::read(const xmlNode* element) {
    ContractConfig contract;
    contract.where = in_.where(element);
    contract.name = in_.requiredAttribute(element, "name");
    contract.procedure = in_.requiredAttribute(element, "procedure");
    contract.clients = splitList(in_.requiredAttribute(element, "clients"));
    contract.purpose = std::string(common::trim(in_.requiredAttribute(element, "purpose")));
    contract.legal_basis = std::string(common::trim(in_.requiredAttribute(element, "legal-basis")));
    contract.retention_ms = in_.longDurationAttribute(element, "retention", 0);
    const std::string context = "contract " + inQuotes(contract.name);
    if (const auto [first, fresh] = contracts_.emplace(contract.name, element); !fresh) {
        in_.fail(element, context + ": a contract with this name is already declared at line " +
                              std::to_string(lineOf(first->second)));
    }
    if (!config_.attributes.enabled) {
        in_.fail(element, context +
                              ": contracts need an <attributes> element (the keys that "
                              "seal the values relais keeps)");
    }
    if (contract.procedure == "*") {
        in_.fail(element, context +
                              ", attribute 'procedure': a contract is for one procedure "
                              "(purpose limitation), not *");
    }
    if (contract.purpose.empty() || contract.legal_basis.empty()) {
        in_.fail(element, context + ": 'purpose' and 'legal-basis' must not be blank");
    }
    for (const std::string& client : contract.clients) {
        if (!clients_.isDeclared(client)) {
            in_.fail(element,
                     context + ", attribute 'clients': no client named " + inQuotes(client));
        }
        // One contract per (procedure, client): the pair decides what a call may read.
        const std::string pair = contract.procedure + '\x1f' + client;
        if (const auto [first, fresh] = contract_pairs_.emplace(pair, element); !fresh) {
            in_.fail(element, context + ": client " + inQuotes(client) +
                                  " already has a contract for procedure " +
                                  inQuotes(contract.procedure) + " (line " +
                                  std::to_string(lineOf(first->second)) + ")");
        }
    }
    std::map<std::string, bool, std::less<>> seen;
    for (const xmlNode* child : elementsOf(element)) {
        ContractAttributeConfig attribute;
        attribute.name = in_.requiredAttribute(child, "name");
        attribute.min_level = in_.intAttribute(child, "min-level", 1, 1, 1000);
        attribute.required = in_.boolAttribute(child, "required", false);
        attribute.provider = in_.attributeOr(child, "provider", "");
        const std::string where_attribute = context + ", attribute " + inQuotes(attribute.name);
        if (!seen.emplace(attribute.name, true).second) {
            in_.fail(child, where_attribute + ": listed twice");
        }
        if (config_.attributes.findKind(attribute.name) == nullptr) {
            in_.fail(child, where_attribute +
                                ": not declared in <attributes> (declare it with its "
                                "validity)");
        }
        if (!attribute.provider.empty()) {
            // Providers are asked for values: a plugin connector, not an adapter or an inbox.
            const InstanceRef* provider = instances_.find(attribute.provider);
            if (provider == nullptr || provider->kind != InstanceKind::Connector ||
                provider->inbox) {
                in_.fail(child, where_attribute + ", 'provider': no connector named " +
                                    inQuotes(attribute.provider));
            }
        }
        contract.attributes.push_back(std::move(attribute));
    }
    config_.contracts.push_back(std::move(contract));
}

}  // namespace relais::config::detail
