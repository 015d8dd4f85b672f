// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <functional>
#include <map>
#include <string>

#include <libxml/tree.h>

#include "relais/config/config.h"

#include "config/element_reader.h"
#include "config/instance_reader.h"

/// @file
/// Internal to the config module: the `<routes>` section (which connector or inbox gets the
/// dossiers of a procedure, how).

namespace relais::config::detail {

/// Reads `<route>` elements into `config.routes`: names given once, the target a connector
/// or an inbox, the sync-only attributes on sync routes only. Routes name their target, so
/// they are read after every instance. Errors are `ConfigError` (`file:line`). `in`,
/// `config` and `instances` must outlive it.
class RouteReader {
public:
    RouteReader(const ElementReader& in, Config& config, const InstanceReader& instances)
        : in_(in), config_(config), instances_(instances) {}

    void read(const xmlNode* element);

private:
    const ElementReader& in_;
    Config& config_;
    const InstanceReader& instances_;
    std::map<std::string, const xmlNode*, std::less<>> routes_;  ///< by name
};

}  // namespace relais::config::detail
