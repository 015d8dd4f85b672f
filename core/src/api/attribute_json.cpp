// SPDX-License-Identifier: AGPL-3.0-or-later
#include "attribute_json.h"

#include "relais/config/config.h"

namespace relais::api {

sdk::Json attributeJson(const sdk::Attribute& attribute,
                        const config::AttributesConfig& catalogue) {
    sdk::Json out = sdk::Json::object();
    out.set("value", attribute.value);
    out.set("level", attribute.level);
    const config::LevelConfig* level = catalogue.findLevel(attribute.level);
    out.set("level_name", level != nullptr ? sdk::Json(level->name) : sdk::Json(nullptr));
    out.set("source", attribute.source);
    if (!attribute.process.empty()) out.set("process", attribute.process);
    out.set("verified_at", attribute.verified_at.toUtcString());
    out.set("valid_until", attribute.valid_until ? sdk::Json(attribute.valid_until->toUtcString())
                                                 : sdk::Json(nullptr));
    if (!attribute.legal_basis.empty()) out.set("legal_basis", attribute.legal_basis);
    return out;
}

http::Response noAttributeStore() {
    return http::problem(404, "Not Found",
                         "this relais keeps no verified attributes (no <attributes> element in "
                         "its configuration)");
}

}  // namespace relais::api
