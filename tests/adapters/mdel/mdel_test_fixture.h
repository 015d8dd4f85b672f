// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "relais/common/errors.h"
#include "relais/plugin/instance.h"
#include "relais/sdk/host.h"
#include "relais/sdk/plugin.h"

#include "config_keys.h"
#include "delivery_zips.h"
#include "mdel_adapter.h"
#include "plugins/support/instance_config.h"
#include "support/test_host.h"

/// @file
/// The MDEL adapter with the real host services, its inbox, outbox and archive in a
/// temporary directory.

namespace relais::adapters::mdel::test {

inline constexpr sdk::PluginInfo kTestInfo{
    .id = "mdel",
    .version = "1.0.0",
    .summary = "MDEL adapter (logic tests)",
    .config_keys = kConfigKeys,
    .endpoints = {},
    .flags = sdk::plugin_flag::kReentrant | sdk::plugin_flag::kPersonalData};
inline constexpr relais_plugin_descriptor kDescriptor =
    sdk::detail::makeDescriptor<MdelAdapter, kTestInfo>();

using Params = std::vector<std::pair<std::string, std::string>>;

class MdelAdapterTest : public ::testing::Test {
protected:
    MdelAdapterTest() {
        for (const char* folder : {"inbox", "outbox", "archive"}) {
            std::filesystem::create_directories(services_.dir().file(folder));
        }
        host_ = services_.host("service-public");
        adapter_ = std::make_unique<MdelAdapter>(*host_);
    }

    std::string dir(const std::string& name) const { return services_.dir().file(name); }

    Params defaults() const {
        return {{"inbox", dir("inbox")},
                {"outbox", dir("outbox")},
                {"archive", dir("archive")},
                {"procedures", "DAUA:declaration-travaux"}};
    }

    sdk::Result<void> tryConfigure(const Params& changes) {
        Params params = defaults();
        for (const auto& [name, value] : changes) {
            auto same = [&](const auto& p) { return p.first == name; };
            auto it = std::find_if(params.begin(), params.end(), same);
            if (it != params.end()) {
                it->second = value;
            } else {
                params.emplace_back(name, value);
            }
        }
        try {
            return adapter_->configure(plugin::validateSettings(
                kDescriptor,
                relais::test::instanceConfig("service-public", "mdel", params,
                                             services_.dir().file("relais.xml")),
                services_.dir().path()));
        } catch (const ConfigError& e) {
            return sdk::fail(sdk::ErrorCode::InvalidArgument, e.message());
        }
    }

    void configure(const Params& changes = {}) {
        auto configured = tryConfigure(changes);
        ASSERT_TRUE(configured) << configured.error().message;
    }

    /// Drops `bytes` in the inbox as the transfer agent would.
    void drop(const std::string& name, const std::string& bytes) const {
        (void)services_.dir().write("inbox/" + name, bytes);
    }

    /// A DAUA delivery: the fixture's envelope as message.xml and its files.
    static std::string dauaZip(const std::string& envelope = dauaEnvelope()) {
        Files files{{"message.xml", envelope}};
        for (auto& file : dauaFiles()) files.push_back(std::move(file));
        return zipOf(files);
    }

    sdk::PollBatch pollOk(const std::string& cursor) {
        auto batch = adapter_->poll(cursor);
        EXPECT_TRUE(batch) << batch.error().message;
        return batch ? std::move(batch).value() : sdk::PollBatch{};
    }

    relais::test::TestServices services_;
    std::unique_ptr<sdk::Host> host_;
    std::unique_ptr<MdelAdapter> adapter_;
};

}  // namespace relais::adapters::mdel::test
