// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string_view>

#include <libxml/tree.h>

#include "relais/config/config.h"

/// @file
/// Internal to the config module: from a `<relais>` document that passed relais.xsd to a
/// `Config`, with the checks the schema cannot express.

namespace relais::config::detail {

/// Fills `config` from `doc`. `config.path` (absolute, used in every `SourceLocation`) and
/// `config.base_dir` must be set. Throws `ConfigError` (`file:line: what`) on the first
/// problem. Resolves client keys given as secret references (reads the environment and
/// files).
void readConfigDocument(const xmlDoc& doc, Config& config);

/// True for an IPv4 or IPv6 address literal, or a host name (RFC 1123 labels).
bool isListenAddress(std::string_view text) noexcept;

}  // namespace relais::config::detail
