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

}  // namespace relais::config
