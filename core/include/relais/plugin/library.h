// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstdint>
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

/// A library that was refused, and why. `path` is the file as found in the directory (or
/// as given to `loadFile`); `reason` is the cause, without repeating `path` (print
/// `path: reason`): "cannot be loaded: <the loader's message, e.g. a missing dependency>",
/// "no relais_plugin descriptor symbol …", "ABI version N, this relais expects M …",
/// "toolchain fingerprint '…' differs from this relais's '…' …", "invalid descriptor: <field
/// and problem>", "plugin id 'x' is already provided by <the first file>", "is a symbolic
/// link to …, outside the plugin directory …", "not a regular file", "no such file".
struct LoadFailure {
    std::string path;
    std::string reason;
};

/// Loads every `*.so` of a directory (not recursive, sorted by name, symlinks to outside
/// the directory refused). Libraries are never unloaded: they are opened with
/// `RTLD_NODELETE`, so even when the last handle goes away (a test's `Registry` and its
/// instances destroyed) the code stays mapped, and no object, vtable or string a plugin made
/// can outlive its code.
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
    /// Loads `load_path` (already resolved); failures are reported under `shown`.
    bool loadResolved(const std::string& shown, const std::string& load_path);

    std::vector<Library> libraries_;
    std::vector<LoadFailure> failures_;
};

/// Checks every field of a descriptor after `abi_version` and `fingerprint` (which the
/// loader checks first): kind, id (`[a-z0-9][a-z0-9-]*`, at most 64 characters), version,
/// create/destroy, operations (non-zero, known bits, consistent with the kind), flags,
/// endpoints (named when `kEndpoints` is declared, and only then) and config keys (valid and
/// unique names, known types, choices for enums, defaults that parse as their type). Returns
/// the first problem, naming the field (`config_keys[2] 'mode': …`), or an empty string.
/// Never throws except `std::bad_alloc`.
std::string validateDescriptor(const relais_plugin_descriptor& descriptor);

/// Human-readable description of a descriptor for `relais plugins`: id, version, kind,
/// summary, operations, flags, endpoints, and each config key with type, required or
/// default, secret flag and doc. Multi-line, ends with a newline.
std::string describe(const relais_plugin_descriptor& descriptor);

/// Names of the operation bits set in `operations` (`deliver`, `poll`…), in bit order.
std::vector<std::string> operationNames(std::uint32_t operations);

}  // namespace relais::plugin
