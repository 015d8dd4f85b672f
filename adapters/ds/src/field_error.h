// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>

#include "relais/sdk/result.h"

namespace relais::adapters::ds {

/// `InvalidArgument` about `field` (a config key, a GraphQL member, a form field): the
/// message starts with the field's name, and the error names it.
inline sdk::Error invalidField(const std::string& field, const std::string& what) {
    return sdk::fail(sdk::ErrorCode::InvalidArgument, field + ": " + what, field);
}

}  // namespace relais::adapters::ds
