// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "relais/sdk/secrets.h"

/// @file
/// Secret references: `env:NAME` (an environment variable) or `file:/path` (a file, one
/// trailing newline dropped; relative paths against the config's directory). The config
/// file never holds a secret value; a value that is not a reference is refused.

namespace relais::config {

/// True when `text` has the form of a secret reference (it may still not resolve).
bool isSecretReference(std::string_view text) noexcept;

/// Resolves references for the core and for plugins (`sdk::Secrets`). Each resolved value
/// is passed to `on_resolved` (the log masker) before it is returned.
///
/// Thread-safety: `resolve` is thread-safe; `on_resolved` must be too.
class SecretResolver final : public sdk::Secrets {
public:
    explicit SecretResolver(std::string base_dir = {},
                            std::function<void(std::string_view)> on_resolved = {});

    sdk::Result<std::string> resolve(std::string_view reference) const override;

private:
    std::string base_dir_;
    std::function<void(std::string_view)> on_resolved_;
};

}  // namespace relais::config
