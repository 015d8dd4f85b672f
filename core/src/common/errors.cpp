// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/common/errors.h"

#include <typeinfo>

namespace relais {

POCO_IMPLEMENT_EXCEPTION(ConfigError, Poco::DataException, "Configuration error")
POCO_IMPLEMENT_EXCEPTION(PluginError, Poco::RuntimeException, "Plugin error")
POCO_IMPLEMENT_EXCEPTION(StoreError, Poco::RuntimeException, "Store error")

}  // namespace relais
