// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <ostream>

#include "relais/sdk/json.h"

namespace relais::sdk {

/// GoogleTest prints a `Json` in a failure as its compact text.
inline void PrintTo(const Json& json, std::ostream* out) { *out << json.dump(); }

}  // namespace relais::sdk
