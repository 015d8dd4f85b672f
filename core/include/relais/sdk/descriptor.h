// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstdint>

#include "relais/sdk/settings.h"

/// @file
/// The plain descriptor each plugin library exports under the one symbol `relais_plugin`
/// (a Boost.DLL alias: a `const void*` pointing at a `relais_plugin_descriptor`).
///
/// The loader reads `abi_version` and `fingerprint` first and refuses the library on any
/// mismatch before it reads another field or calls anything. Those two fields keep their
/// place forever; every other field may change with the ABI version.

namespace relais::sdk {
class Component;
class Host;
struct Error;

/// Kind of plugin, in `relais_plugin_descriptor::kind`.
enum class PluginKind : std::uint32_t { Connector = 1, Adapter = 2 };

/// Operation bits, in `relais_plugin_descriptor::operations`.
namespace operation {
inline constexpr std::uint32_t kDeliver = 1U << 0;
inline constexpr std::uint32_t kPoll = 1U << 1;
inline constexpr std::uint32_t kFetchAttributes = 1U << 2;
inline constexpr std::uint32_t kEndpoints = 1U << 3;
inline constexpr std::uint32_t kParseInbound = 1U << 4;
inline constexpr std::uint32_t kPushEvent = 1U << 5;
inline constexpr std::uint32_t kFetchAttachment = 1U << 6;
inline constexpr std::uint32_t kHealth = 1U << 7;
}  // namespace operation

/// Flag bits, in `relais_plugin_descriptor::flags`.
namespace plugin_flag {
/// Operations may run concurrently on one instance; otherwise the host serializes them.
inline constexpr std::uint32_t kReentrant = 1U << 0;
/// The plugin reads or carries personal data (its calls are audited; DPO documentation).
inline constexpr std::uint32_t kPersonalData = 1U << 1;
/// Adapters only: the portal expects the Publik envelope (a w.c.s. webservice call). The
/// core then answers the adapter's inbound route `{"err": 0, "data": {"id": …}}` on success
/// and `{"err": 1, "err_class": …, "err_desc": …}` with the same HTTP status and an
/// `x-error-code` header on error, instead of its own JSON and problem documents
/// (docs/status-sync.md, "Answers in the Publik envelope").
inline constexpr std::uint32_t kPublikAnswers = 1U << 2;
}  // namespace plugin_flag

}  // namespace relais::sdk

extern "C" {

/// Creates a plugin object bound to `host`. Returns null on failure and then fills `error`
/// (never null). Never throws. The object is released with `destroy` only.
using relais_create_fn = relais::sdk::Component* (*)(relais::sdk::Host* host,
                                                     relais::sdk::Error* error) noexcept;
/// Destroys an object made by the same library's `create`. Never throws.
using relais_destroy_fn = void (*)(relais::sdk::Component* component) noexcept;

/// Everything the host needs to know about a plugin library, as plain data owned by the
/// library (static storage, valid while the library is loaded).
struct relais_plugin_descriptor {
    std::uint32_t abi_version;  ///< must equal `relais::sdk::kAbiVersion` — stays first
    const char* fingerprint;    ///< must equal `RELAIS_TOOLCHAIN_FINGERPRINT` — stays second
    relais::sdk::PluginKind kind;
    const char* id;       ///< plugin type id, `[a-z0-9-]+`, unique in a plugin directory
    const char* version;  ///< the plugin's own version (semver)
    const char* summary;  ///< one line for `relais plugins`
    const relais_config_key* config_keys;
    std::uint32_t config_key_count;
    const char* const* endpoints;  ///< names of endpoints served by `callEndpoint`
    std::uint32_t endpoint_count;
    std::uint32_t operations;  ///< `relais::sdk::operation` bits
    std::uint32_t flags;       ///< `relais::sdk::plugin_flag` bits
    relais_create_fn create;
    relais_destroy_fn destroy;
};
}
