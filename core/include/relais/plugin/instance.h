// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "relais/config/config.h"
#include "relais/sdk/connector.h"
#include "relais/sdk/descriptor.h"
#include "relais/sdk/portal_adapter.h"
#include "relais/sdk/settings.h"

namespace relais::host {
struct Services;
}

/// @file
/// Live plugin instances and the shims around every call into them.

namespace relais::plugin {

struct Library;
class Registry;

/// Checks an instance's `<param>`s against the descriptor's config keys and builds the
/// validated settings: unknown key, duplicate key, value of the wrong type (integer,
/// boolean, duration, URL, enum choice), inline value for a secret key, missing required key
/// → `ConfigError` with `file:line: instance '<name>' (plugin '<id>'): <what> '<key>'`
/// (the line of the `<param>`, or of the instance for a missing key). The offending value is
/// quoted (`key 'port' must be an integer, got 'abc'`) except for `Secret` keys, whose text
/// is never repeated. Settings come in the descriptor's key order; defaults fill keys the
/// config does not give (`from_default`); values of every type but `String` are trimmed;
/// `Path` values are made absolute against `base_dir` (relative ones are refused when it is
/// empty); `Duration` is stored in milliseconds; `List` drops empty items.
sdk::Settings validateSettings(const relais_plugin_descriptor& descriptor,
                               const config::InstanceConfig& instance, const std::string& base_dir);

/// One plugin object and its host services.
///
/// Every call goes through a shim: the operation must be declared in the descriptor
/// (otherwise `Unsupported` naming the plugin, the instance and the operation), the instance
/// must be started (otherwise `Unavailable`), non-reentrant plugins are serialized (one
/// mutex for all their operations), and any exception that still escapes the plugin's own
/// shim becomes an `Internal` error `plugin '<id>' (instance '<name>') threw in <op>: <what>`.
/// The library outlives the object (the instance holds a reference to its handle, and
/// libraries are never unmapped anyway); the `sdk::Host` outlives the object too: the
/// object is destroyed first, then its host.
///
/// Lifecycle: created → `configure` once → `start` → operations → `stop` → destroyed. A
/// call out of that order returns `Internal` without reaching the plugin. After a failed
/// `configure` the object can only be destroyed; after a failed `start`, `stop` is still
/// called (by the destructor, if nobody else did) so that the plugin can release what it
/// started. `stop` waits for the operations in flight and is idempotent.
///
/// `health` of a plugin that declares no health check answers healthy (`detail`
/// "no health check") without calling it: readiness means "started" for such plugins.
///
/// Threading: `configure`, `start`, `stop` on the control thread; operations from any
/// thread, concurrently only if the plugin is reentrant.
class Instance {
public:
    /// Creates the object through the descriptor's `create` with a host from
    /// `host::makeInstanceHost`. Throws `PluginError` naming `file:line`, the instance,
    /// the plugin and the plugin's message when creation fails, or when the object is not of
    /// the declared kind (a "connector" whose object is no `sdk::Connector`).
    /// `library` need not outlive the instance; `services` must.
    Instance(const Library& library, const config::InstanceConfig& config,
             const host::Services& services);
    ~Instance();  ///< stops if started, then `destroy`, then the host
    Instance(const Instance&) = delete;
    Instance& operator=(const Instance&) = delete;

    const std::string& name() const noexcept { return name_; }
    std::string_view pluginId() const noexcept;
    sdk::PluginKind kind() const noexcept;
    const relais_plugin_descriptor& descriptor() const noexcept;
    bool supports(std::uint32_t operation) const noexcept;
    /// Where the instance is declared in the config file.
    const config::SourceLocation& where() const noexcept;
    /// The file of the library it was created from.
    const std::string& libraryPath() const noexcept;
    /// The retry policy configured for this instance (`<retry>`).
    const config::RetryConfig& retry() const noexcept;
    /// How often the core polls this instance, when it polls (`poll-interval`).
    std::int64_t pollIntervalMs() const noexcept;

    sdk::Result<void> configure(const sdk::Settings& settings);
    sdk::Result<void> start();
    sdk::Result<void> stop();
    sdk::Result<sdk::HealthReport> health();

    // Connector operations.
    sdk::Result<sdk::DeliveryReceipt> deliver(const sdk::Delivery& delivery);
    sdk::Result<sdk::PollBatch> poll(const std::string& cursor);
    sdk::Result<std::vector<sdk::Attribute>> fetchAttributes(const sdk::AttributeQuery& query);
    sdk::Result<sdk::EndpointResponse> callEndpoint(const sdk::EndpointRequest& request);

    // Adapter operations.
    sdk::Result<sdk::InboundBatch> parseInbound(const sdk::InboundRequest& request);
    sdk::Result<sdk::PushReceipt> pushEvent(const sdk::Dossier& dossier, const sdk::Event& event);
    sdk::Result<sdk::AttachmentContent> fetchAttachment(const sdk::Dossier& dossier,
                                                        const sdk::Attachment& attachment);

private:
    struct State;
    std::unique_ptr<State> state_;
    std::string name_;
};

/// All instances of a config, in config order.
///
/// Threading: every method on the control thread; `find` and `instances` may be used from
/// any thread once `createAll` has returned (the list no longer changes until destruction).
class InstanceManager {
public:
    /// `registry` and `services` must outlive the manager.
    InstanceManager(const Registry& registry, const host::Services& services);
    /// Stops every instance in reverse config order, then destroys them in reverse order.
    ~InstanceManager();

    /// Creates and configures every instance of `config` (unknown plugin id, kind mismatch
    /// — a connector plugin used as `<adapter>` —, invalid settings or a refused `configure`
    /// → `ConfigError` naming `file:line` and the instance; a failed `create` →
    /// `PluginError`, also naming them). Starts nothing. On failure the instances already
    /// made are destroyed again and the manager is empty. Calling it twice without an
    /// intervening failure throws `Poco::IllegalStateException`.
    void createAll(const config::Config& config);
    /// Starts every instance in config order; the first failure stops it and those already
    /// started (reverse order) and throws `PluginError` naming `file:line`, the instance and
    /// the plugin's message.
    void startAll();
    /// Stops every started instance in reverse order; failures are logged, not thrown.
    void stopAll() noexcept;

    Instance* find(std::string_view name) noexcept;
    const std::vector<std::unique_ptr<Instance>>& instances() const noexcept { return instances_; }

private:
    const Registry& registry_;
    const host::Services& services_;
    std::vector<std::unique_ptr<Instance>> instances_;
    bool started_ = false;
};

}  // namespace relais::plugin
