// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include "relais/http/request.h"
#include "relais/sdk/attribute.h"
#include "relais/sdk/json.h"

namespace relais::config {
struct AttributesConfig;
}

/// @file
/// JSON views of verified attributes, as the prefill and subject routes show them.

namespace relais::api {

/// `{"value", "level", "level_name", "source", "process", "verified_at", "valid_until",
///   "legal_basis"}`; `valid_until` is null when the value does not expire.
sdk::Json attributeJson(const sdk::Attribute& attribute, const config::AttributesConfig& catalogue);

/// The 404 answered by attribute routes when the config has no `<attributes>` element.
http::Response noAttributeStore();

}  // namespace relais::api
