// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

/// Marks a declaration of the SDK shared library as exported. Everything else in relais is
/// built with hidden visibility, so only what carries this macro (and the one descriptor
/// symbol of each plugin) is visible across a library boundary.
#define RELAIS_SDK_API __attribute__((visibility("default")))
