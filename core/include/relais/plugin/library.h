// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "relais/sdk/descriptor.h"

/// @file
/// Plugin libraries: discovery in the configured directory, loading with Boost.DLL
/// (`rtld_now | rtld_local`), and the checks made before any C++ object of a library is
/// touched.

namespace relais::plugin {

/// A loaded, accepted library. The library handle is shared with every instance created
/// from it, and the registry never unloads libraries while the process runs.
struct Library {
    std::string path;
    const relais_plugin_descriptor* descriptor = nullptr;
    std::shared_ptr<void> handle;  ///< keeps the library loaded (a boost::dll::shared_library)

    std::string_view id() const noexcept { return descriptor->id; }
};

/// A library that was refused, and why. The reason names the file and the cause: not a
/// loadable library (with the loader's message, e.g. a missing dependency), no
/// `relais_plugin` symbol, ABI version N (host M), toolchain fingerprint mismatch (both
/// printed), invalid descriptor (which field), duplicate plugin id (both paths).
struct LoadFailure {
    std::string path;
    std::string reason;
};

/// Loads every `*.so` of a directory (not recursive, sorted by name, symlinks to outside
/// the directory refused). Libraries are never unloaded: `Registry` keeps them for the
/// process's lifetime.
///
/// Thread-safety: load on the control thread; afterwards const access is concurrent.
class Registry {
public:
    /// Throws `PluginError` when `directory` does not exist or cannot be read. Per-library
    /// problems go to `failures()`.
    void loadDirectory(const std::string& directory);

    /// Loads one file; returns false and records a failure when it is refused.
    bool loadFile(const std::string& path);

    const Library* find(std::string_view id) const noexcept;
    const std::vector<Library>& libraries() const noexcept { return libraries_; }
    const std::vector<LoadFailure>& failures() const noexcept { return failures_; }

private:
    std::vector<Library> libraries_;
    std::vector<LoadFailure> failures_;
};

/// Human-readable description of a descriptor for `relais plugins`: id, version, kind,
/// summary, operations, flags, endpoints, and each config key with type, required or
/// default, secret flag and doc.
std::string describe(const relais_plugin_descriptor& descriptor);

}  // namespace relais::plugin
