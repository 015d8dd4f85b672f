// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <functional>
#include <map>
#include <string>

#include <libxml/tree.h>

#include "relais/config/config.h"

#include "config/client_reader.h"
#include "config/element_reader.h"
#include "config/instance_reader.h"

/// @file
/// Internal to the config module: the `<contracts>` section (which clients may read which
/// verified attributes, for which procedure, why and for how long).

namespace relais::config::detail {

/// Reads `<contract>` elements into `config.contracts`. A contract refers to clients, to
/// the attribute catalogue and to connectors (providers), so it is read after all three.
/// Errors are `ConfigError` (`file:line`). `in`, `config`, `clients` and `instances` must
/// outlive it.
class ContractReader {
public:
    ContractReader(const ElementReader& in, Config& config, const ClientReader& clients,
                   const InstanceReader& instances)
        : in_(in), config_(config), clients_(clients), instances_(instances) {}

    void read(const xmlNode* element);

private:
    const ElementReader& in_;
    Config& config_;
    const ClientReader& clients_;
    const InstanceReader& instances_;
    std::map<std::string, const xmlNode*, std::less<>> contracts_;       ///< by name
    std::map<std::string, const xmlNode*, std::less<>> contract_pairs_;  ///< procedure+client
};

}  // namespace relais::config::detail
