// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

/// @file
/// Transitional: the identity pivot moved to relais/identity/pivot.h (namespace
/// relais::identity, library relais_identity). This header and the link line after
/// `add_subdirectory(deploy/mock-national-api)` in the top-level CMakeLists.txt remain only
/// for the national-API test double, which still includes this path; remove both when it
/// includes relais/identity/pivot.h and links relais_identity itself.

#include "relais/identity/pivot.h"

namespace relais::common {
using identity::normaliseName;
using identity::normalisePivot;
using identity::pivotHash;
}  // namespace relais::common
