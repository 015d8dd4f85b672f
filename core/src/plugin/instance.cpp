// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/plugin/instance.h"

#include <exception>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <utility>

#include "relais/common/errors.h"
#include "relais/host/services.h"
#include "relais/plugin/library.h"
#include "relais/sdk/host.h"

#include "plugin/config_value.h"

namespace relais::plugin {
namespace {

enum class Phase { Created, Configured, Started, StartFailed, Stopped, Failed };

const char* phaseName(Phase phase) noexcept {
    switch (phase) {
        case Phase::Created:
            return "created";
        case Phase::Configured:
            return "configured";
        case Phase::Started:
            return "started";
        case Phase::StartFailed:
            return "failed to start";
        case Phase::Stopped:
            return "stopped";
        case Phase::Failed:
            return "failed to configure";
    }
    return "unknown";
}

}  // namespace

struct Instance::State {
    // Declared first so that it is released last: the library's code must stay mapped
    // while anything below may still run it (it is never unmapped anyway: RTLD_NODELETE).
    std::shared_ptr<void> library;
    const relais_plugin_descriptor* descriptor = nullptr;
    std::string library_path;
    std::string plugin_id;
    std::string name;
    config::SourceLocation where;
    config::RetryConfig retry;
    std::int64_t poll_interval_ms = 0;
    bool reentrant = false;

    // Outlives `component`: the destructor destroys the object, then resets the host.
    std::unique_ptr<sdk::Host> host;
    sdk::Component* component = nullptr;
    sdk::Connector* connector = nullptr;    // `component` when the kind is connector
    sdk::PortalAdapter* adapter = nullptr;  // `component` when the kind is adapter

    // `lifecycle_mutex` is held exclusively by configure/start/stop and shared by every
    // operation: `stop` waits for the operations in flight, and `phase` is read and written
    // under it.
    std::shared_mutex lifecycle_mutex;
    Phase phase = Phase::Created;
    // `call_mutex` serializes every operation of a non-reentrant plugin.
    std::mutex call_mutex;

    std::string who() const { return "plugin '" + plugin_id + "' (instance '" + name + "')"; }

    sdk::Error thrown(const char* operation, const std::string& what) const {
        return sdk::fail(sdk::ErrorCode::Internal, who() + " threw in " + operation + ": " + what);
    }

    sdk::Error outOfOrder(const char* operation) const {
        return sdk::fail(sdk::ErrorCode::Internal, "instance '" + name + "': " + operation +
                                                       " called while the instance is " +
                                                       phaseName(phase));
    }

    // Calls into the plugin with the catch-all that a plugin built without the SDK's shim
    // (or a bug in it) needs: no exception of the plugin's reaches the core. (Only a
    // `bad_alloc` while building the message could, and that one is the core's own.)
    template <typename T, typename Body>
    sdk::Result<T> guarded(const char* operation, Body&& body) {
        try {
            return body();
        } catch (const std::exception& e) {
            return thrown(operation, e.what());
        } catch (...) {
            return thrown(operation, "unknown exception");
        }
    }

    // The shim of every operation: declared, started, serialized when not reentrant,
    // exceptions contained.
    template <typename T, typename Body>
    sdk::Result<T> operation(std::uint32_t bit, const char* operation_name, Body&& body) {
        if ((descriptor->operations & bit) == 0) {
            return sdk::fail(sdk::ErrorCode::Unsupported,
                             who() + " does not support " + operation_name);
        }
        std::shared_lock lifecycle(lifecycle_mutex);
        if (phase != Phase::Started) {
            return sdk::fail(sdk::ErrorCode::Unavailable,
                             "instance '" + name + "' is " + phaseName(phase) + ", not started");
        }
        std::unique_lock serial(call_mutex, std::defer_lock);
        if (!reentrant) serial.lock();
        return guarded<T>(operation_name, std::forward<Body>(body));
    }

    // Stops the object if it was started (or failed to start). Caller holds
    // `lifecycle_mutex` exclusively.
    sdk::Result<void> stopLocked() {
        if (phase != Phase::Started && phase != Phase::StartFailed) return sdk::ok();
        phase = Phase::Stopped;
        return guarded<void>("stop", [&] { return component->stop(); });
    }
};

Instance::Instance(const Library& library, const config::InstanceConfig& config,
                   const host::Services& services)
    : state_(std::make_unique<State>()), name_(config.name) {
    State& s = *state_;
    s.library = library.handle;
    s.descriptor = library.descriptor;
    s.library_path = library.path;
    s.plugin_id = library.descriptor->id;
    s.name = config.name;
    s.where = config.where;
    s.retry = config.retry;
    s.poll_interval_ms = config.poll_interval_ms;
    s.reentrant = (library.descriptor->flags & sdk::plugin_flag::kReentrant) != 0;
    s.host = host::makeInstanceHost(services, config.name, config.log_level);

    const std::string prefix = detail::locationText(config.where) + ": instance '" + s.name +
                               "' (plugin '" + s.plugin_id + "'): ";
    // The registry only accepts valid descriptors; checking again here keeps the operation
    // shims honest for a `Library` made some other way (the kind/operation consistency is
    // what lets them pick the connector or adapter pointer without a null check).
    if (const auto problem = validateDescriptor(*s.descriptor); !problem.empty()) {
        throw PluginError(prefix + "invalid descriptor: " + problem);
    }
    sdk::Error error;
    sdk::Component* component = nullptr;
    // `create` is noexcept by type, but nothing forces a hand-written library to honour it.
    try {
        component = s.descriptor->create(s.host.get(), &error);
    } catch (const std::exception& e) {
        throw PluginError(prefix + "create threw: " + e.what());
    } catch (...) {
        throw PluginError(prefix + "create threw an unknown exception");
    }
    if (component == nullptr) {
        throw PluginError(prefix + "create failed: " +
                          (error.message.empty() ? std::string("no reason given") : error.message));
    }

    // The SDK library holds the one type_info of Connector and PortalAdapter, so this
    // dynamic_cast works across RTLD_LOCAL libraries.
    if (s.descriptor->kind == sdk::PluginKind::Connector) {
        s.connector = dynamic_cast<sdk::Connector*>(component);
    } else {
        s.adapter = dynamic_cast<sdk::PortalAdapter*>(component);
    }
    if (s.connector == nullptr && s.adapter == nullptr) {
        s.descriptor->destroy(component);
        throw PluginError(prefix + "the descriptor says " +
                          (s.descriptor->kind == sdk::PluginKind::Connector
                               ? "connector, but create made no relais::sdk::Connector"
                               : "adapter, but create made no relais::sdk::PortalAdapter"));
    }
    s.component = component;
}

Instance::~Instance() {
    State& s = *state_;
    {
        std::unique_lock lifecycle(s.lifecycle_mutex);
        if (auto stopped = s.stopLocked(); !stopped) {
            s.host->logger().warn("stop failed while destroying the instance",
                                  {{"error", stopped.error().message}});
        }
    }
    s.descriptor->destroy(s.component);
    s.component = nullptr;
    s.connector = nullptr;
    s.adapter = nullptr;
    s.host.reset();
}

std::string_view Instance::pluginId() const noexcept { return state_->plugin_id; }
sdk::PluginKind Instance::kind() const noexcept { return state_->descriptor->kind; }
const relais_plugin_descriptor& Instance::descriptor() const noexcept {
    return *state_->descriptor;
}
bool Instance::supports(std::uint32_t operation) const noexcept {
    return (state_->descriptor->operations & operation) != 0;
}
const config::SourceLocation& Instance::where() const noexcept { return state_->where; }
const std::string& Instance::libraryPath() const noexcept { return state_->library_path; }
const config::RetryConfig& Instance::retry() const noexcept { return state_->retry; }
std::int64_t Instance::pollIntervalMs() const noexcept { return state_->poll_interval_ms; }

sdk::Result<void> Instance::configure(const sdk::Settings& settings) {
    State& s = *state_;
    std::unique_lock lifecycle(s.lifecycle_mutex);
    if (s.phase != Phase::Created) return s.outOfOrder("configure");
    auto result = s.guarded<void>("configure", [&] { return s.component->configure(settings); });
    s.phase = result ? Phase::Configured : Phase::Failed;
    return result;
}

sdk::Result<void> Instance::start() {
    State& s = *state_;
    std::unique_lock lifecycle(s.lifecycle_mutex);
    if (s.phase != Phase::Configured) return s.outOfOrder("start");
    auto result = s.guarded<void>("start", [&] { return s.component->start(); });
    s.phase = result ? Phase::Started : Phase::StartFailed;
    return result;
}

sdk::Result<void> Instance::stop() {
    State& s = *state_;
    std::unique_lock lifecycle(s.lifecycle_mutex);
    return s.stopLocked();
}

sdk::Result<sdk::HealthReport> Instance::health() {
    State& s = *state_;
    if (!supports(sdk::operation::kHealth)) {
        std::shared_lock lifecycle(s.lifecycle_mutex);
        if (s.phase != Phase::Started) {
            return sdk::fail(sdk::ErrorCode::Unavailable, "instance '" + s.name + "' is " +
                                                              phaseName(s.phase) + ", not started");
        }
        return sdk::HealthReport{true, "no health check"};
    }
    return s.operation<sdk::HealthReport>(sdk::operation::kHealth, "health",
                                          [&] { return s.component->health(); });
}

sdk::Result<sdk::DeliveryReceipt> Instance::deliver(const sdk::Delivery& delivery) {
    State& s = *state_;
    return s.operation<sdk::DeliveryReceipt>(sdk::operation::kDeliver, "deliver",
                                             [&] { return s.connector->deliver(delivery); });
}

sdk::Result<sdk::PollBatch> Instance::poll(const std::string& cursor) {
    State& s = *state_;
    return s.operation<sdk::PollBatch>(sdk::operation::kPoll, "poll", [&] {
        return s.connector != nullptr ? s.connector->poll(cursor) : s.adapter->poll(cursor);
    });
}

sdk::Result<std::vector<sdk::Attribute>> Instance::fetchAttributes(
    const sdk::AttributeQuery& query) {
    State& s = *state_;
    return s.operation<std::vector<sdk::Attribute>>(
        sdk::operation::kFetchAttributes, "fetchAttributes",
        [&] { return s.connector->fetchAttributes(query); });
}

sdk::Result<sdk::EndpointResponse> Instance::callEndpoint(const sdk::EndpointRequest& request) {
    State& s = *state_;
    return s.operation<sdk::EndpointResponse>(sdk::operation::kEndpoints, "callEndpoint",
                                              [&] { return s.connector->callEndpoint(request); });
}

sdk::Result<sdk::InboundBatch> Instance::parseInbound(const sdk::InboundRequest& request) {
    State& s = *state_;
    return s.operation<sdk::InboundBatch>(sdk::operation::kParseInbound, "parseInbound",
                                          [&] { return s.adapter->parseInbound(request); });
}

sdk::Result<sdk::PushReceipt> Instance::pushEvent(const sdk::Dossier& dossier,
                                                  const sdk::Event& event) {
    State& s = *state_;
    return s.operation<sdk::PushReceipt>(sdk::operation::kPushEvent, "pushEvent",
                                         [&] { return s.adapter->pushEvent(dossier, event); });
}

sdk::Result<sdk::AttachmentContent> Instance::fetchAttachment(const sdk::Dossier& dossier,
                                                              const sdk::Attachment& attachment) {
    State& s = *state_;
    return s.operation<sdk::AttachmentContent>(
        sdk::operation::kFetchAttachment, "fetchAttachment",
        [&] { return s.adapter->fetchAttachment(dossier, attachment); });
}

}  // namespace relais::plugin
