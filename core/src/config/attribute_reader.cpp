// SPDX-License-Identifier: AGPL-3.0-or-later
#include "config/attribute_reader.h"

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "relais/config/xml.h"

namespace relais::config::detail {

void readAttributes(const ElementReader& in, const xmlNode* element, AttributesConfig& attributes) {
    attributes.enabled = true;
    attributes.where = in.where(element);
    attributes.current_key = in.requiredAttribute(element, "current-key");
    attributes.purge_interval_ms = in.durationAttribute(element, "purge-interval", 3'600'000);
    std::map<std::string, const xmlNode*, std::less<>> keys;
    std::map<std::string, const xmlNode*, std::less<>> kinds;
    for (const xmlNode* child : elementsOf(element)) {
        const std::string_view name = nameOf(child);
        if (name == "key") {
            AttributeKeyConfig key;
            key.where = in.where(child);
            key.id = in.requiredAttribute(child, "id");
            key.file = in.requiredPath(child, "file");
            if (const auto [first, fresh] = keys.emplace(key.id, child); !fresh) {
                in.fail(child, "key " + inQuotes(key.id) + ": already declared at line " +
                                   std::to_string(lineOf(first->second)));
            }
            attributes.keys.push_back(std::move(key));
        } else if (name == "level") {
            LevelConfig level{in.intAttribute(child, "value", 0, 1, 1000),
                              in.requiredAttribute(child, "name")};
            if (!attributes.levels.empty() && attributes.levels.back().value >= level.value) {
                in.fail(child, "level " + std::to_string(level.value) +
                                   ": levels must be listed in increasing order, each once");
            }
            attributes.levels.push_back(std::move(level));
        } else if (name == "attribute") {
            AttributeKindConfig kind;
            kind.where = in.where(child);
            kind.name = in.requiredAttribute(child, "name");
            kind.subject = in.attributeOr(child, "subject", kind.subject);
            kind.validity = in.attributeOr(child, "validity", kind.validity);
            // Anything but the named validities is a duration.
            if (kind.validity != "none" && kind.validity != "month" &&
                kind.validity != "school-year") {
                kind.validity_ms = in.longDurationAttribute(child, "validity", 0);
                kind.validity = "duration";
            }
            if (const auto [first, fresh] = kinds.emplace(kind.name, child); !fresh) {
                in.fail(child, "attribute " + inQuotes(kind.name) + ": already declared at line " +
                                   std::to_string(lineOf(first->second)));
            }
            attributes.kinds.push_back(std::move(kind));
        } else {
            in.fail(child, "element 'attributes': unknown element " + inQuotes(name));
        }
    }
    if (keys.find(attributes.current_key) == keys.end()) {
        in.fail(element, "element 'attributes', attribute 'current-key': no <key id=\"" +
                             attributes.current_key + "\"> is declared");
    }
}

}  // namespace relais::config::detail
