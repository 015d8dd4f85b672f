// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/config/config.h"

namespace relais::config {

std::string SourceLocation::toString() const {
    if (line <= 0) return file;
    return file + ":" + std::to_string(line);
}

const InstanceConfig* Config::findInstance(const std::string& name) const noexcept {
    for (const InstanceConfig& instance : instances) {
        if (instance.name == name) return &instance;
    }
    return nullptr;
}

const ContractConfig* Config::findContract(std::string_view procedure,
                                           std::string_view client) const noexcept {
    for (const ContractConfig& contract : contracts) {
        if (contract.procedure != procedure) continue;
        for (const std::string& name : contract.clients) {
            if (name == client) return &contract;
        }
    }
    return nullptr;
}

const AttributeKindConfig* AttributesConfig::findKind(std::string_view name) const noexcept {
    for (const AttributeKindConfig& kind : kinds) {
        if (kind.name == name) return &kind;
    }
    return nullptr;
}

const LevelConfig* AttributesConfig::findLevel(int value) const noexcept {
    for (const LevelConfig& level : levels) {
        if (level.value == value) return &level;
    }
    return nullptr;
}

const ContractAttributeConfig* ContractConfig::findAttribute(std::string_view name) const noexcept {
    for (const ContractAttributeConfig& attribute : attributes) {
        if (attribute.name == name) return &attribute;
    }
    return nullptr;
}

}  // namespace relais::config
