// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/config/secrets.h"

#include <cstdlib>

#include "relais/common/files.h"

namespace relais::config {
namespace {

constexpr std::size_t kMaxSecretBytes = std::size_t{64} * 1024;

bool validEnvName(std::string_view name) noexcept {
    if (name.empty()) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
                        (i > 0 && c >= '0' && c <= '9');
        if (!ok) return false;
    }
    return true;
}

}  // namespace

bool isSecretReference(std::string_view text) noexcept {
    if (text.starts_with("env:")) return validEnvName(text.substr(4));
    if (text.starts_with("file:")) return text.size() > 5;
    return false;
}

SecretResolver::SecretResolver(std::string base_dir,
                               std::function<void(std::string_view)> on_resolved)
    : base_dir_(std::move(base_dir)), on_resolved_(std::move(on_resolved)) {}

sdk::Result<std::string> SecretResolver::resolve(std::string_view reference) const {
    if (!isSecretReference(reference)) {
        // Do not echo the text: it may be a secret pasted where a reference belongs.
        return sdk::fail(sdk::ErrorCode::InvalidArgument,
                         "a secret must be a reference 'env:NAME' or 'file:/path'");
    }
    std::string value;
    if (reference.starts_with("env:")) {
        const std::string name(reference.substr(4));
        const char* env =
            std::getenv(name.c_str());  // NOLINT(concurrency-mt-unsafe): read-only use
        if (env == nullptr) {
            return sdk::fail(
                sdk::ErrorCode::NotFound,
                "secret reference '" + std::string(reference) + "': environment variable not set");
        }
        value = env;
    } else {
        std::string path(reference.substr(5));
        if (!path.starts_with('/') && !base_dir_.empty()) path = base_dir_ + "/" + path;
        auto content = common::readFile(path, kMaxSecretBytes);
        if (!content) {
            return sdk::fail(
                content.error().code == sdk::ErrorCode::NotFound ? sdk::ErrorCode::NotFound
                                                                 : sdk::ErrorCode::Unavailable,
                "secret reference '" + std::string(reference) + "': cannot read the file");
        }
        value = std::move(content).value();
        if (!value.empty() && value.back() == '\n') value.pop_back();
        if (!value.empty() && value.back() == '\r') value.pop_back();
    }
    if (value.empty()) {
        return sdk::fail(sdk::ErrorCode::NotFound,
                         "secret reference '" + std::string(reference) + "' is empty");
    }
    if (on_resolved_) on_resolved_(value);
    return value;
}

}  // namespace relais::config
