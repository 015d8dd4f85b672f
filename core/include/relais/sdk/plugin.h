// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstdint>
#include <exception>
#include <new>
#include <span>
#include <string>
#include <type_traits>

#include <boost/dll/alias.hpp>

#include "relais/sdk/abi.h"
#include "relais/sdk/component.h"
#include "relais/sdk/connector.h"
#include "relais/sdk/descriptor.h"
#include "relais/sdk/portal_adapter.h"

/// @file
/// `RELAIS_PLUGIN(Impl, info)`: the one line that turns a class deriving from `Connector` or
/// `PortalAdapter` into a loadable plugin. It
/// - wraps `Impl` in a shim, instantiated inside the plugin, whose overrides catch every
///   exception and turn it into an `Internal` error naming the plugin and the operation;
/// - derives the operation bits from which virtuals `Impl` overrides;
/// - builds the descriptor at compile time and exports it as the library's only symbol,
///   `relais_plugin`.
///
/// ```cpp
/// constexpr relais_config_key kKeys[] = {
///     {"url", relais::sdk::ConfigType::Url, true, nullptr, "where to POST", nullptr},
/// };
/// RELAIS_PLUGIN(RestConnector, (relais::sdk::PluginInfo{
///     .id = "rest", .version = "1.0.0", .summary = "HTTP delivery", .config_keys = kKeys,
///     .flags = relais::sdk::plugin_flag::kReentrant}))
/// ```
///
/// `Impl` needs a constructor taking `relais::sdk::Host&`.

namespace relais::sdk {

/// What a plugin says about itself, besides what the shim derives.
struct PluginInfo {
    const char* id = "";
    const char* version = "0.0.0";
    const char* summary = "";
    std::span<const relais_config_key> config_keys;
    std::span<const char* const> endpoints;
    std::uint32_t flags = 0;
};

namespace detail {

/// Runs `body`, turning any exception into an `Internal` error that names the plugin and
/// the operation. `body` returns a `Result<…>`.
template <typename Body>
auto guard(const char* plugin, const char* operation_name, Body&& body) noexcept
    -> decltype(body()) {
    try {
        return body();
    } catch (const std::exception& e) {
        return fail(ErrorCode::Internal, std::string("plugin '") + plugin + "' threw in " +
                                             operation_name + ": " + e.what());
    } catch (...) {
        return fail(ErrorCode::Internal, std::string("plugin '") + plugin + "' threw in " +
                                             operation_name + ": unknown exception");
    }
}

template <typename Impl, const PluginInfo& kInfo>
class ConnectorShim final : public Impl {
public:
    explicit ConnectorShim(Host& host) : Impl(host) {}

    Result<void> configure(const Settings& s) override {
        return guard(kInfo.id, "configure", [&] { return Impl::configure(s); });
    }
    Result<void> start() override {
        return guard(kInfo.id, "start", [&] { return Impl::start(); });
    }
    Result<void> stop() override {
        return guard(kInfo.id, "stop", [&] { return Impl::stop(); });
    }
    Result<HealthReport> health() override {
        return guard(kInfo.id, "health", [&] { return Impl::health(); });
    }
    Result<DeliveryReceipt> deliver(const Delivery& d) override {
        return guard(kInfo.id, "deliver", [&] { return Impl::deliver(d); });
    }
    Result<PollBatch> poll(const std::string& cursor) override {
        return guard(kInfo.id, "poll", [&] { return Impl::poll(cursor); });
    }
    Result<std::vector<Attribute>> fetchAttributes(const AttributeQuery& q) override {
        return guard(kInfo.id, "fetchAttributes", [&] { return Impl::fetchAttributes(q); });
    }
    Result<EndpointResponse> callEndpoint(const EndpointRequest& r) override {
        return guard(kInfo.id, "callEndpoint", [&] { return Impl::callEndpoint(r); });
    }
};

template <typename Impl, const PluginInfo& kInfo>
class AdapterShim final : public Impl {
public:
    explicit AdapterShim(Host& host) : Impl(host) {}

    Result<void> configure(const Settings& s) override {
        return guard(kInfo.id, "configure", [&] { return Impl::configure(s); });
    }
    Result<void> start() override {
        return guard(kInfo.id, "start", [&] { return Impl::start(); });
    }
    Result<void> stop() override {
        return guard(kInfo.id, "stop", [&] { return Impl::stop(); });
    }
    Result<HealthReport> health() override {
        return guard(kInfo.id, "health", [&] { return Impl::health(); });
    }
    Result<InboundBatch> parseInbound(const InboundRequest& r) override {
        return guard(kInfo.id, "parseInbound", [&] { return Impl::parseInbound(r); });
    }
    Result<PollBatch> poll(const std::string& cursor) override {
        return guard(kInfo.id, "poll", [&] { return Impl::poll(cursor); });
    }
    Result<PushReceipt> pushEvent(const Dossier& d, const Event& e) override {
        return guard(kInfo.id, "pushEvent", [&] { return Impl::pushEvent(d, e); });
    }
    Result<AttachmentContent> fetchAttachment(const Dossier& d, const Attachment& a) override {
        return guard(kInfo.id, "fetchAttachment", [&] { return Impl::fetchAttachment(d, a); });
    }
};

/// True when `Impl` declares its own `name` rather than inheriting `Base::name`: the
/// member pointer's class then differs.
#define RELAIS_OVERRIDES(Impl, Base, name) \
    (!std::is_same_v<decltype(&Impl::name), decltype(&Base::name)>)

template <typename Impl>
constexpr std::uint32_t operationsOf() {
    std::uint32_t ops = 0;
    if constexpr (RELAIS_OVERRIDES(Impl, Component, health)) ops |= operation::kHealth;
    if constexpr (std::is_base_of_v<Connector, Impl>) {
        if constexpr (RELAIS_OVERRIDES(Impl, Connector, deliver)) ops |= operation::kDeliver;
        if constexpr (RELAIS_OVERRIDES(Impl, Connector, poll)) ops |= operation::kPoll;
        if constexpr (RELAIS_OVERRIDES(Impl, Connector, fetchAttributes)) {
            ops |= operation::kFetchAttributes;
        }
        if constexpr (RELAIS_OVERRIDES(Impl, Connector, callEndpoint)) {
            ops |= operation::kEndpoints;
        }
    } else {
        if constexpr (RELAIS_OVERRIDES(Impl, PortalAdapter, parseInbound)) {
            ops |= operation::kParseInbound;
        }
        if constexpr (RELAIS_OVERRIDES(Impl, PortalAdapter, poll)) ops |= operation::kPoll;
        if constexpr (RELAIS_OVERRIDES(Impl, PortalAdapter, pushEvent)) {
            ops |= operation::kPushEvent;
        }
        if constexpr (RELAIS_OVERRIDES(Impl, PortalAdapter, fetchAttachment)) {
            ops |= operation::kFetchAttachment;
        }
    }
    return ops;
}

template <typename Impl, const PluginInfo& kInfo>
using ShimOf = std::conditional_t<std::is_base_of_v<Connector, Impl>, ConnectorShim<Impl, kInfo>,
                                  AdapterShim<Impl, kInfo>>;

template <typename Impl, const PluginInfo& kInfo>
Component* create(Host* host, Error* error) noexcept {
    try {
        return new ShimOf<Impl, kInfo>(*host);
    } catch (const std::exception& e) {
        *error = fail(ErrorCode::Internal,
                      std::string("plugin '") + kInfo.id + "' threw in create: " + e.what());
    } catch (...) {
        *error = fail(ErrorCode::Internal,
                      std::string("plugin '") + kInfo.id + "' threw in create: unknown exception");
    }
    return nullptr;
}

template <typename Impl, const PluginInfo& kInfo>
void destroy(Component* component) noexcept {
    // The destructor of a plugin object must not throw; if it does, terminate is the
    // honest outcome (the object is half-destroyed).
    delete static_cast<ShimOf<Impl, kInfo>*>(component);
}

template <typename Impl, const PluginInfo& kInfo>
constexpr relais_plugin_descriptor makeDescriptor() {
    static_assert(std::is_base_of_v<Connector, Impl> || std::is_base_of_v<PortalAdapter, Impl>,
                  "a plugin class derives from relais::sdk::Connector or PortalAdapter");
    return relais_plugin_descriptor{
        kAbiVersion,
        RELAIS_TOOLCHAIN_FINGERPRINT,
        std::is_base_of_v<Connector, Impl> ? PluginKind::Connector : PluginKind::Adapter,
        kInfo.id,
        kInfo.version,
        kInfo.summary,
        kInfo.config_keys.data(),
        static_cast<std::uint32_t>(kInfo.config_keys.size()),
        kInfo.endpoints.data(),
        static_cast<std::uint32_t>(kInfo.endpoints.size()),
        operationsOf<Impl>(),
        kInfo.flags,
        &create<Impl, kInfo>,
        &destroy<Impl, kInfo>,
    };
}

}  // namespace detail
}  // namespace relais::sdk

/// Exports `Impl` as this library's plugin. Use once per library, at global scope.
#define RELAIS_PLUGIN(Impl, info)                                   \
    namespace relais_plugin_detail {                                \
    constexpr ::relais::sdk::PluginInfo kPluginInfo = info;         \
    constexpr relais_plugin_descriptor kPluginDescriptor =          \
        ::relais::sdk::detail::makeDescriptor<Impl, kPluginInfo>(); \
    }                                                               \
    BOOST_DLL_ALIAS(relais_plugin_detail::kPluginDescriptor, relais_plugin)
