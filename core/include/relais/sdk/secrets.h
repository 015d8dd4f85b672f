// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>
#include <string_view>

#include "relais/sdk/result.h"
#include "relais/sdk/visibility.h"

namespace relais::sdk {

/// Resolves secret references (`env:NAME`, `file:/path`). The config file only ever holds
/// references; the value is read when asked, registered with the log masker, and must not
/// be logged or put in an error message by the caller.
///
/// Lifetime: owned by the host. Thread-safe.
class RELAIS_SDK_API Secrets {
public:
    virtual ~Secrets();
    /// The secret's value (a trailing newline of a file is dropped). Errors name the
    /// reference, never the value: `NotFound` when the variable or file is missing,
    /// `InvalidArgument` for a malformed reference.
    virtual Result<std::string> resolve(std::string_view reference) const = 0;
};

}  // namespace relais::sdk
