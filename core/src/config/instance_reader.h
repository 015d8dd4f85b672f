// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include <libxml/tree.h>

#include "relais/config/config.h"

#include "config/element_reader.h"

/// @file
/// Internal to the config module: the `<adapters>` and `<connectors>` sections (plugin
/// instances with their params and `<retry>`, pull inboxes).

namespace relais::config::detail {

/// A name declared among the adapters and connectors, and the element that declared it.
struct InstanceRef {
    const xmlNode* node = nullptr;
    InstanceKind kind = InstanceKind::Connector;
    bool inbox = false;  ///< a pull inbox (declared among the connectors)
};

/// Reads the instance lists into `config.instances` and `config.inboxes`, and remembers
/// every name for the sections that refer to them (clients, routes, contracts). Adapters,
/// connectors and inboxes share one set of names. Errors are `ConfigError` (`file:line`).
/// `in` and `config` must outlive it.
class InstanceReader {
public:
    InstanceReader(const ElementReader& in, Config& config) : in_(in), config_(config) {}

    /// Reads one `<adapters>` or `<connectors>` element (`kind` says which).
    void readList(const xmlNode* list, InstanceKind kind);

    /// The instance or inbox named `name`, or null.
    const InstanceRef* find(std::string_view name) const;

private:
    void readInbox(const xmlNode* element);
    void readInstance(const xmlNode* element, InstanceKind kind);

    const ElementReader& in_;
    Config& config_;
    std::map<std::string, InstanceRef, std::less<>> names_;
};

}  // namespace relais::config::detail
