// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>

#include "relais/sdk/json.h"
#include "relais/sdk/result.h"

namespace relais::adapters::ds {

/// `InvalidArgument` about `field` (a config key, a GraphQL member, a form field): the
/// message starts with the field's name, and the error names it.
inline sdk::Error invalidField(const std::string& field, const std::string& what) {
    return sdk::fail(sdk::ErrorCode::InvalidArgument, field + ": " + what, field);
}

/// The elements of `value`, a member DS sends as a list (absent or null: none).
/// `InvalidArgument` about `field` for anything else: an object's `size` is its member count
/// but `at` gives null on it, so a list member is never read by index before this check.
inline sdk::Result<const sdk::Json::Array*> listMember(const sdk::Json* value,
                                                       const std::string& field) {
    static const sdk::Json::Array kNone;
    if (value == nullptr || value->isNull()) return &kNone;
    if (const auto* items = value->arrayIf()) return items;
    return invalidField(field, "must be a list");
}

}  // namespace relais::adapters::ds
