// SPDX-License-Identifier: AGPL-3.0-or-later
// Instances and the instance manager: lifecycle order, the shims around every call (declared
// operations, serialization, exceptions contained) and the start-up errors.

#include "relais/plugin/instance.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <Poco/Exception.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "relais/common/errors.h"
#include "relais/plugin/library.h"

#include "core/plugin/host_services.h"

namespace relais::plugin {
namespace {

using test::fixturePath;
using test::HostServices;
using test::instanceConfig;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Params = std::vector<std::pair<std::string, std::string>>;

class InstanceTest : public ::testing::Test {
protected:
    // Loads the fixture library `name` (lib<name>.so) and returns its entry.
    const Library& load(const std::string& name) {
        if (!registry_.loadFile(fixturePath(name))) {
            throw std::runtime_error(registry_.failures().back().reason);
        }
        return registry_.libraries().back();
    }

    // A configured instance of `library`.
    std::unique_ptr<Instance> configured(const Library& library, const std::string& name,
                                         const Params& params = {{"name", "n"}}) {
        const auto config = instanceConfig(name, std::string(library.id()), params);
        auto instance = std::make_unique<Instance>(library, config, host_.services());
        const auto settings = validateSettings(*library.descriptor, config, "/etc/relais");
        const auto result = instance->configure(settings);
        EXPECT_TRUE(result) << result.error().message;
        return instance;
    }

    std::unique_ptr<Instance> started(const Library& library, const std::string& name,
                                      const Params& params = {{"name", "n"}}) {
        auto instance = configured(library, name, params);
        const auto result = instance->start();
        EXPECT_TRUE(result) << result.error().message;
        return instance;
    }

    static sdk::Delivery delivery(std::string payload) {
        sdk::Delivery d;
        d.payload = std::move(payload);
        return d;
    }

    HostServices host_;
    Registry registry_;
};

TEST_F(InstanceTest, RunsTheLifecycleInOrderAndDestroysBeforeItsHost) {
    const Library& good = load("fixture_good");
    {
        auto instance = started(good, "orders", {{"name", "orders"}});
        EXPECT_EQ(instance->name(), "orders");
        EXPECT_EQ(instance->pluginId(), "fixture-good");
        EXPECT_EQ(instance->kind(), sdk::PluginKind::Connector);
        EXPECT_EQ(instance->libraryPath(), fixturePath("fixture_good"));
        EXPECT_EQ(instance->where().line, 10);
        auto receipt = instance->deliver(delivery("d-1"));
        ASSERT_TRUE(receipt) << receipt.error().message;
        EXPECT_EQ(receipt->business_id, "orders:d-1");
        auto health = instance->health();
        ASSERT_TRUE(health);
        EXPECT_EQ(health->detail, "fixture-good orders");
        EXPECT_TRUE(instance->stop());
        EXPECT_TRUE(instance->stop());  // idempotent: the plugin sees one stop
    }
    // "destroy" is logged by the plugin's destructor through its host: the host was alive.
    EXPECT_THAT(host_.lifecycleOf("orders"),
                ElementsAre("create", "configure", "start", "stop", "destroy"));
}

TEST_F(InstanceTest, DestructorStopsAStartedInstance) {
    const Library& good = load("fixture_good");
    { auto instance = started(good, "left-running"); }
    EXPECT_THAT(host_.lifecycleOf("left-running"),
                ElementsAre("create", "configure", "start", "stop", "destroy"));
}

TEST_F(InstanceTest, DestroysAnInstanceThatWasNeverStartedWithoutStoppingIt) {
    const Library& good = load("fixture_good");
    { auto instance = configured(good, "idle"); }
    EXPECT_THAT(host_.lifecycleOf("idle"), ElementsAre("create", "configure", "destroy"));
}

TEST_F(InstanceTest, RefusesCallsOutOfLifecycleOrder) {
    const Library& good = load("fixture_good");
    const auto config = instanceConfig("early", "fixture-good", {{"name", "n"}});
    Instance instance(good, config, host_.services());
    auto early_start = instance.start();
    ASSERT_FALSE(early_start);
    EXPECT_EQ(early_start.error().code, sdk::ErrorCode::Internal);
    EXPECT_EQ(early_start.error().message,
              "instance 'early': start called while the instance is created");
    auto early_deliver = instance.deliver(delivery("x"));
    ASSERT_FALSE(early_deliver);
    EXPECT_EQ(early_deliver.error().code, sdk::ErrorCode::Unavailable);
    EXPECT_EQ(early_deliver.error().message, "instance 'early' is created, not started");
    auto early_health = instance.health();
    ASSERT_FALSE(early_health);
    EXPECT_EQ(early_health.error().code, sdk::ErrorCode::Unavailable);

    ASSERT_TRUE(instance.configure(validateSettings(*good.descriptor, config, "/")));
    auto again = instance.configure(validateSettings(*good.descriptor, config, "/"));
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().message,
              "instance 'early': configure called while the instance is configured");
    ASSERT_TRUE(instance.start());
    ASSERT_TRUE(instance.stop());
    auto late = instance.deliver(delivery("x"));
    ASSERT_FALSE(late);
    EXPECT_EQ(late.error().message, "instance 'early' is stopped, not started");
    EXPECT_FALSE(instance.start());
    EXPECT_THAT(host_.lifecycleOf("early"), ElementsAre("create", "configure", "start", "stop"));
}

TEST_F(InstanceTest, AnswersUnsupportedForAnUndeclaredOperation) {
    auto instance = started(load("fixture_good"), "narrow");
    EXPECT_TRUE(instance->supports(sdk::operation::kDeliver));
    EXPECT_FALSE(instance->supports(sdk::operation::kPoll));
    auto poll = instance->poll("");
    ASSERT_FALSE(poll);
    EXPECT_EQ(poll.error().code, sdk::ErrorCode::Unsupported);
    EXPECT_EQ(poll.error().message,
              "plugin 'fixture-good' (instance 'narrow') does not support poll");
    auto attributes = instance->fetchAttributes({});
    ASSERT_FALSE(attributes);
    EXPECT_THAT(attributes.error().message, HasSubstr("does not support fetchAttributes"));
    auto endpoint = instance->callEndpoint({});
    ASSERT_FALSE(endpoint);
    EXPECT_THAT(endpoint.error().message, HasSubstr("does not support callEndpoint"));
    auto inbound = instance->parseInbound({});
    ASSERT_FALSE(inbound);
    EXPECT_EQ(inbound.error().code, sdk::ErrorCode::Unsupported);
    EXPECT_THAT(inbound.error().message, HasSubstr("does not support parseInbound"));
    EXPECT_FALSE(instance->pushEvent({}, {}));
    EXPECT_FALSE(instance->fetchAttachment({}, {}));
}

TEST_F(InstanceTest, DispatchesAdapterOperationsAndRefusesConnectorOnes) {
    auto instance = started(load("fixture_adapter"), "portal", {});
    EXPECT_EQ(instance->kind(), sdk::PluginKind::Adapter);
    sdk::InboundRequest request;
    request.body = "dossier-17";
    auto batch = instance->parseInbound(request);
    ASSERT_TRUE(batch) << batch.error().message;
    ASSERT_EQ(batch->dossiers.size(), 1U);
    EXPECT_EQ(batch->dossiers[0].source_key, "dossier-17");
    auto deliver = instance->deliver(delivery("x"));
    ASSERT_FALSE(deliver);
    EXPECT_EQ(deliver.error().message,
              "plugin 'fixture-adapter' (instance 'portal') does not support deliver");
    auto poll = instance->poll("");
    ASSERT_FALSE(poll);
    EXPECT_EQ(poll.error().code, sdk::ErrorCode::Unsupported);
}

TEST_F(InstanceTest, HealthOfAPluginWithoutHealthCheckIsReadinessAlone) {
    auto instance = started(load("fixture_adapter"), "portal", {});
    auto health = instance->health();
    ASSERT_TRUE(health) << health.error().message;
    EXPECT_TRUE(health->healthy);
    EXPECT_EQ(health->detail, "no health check");
}

TEST_F(InstanceTest, RefusesACreateThatThrowsWithThePluginsMessage) {
    const Library& library = load("fixture_throwing_create");
    try {
        Instance instance(library, instanceConfig("doomed", "fixture-throwing-create", {}, 21),
                          host_.services());
        FAIL() << "created";
    } catch (const PluginError& e) {
        EXPECT_EQ(e.message(),
                  "/etc/relais/relais.xml:21: instance 'doomed' (plugin "
                  "'fixture-throwing-create'): create failed: plugin 'fixture-throwing-create' "
                  "threw in create: licence file /etc/fixture.lic is missing");
    }
}

TEST_F(InstanceTest, RefusesAnObjectOfTheWrongKind) {
    const Library& library = load("fixture_kind_mismatch");
    try {
        Instance instance(library, instanceConfig("odd", "fixture-kind-mismatch"),
                          host_.services());
        FAIL() << "created";
    } catch (const PluginError& e) {
        EXPECT_EQ(e.message(),
                  "/etc/relais/relais.xml:10: instance 'odd' (plugin "
                  "'fixture-kind-mismatch'): the descriptor says connector, but "
                  "create made no relais::sdk::Connector");
    }
}

TEST_F(InstanceTest, TheSdkShimTurnsAThrowingOperationIntoAnError) {
    auto instance = started(load("fixture_throwing_operation"), "fragile", {});
    auto receipt = instance->deliver(delivery("x"));
    ASSERT_FALSE(receipt);
    EXPECT_EQ(receipt.error().code, sdk::ErrorCode::Internal);
    EXPECT_EQ(receipt.error().message,
              "plugin 'fixture-throwing-operation' threw in deliver: boom");
    auto health = instance->health();
    ASSERT_FALSE(health);
    EXPECT_EQ(health.error().message,
              "plugin 'fixture-throwing-operation' threw in health: unknown exception");
}

TEST_F(InstanceTest, TheHostContainsAnExceptionThatBypassedTheSdkShim) {
    auto instance = started(load("fixture_raw_throwing"), "raw", {});
    for (int i = 0; i < 3; ++i) {  // and the instance stays usable afterwards
        auto receipt = instance->deliver(delivery("x"));
        ASSERT_FALSE(receipt);
        EXPECT_EQ(receipt.error().code, sdk::ErrorCode::Internal);
        EXPECT_EQ(receipt.error().message,
                  "plugin 'fixture-raw-throwing' (instance 'raw') threw in deliver: boom");
    }
    auto health = instance->health();
    ASSERT_FALSE(health);
    EXPECT_EQ(health.error().message,
              "plugin 'fixture-raw-throwing' (instance 'raw') threw in health: unknown exception");
}

// Runs `calls` deliveries of `payload` on each of `threads` threads at once; returns every
// receipt's display_id (the plugin's highest concurrency so far) and business_id.
std::vector<sdk::DeliveryReceipt> deliverConcurrently(Instance& instance, int threads, int calls,
                                                      const std::string& payload) {
    std::vector<std::vector<sdk::DeliveryReceipt>> per_thread(static_cast<std::size_t>(threads));
    std::atomic<int> ready{0};
    std::vector<std::thread> workers;
    workers.reserve(static_cast<std::size_t>(threads));
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            // Start together, so that the calls really compete.
            ready.fetch_add(1);
            while (ready.load() < threads) std::this_thread::yield();
            for (int i = 0; i < calls; ++i) {
                sdk::Delivery d;
                d.payload = payload;
                auto receipt = instance.deliver(d);
                if (receipt) per_thread[static_cast<std::size_t>(t)].push_back(*receipt);
            }
        });
    }
    for (auto& worker : workers) worker.join();
    std::vector<sdk::DeliveryReceipt> all;
    for (auto& receipts : per_thread) all.insert(all.end(), receipts.begin(), receipts.end());
    return all;
}

TEST_F(InstanceTest, SerializesTheOperationsOfANonReentrantPlugin) {
    auto instance = started(load("fixture_good"), "serial");
    const auto receipts = deliverConcurrently(*instance, 4, 50, "linger");
    ASSERT_EQ(receipts.size(), 200U);
    for (const auto& receipt : receipts) EXPECT_EQ(receipt.display_id, "1");
    // Two calls that would wait for each other inside the plugin never meet.
    const auto rendezvous = deliverConcurrently(*instance, 2, 1, "rendezvous");
    ASSERT_EQ(rendezvous.size(), 2U);
    for (const auto& receipt : rendezvous) EXPECT_EQ(receipt.business_id, "alone");
}

TEST_F(InstanceTest, LetsAReentrantPluginRunOperationsConcurrently) {
    // The control experiment for the test above: same plugin code, declared reentrant.
    auto instance = started(load("fixture_reentrant"), "parallel");
    const auto rendezvous = deliverConcurrently(*instance, 2, 1, "rendezvous");
    ASSERT_EQ(rendezvous.size(), 2U);
    for (const auto& receipt : rendezvous) {
        EXPECT_EQ(receipt.business_id, "overlapped");
        EXPECT_EQ(receipt.display_id, "2");
    }
}

// --- InstanceManager ---------------------------------------------------------------------

class InstanceManagerTest : public InstanceTest {
protected:
    InstanceManagerTest() {
        registry_.loadDirectory(test::fixtureDirectory());
        config_.path = "/etc/relais/relais.xml";
        config_.base_dir = "/etc/relais";
        config_.plugin_directory = "/usr/lib/relais/plugins";
    }

    void add(const std::string& name, const std::string& plugin, const Params& params,
             config::InstanceKind kind = config::InstanceKind::Connector) {
        config_.instances.push_back(instanceConfig(
            name, plugin, params, 10 + 10 * static_cast<int>(config_.instances.size()), kind));
    }

    template <typename E>
    std::string errorOf(InstanceManager& manager) {
        try {
            manager.createAll(config_);
        } catch (const E& e) {
            return e.message();
        }
        ADD_FAILURE() << "createAll succeeded";
        return {};
    }

    config::Config config_;
};

TEST_F(InstanceManagerTest, StartsInConfigOrderAndStopsThenDestroysInReverse) {
    add("first", "fixture-good", {{"name", "a"}});
    add("second", "fixture-good", {{"name", "b"}});
    add("portal", "fixture-adapter", {}, config::InstanceKind::Adapter);
    {
        InstanceManager manager(registry_, host_.services());
        manager.createAll(config_);
        ASSERT_EQ(manager.instances().size(), 3U);
        EXPECT_EQ(manager.find("portal")->kind(), sdk::PluginKind::Adapter);
        EXPECT_EQ(manager.find("missing"), nullptr);
        manager.startAll();
        auto receipt = manager.find("second")->deliver(delivery("x"));
        ASSERT_TRUE(receipt);
        EXPECT_EQ(receipt->business_id, "b:x");
    }
    using Step = std::pair<std::string, std::string>;
    EXPECT_THAT(
        host_.lifecycle(),
        ElementsAre(Step{"first", "create"}, Step{"first", "configure"}, Step{"second", "create"},
                    Step{"second", "configure"}, Step{"first", "start"}, Step{"second", "start"},
                    Step{"second", "stop"}, Step{"first", "stop"}, Step{"second", "destroy"},
                    Step{"first", "destroy"}));
}

TEST_F(InstanceManagerTest, RefusesAnUnknownPluginListingWhatIsAvailable) {
    add("orders", "rest", {});
    InstanceManager manager(registry_, host_.services());
    const std::string message = errorOf<ConfigError>(manager);
    EXPECT_THAT(message, HasSubstr("/etc/relais/relais.xml:10: instance 'orders': no plugin 'rest' "
                                   "in /usr/lib/relais/plugins (available: fixture-adapter, "
                                   "fixture-good, fixture-kind-mismatch, "));
    EXPECT_THAT(message, HasSubstr("; refused: "));
    EXPECT_THAT(message, HasSubstr("libfixture_wrong_abi.so"));
}

TEST_F(InstanceManagerTest, RefusesAConnectorDeclaredAsAnAdapter) {
    add("orders", "fixture-good", {{"name", "x"}}, config::InstanceKind::Adapter);
    InstanceManager manager(registry_, host_.services());
    EXPECT_EQ(errorOf<ConfigError>(manager),
              "/etc/relais/relais.xml:10: instance 'orders': plugin 'fixture-good' is a "
              "connector, it cannot be declared as <adapter>");
    config_.instances.clear();
    add("portal", "fixture-adapter", {}, config::InstanceKind::Connector);
    EXPECT_EQ(errorOf<ConfigError>(manager),
              "/etc/relais/relais.xml:10: instance 'portal': plugin 'fixture-adapter' is an "
              "adapter, it cannot be declared as <connector>");
}

TEST_F(InstanceManagerTest, RefusesInvalidSettings) {
    add("orders", "fixture-good", {{"name", "x"}, {"count", "many"}});
    InstanceManager manager(registry_, host_.services());
    EXPECT_EQ(errorOf<ConfigError>(manager),
              "/etc/relais/relais.xml:12: instance 'orders' (plugin 'fixture-good'): key 'count' "
              "must be an integer, got 'many'");
}

TEST_F(InstanceManagerTest, ReportsARefusedConfigurationAtTheKeysLineAndUndoes) {
    add("first", "fixture-good", {{"name", "fine"}});
    add("second", "fixture-good", {{"count", "2"}, {"name", "refuse"}});
    InstanceManager manager(registry_, host_.services());
    EXPECT_EQ(errorOf<ConfigError>(manager),
              "/etc/relais/relais.xml:22: instance 'second' (plugin 'fixture-good') refused its "
              "configuration: key 'name': the name 'refuse' is not accepted");
    EXPECT_TRUE(manager.instances().empty());
    EXPECT_THAT(host_.lifecycleOf("first"), ElementsAre("create", "configure", "destroy"));
    EXPECT_THAT(host_.lifecycleOf("second"), ElementsAre("create", "configure", "destroy"));
    // A failed createAll leaves the manager usable.
    config_.instances.pop_back();
    manager.createAll(config_);
    EXPECT_EQ(manager.instances().size(), 1U);
    EXPECT_THROW(manager.createAll(config_), Poco::IllegalStateException);
}

TEST_F(InstanceManagerTest, ReportsAFailedCreate) {
    add("doomed", "fixture-throwing-create", {});
    InstanceManager manager(registry_, host_.services());
    EXPECT_THAT(errorOf<PluginError>(manager),
                HasSubstr("/etc/relais/relais.xml:10: instance 'doomed' (plugin "
                          "'fixture-throwing-create'): create failed: "));
}

TEST_F(InstanceManagerTest, RefusesADuplicateInstanceName) {
    add("orders", "fixture-good", {{"name", "x"}});
    add("orders", "fixture-good", {{"name", "y"}});
    InstanceManager manager(registry_, host_.services());
    EXPECT_EQ(errorOf<ConfigError>(manager),
              "/etc/relais/relais.xml:20: instance 'orders' is declared twice");
}

TEST_F(InstanceManagerTest, AFailedStartStopsWhatWasStartedAndNothingElse) {
    add("first", "fixture-good", {{"name", "a"}});
    add("second", "fixture-good", {{"name", "b"}, {"mode", "refuse-start"}});
    add("third", "fixture-good", {{"name", "c"}});
    InstanceManager manager(registry_, host_.services());
    manager.createAll(config_);
    try {
        manager.startAll();
        FAIL() << "started";
    } catch (const PluginError& e) {
        EXPECT_EQ(e.message(),
                  "/etc/relais/relais.xml:20: instance 'second' (plugin "
                  "'fixture-good') failed to start: mode refuse-start: not starting");
    }
    using Step = std::pair<std::string, std::string>;
    auto steps = host_.lifecycle();
    steps.erase(std::remove_if(
                    steps.begin(), steps.end(),
                    [](const Step& s) { return s.second == "create" || s.second == "configure"; }),
                steps.end());
    EXPECT_THAT(steps, ElementsAre(Step{"first", "start"}, Step{"second", "start"},
                                   Step{"second", "stop"}, Step{"first", "stop"}));
}

}  // namespace
}  // namespace relais::plugin
