// SPDX-License-Identifier: AGPL-3.0-or-later
// The RELAIS_PLUGIN machinery, exercised in-process: operation bits derived from what a class
// overrides, and the shim turning exceptions into errors that name the plugin.

#include <stdexcept>

#include <gtest/gtest.h>

#include "relais/sdk/host.h"
#include "relais/sdk/plugin.h"

namespace relais::sdk {
namespace {

class DeliverOnly : public Connector {
public:
    using Connector::Connector;
    Result<DeliveryReceipt> deliver(const Delivery& /*delivery*/) override {
        throw std::runtime_error("boom");
    }
};

class InboundAndHealth : public PortalAdapter {
public:
    using PortalAdapter::PortalAdapter;
    Result<InboundBatch> parseInbound(const InboundRequest& /*request*/) override {
        return InboundBatch{};
    }
    Result<HealthReport> health() override { return HealthReport{true, "fine"}; }
};

constexpr PluginInfo kDeliverInfo{.id = "deliver-only",
                                  .version = "1.0.0",
                                  .summary = "",
                                  .config_keys = {},
                                  .endpoints = {},
                                  .flags = 0};
constexpr PluginInfo kInboundInfo{.id = "inbound",
                                  .version = "1.0.0",
                                  .summary = "",
                                  .config_keys = {},
                                  .endpoints = {},
                                  .flags = 0};

TEST(PluginMacro, DerivesOperationsFromOverrides) {
    EXPECT_EQ(detail::operationsOf<DeliverOnly>(), operation::kDeliver);
    EXPECT_EQ(detail::operationsOf<InboundAndHealth>(),
              operation::kParseInbound | operation::kHealth);
}

TEST(PluginMacro, DescriptorCarriesAbiAndFingerprintFirst) {
    constexpr auto descriptor = detail::makeDescriptor<DeliverOnly, kDeliverInfo>();
    EXPECT_EQ(descriptor.abi_version, kAbiVersion);
    EXPECT_STREQ(descriptor.fingerprint, RELAIS_TOOLCHAIN_FINGERPRINT);
    EXPECT_EQ(descriptor.kind, PluginKind::Connector);
    constexpr auto adapter = detail::makeDescriptor<InboundAndHealth, kInboundInfo>();
    EXPECT_EQ(adapter.kind, PluginKind::Adapter);
}

class NullHost final : public Host {
public:
    const std::string& instanceName() const noexcept override { return name_; }
    Logger& logger() noexcept override { std::abort(); }
    const Clock& clock() const noexcept override { std::abort(); }
    HttpClient& http() noexcept override { std::abort(); }
    Metrics& metrics() noexcept override { std::abort(); }
    const Secrets& secrets() const noexcept override { std::abort(); }
    const std::string& dataDirectory() const noexcept override { return name_; }

private:
    std::string name_ = "test";
};

TEST(PluginMacro, ShimTurnsExceptionsIntoErrorsNamingThePlugin) {
    constexpr auto descriptor = detail::makeDescriptor<DeliverOnly, kDeliverInfo>();
    NullHost host;
    Error error;
    Component* component = descriptor.create(&host, &error);
    ASSERT_NE(component, nullptr);
    auto* connector = dynamic_cast<Connector*>(component);
    ASSERT_NE(connector, nullptr);
    const auto result = connector->deliver(Delivery{});
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::Internal);
    EXPECT_EQ(result.error().message, "plugin 'deliver-only' threw in deliver: boom");
    // Operations not overridden answer Unsupported.
    EXPECT_EQ(connector->poll("").error().code, ErrorCode::Unsupported);
    descriptor.destroy(component);
}

}  // namespace
}  // namespace relais::sdk
