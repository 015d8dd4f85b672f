// SPDX-License-Identifier: AGPL-3.0-or-later
#include "plugins/support/instance_config.h"

namespace relais::test {

config::InstanceConfig instanceConfig(const std::string& name, const std::string& plugin,
                                      const InstanceParams& params,
                                      const std::string& config_file) {
    config::InstanceConfig instance;
    instance.name = name;
    instance.plugin = plugin;
    instance.where = {config_file, 1};
    int line = 1;
    for (const auto& [key, value] : params) {
        instance.params.push_back({key, value, {config_file, ++line}});
    }
    return instance;
}

}  // namespace relais::test
