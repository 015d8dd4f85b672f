// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "relais/config/config.h"
#include "relais/sdk/connector.h"
#include "relais/sdk/portal_adapter.h"
#include "relais/sdk/settings.h"

namespace relais::runtime {
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
/// → `ConfigError` with `file:line: instance '<name>' (plugin '<id>'): <what> '<key>'`.
/// Defaults fill keys the config does not give; `Path` values are made absolute against
/// `base_dir`.
sdk::Settings validateSettings(const relais_plugin_descriptor& descriptor,
                               const config::InstanceConfig& instance,
                               const std::string& base_dir);

/// One plugin object and its host services.
///
/// Every call goes through a shim: the operation must be declared in the descriptor
/// (otherwise `Unsupported`), non-reentrant plugins are serialized (`call_mutex_`), and any
/// exception that still escapes the plugin's own shim becomes an `Internal` error naming the
/// plugin, the instance and the operation. The library outlives the object: `library_`
/// holds it.
///
/// Threading: `configure`, `start`, `stop` on the control thread; operations from workers.
class Instance {
public:
    /// Creates the object through the descriptor's `create`. Throws `PluginError` (with the
    /// plugin's message) when creation fails.
    Instance(const Library& library, const config::InstanceConfig& config,
             const runtime::Services& services);
    ~Instance();  ///< stops if started, then `destroy`
    Instance(const Instance&) = delete;
    Instance& operator=(const Instance&) = delete;

    const std::string& name() const noexcept { return name_; }
    std::string_view pluginId() const noexcept;
    sdk::PluginKind kind() const noexcept;
    const relais_plugin_descriptor& descriptor() const noexcept;
    bool supports(std::uint32_t operation) const noexcept;

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
class InstanceManager {
public:
    InstanceManager(const Registry& registry, const runtime::Services& services);
    ~InstanceManager();  ///< stops and destroys every instance, in reverse order

    /// Creates and configures every instance of `config` (unknown plugin id, kind mismatch
    /// — a connector plugin used as `<adapter>` —, invalid settings or a refused `configure`
    /// → `ConfigError` naming `file:line` and the instance). Starts nothing.
    void createAll(const config::Config& config);
    /// Starts every instance; the first failure stops those already started and throws
    /// `PluginError` naming the instance.
    void startAll();
    void stopAll() noexcept;

    Instance* find(std::string_view name) noexcept;
    const std::vector<std::unique_ptr<Instance>>& instances() const noexcept { return instances_; }

private:
    const Registry& registry_;
    const runtime::Services& services_;
    std::vector<std::unique_ptr<Instance>> instances_;
    bool started_ = false;
};

}  // namespace relais::plugin
