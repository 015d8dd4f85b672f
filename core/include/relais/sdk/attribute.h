// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <optional>
#include <string>

#include "relais/sdk/json.h"
#include "relais/sdk/time.h"

/// @file
/// A verified attribute: a value the administration knows about a subject, with where it
/// comes from and how much it can be trusted.

namespace relais::sdk {

/// Certification levels of the default scale (after the Lutece identity store).
namespace level {
inline constexpr int kDeclared = 100;          ///< the citizen said so
inline constexpr int kContactValidated = 200;  ///< e-mail or SMS round trip
inline constexpr int kDocumentScanned = 400;   ///< official document uploaded and checked
inline constexpr int kDocumentSeen = 500;      ///< official document seen at the counter
inline constexpr int kTrustedRegistry = 600;   ///< FranceConnect or a national API
}  // namespace level

struct Attribute {
    std::string name;  ///< e.g. `quotient_familial`, `birth_date`
    Json value;
    std::string source;  ///< provider connector instance, client name, or `declared`
    int level = level::kDeclared;
    std::string process;  ///< how it was verified, free text (`api-particulier/cnav`)
    Timestamp verified_at;
    std::optional<Timestamp> valid_until;
    std::string legal_basis;
};

}  // namespace relais::sdk
