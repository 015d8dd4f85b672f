// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <ostream>
#include <string>

#include <gtest/gtest.h>

#include "relais/sdk/json.h"

namespace relais::sdk {

/// GoogleTest prints a `Json` in a failure as its compact text.
inline void PrintTo(const Json& json, std::ostream* out) { *out << json.dump(); }

}  // namespace relais::sdk

namespace relais::adapters::ds::test {

/// `text` parsed; a test failure (and null) when it is not JSON.
inline sdk::Json parse(const std::string& text) {
    auto json = sdk::Json::parse(text);
    EXPECT_TRUE(json) << json.error().message << "\n" << text;
    return json ? *json : sdk::Json();
}

}  // namespace relais::adapters::ds::test
