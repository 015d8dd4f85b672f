// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string_view>
#include <vector>

/// @file
/// The names of the rights a client may hold, as the config loader knows them.
///
/// The same list is declared as constants in relais/http/client.h (`relais::http::rights`),
/// which the HTTP module checks requests against. The config module cannot depend on the
/// HTTP module, so the names are repeated here; both lists must stay equal (the config
/// tests compare them). TODO(lead): move the constants here and make
/// `http::rights::all()` return `config::knownRights()`.

namespace relais::config {

/// Every right a `<client>` may list, in documentation order. Static storage.
const std::vector<std::string_view>& knownRights();

/// True when `right` is one of `knownRights()` (exact, case-sensitive).
bool isKnownRight(std::string_view right) noexcept;

}  // namespace relais::config
