// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <Poco/Exception.h>

/// @file
/// The core's start-up exceptions, in the Poco family (`displayText()` is what operators
/// see). Request paths never throw these: they return `sdk::Result`.

namespace relais {

/// A configuration problem. The message starts with `file:line:` when a line is known and
/// names the element, instance or key at fault; it never contains a secret value.
POCO_DECLARE_EXCEPTION(, ConfigError, Poco::DataException)

/// A plugin library that cannot be used (load failure, ABI or fingerprint mismatch…).
POCO_DECLARE_EXCEPTION(, PluginError, Poco::RuntimeException)

/// The store cannot be opened or migrated.
POCO_DECLARE_EXCEPTION(, StoreError, Poco::RuntimeException)

}  // namespace relais
