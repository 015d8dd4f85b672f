// SPDX-License-Identifier: AGPL-3.0-or-later
// Config: delivery workers, retry policies, poll intervals, inboxes, synchronous routes.
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "relais/common/errors.h"
#include "relais/config/config.h"

#include "support/daemon.h"
#include "support/temp_dir.h"

namespace relais::config {
namespace {

using ::testing::HasSubstr;

std::string configWith(const std::string& inner) {
    return test::wrapConfig("<store path=\"var/relais.db\"/>\n<plugins directory=\"p\"/>\n" +
                            inner);
}

class DeliveryConfigTest : public ::testing::Test {
protected:
    std::shared_ptr<const Config> load(const std::string& xml) {
        return loadConfig(dir_.write("relais.xml", xml));
    }
    std::string errorOf(const std::string& xml) {
        try {
            load(xml);
        } catch (const ConfigError& error) {
            return error.message();
        }
        ADD_FAILURE() << "loaded without error:\n" << xml;
        return {};
    }
    test::TempDir dir_;
};

TEST_F(DeliveryConfigTest, DefaultsWithoutADeliveryElement) {
    const auto config = load(configWith(""));
    EXPECT_EQ(config->delivery.workers, 4);
    EXPECT_EQ(config->delivery.batch, 16);
    EXPECT_EQ(config->delivery.lease_ms, 300'000);
    EXPECT_EQ(config->delivery.max_attachment_bytes, 20U * 1024 * 1024);
}

TEST_F(DeliveryConfigTest, ReadsDeliveryRetryAndPollSettings) {
    const auto config = load(configWith(
        "<delivery workers=\"8\" batch=\"32\" lease=\"2m\" idle-poll=\"250ms\" "
        "max-attachment=\"5MiB\" attachment-timeout=\"10s\"/>\n"
        "<connectors>\n"
        "  <connector name=\"ged\" plugin=\"rest\" poll-interval=\"5s\">\n"
        "    <param name=\"url\">http://127.0.0.1:9/</param>\n"
        "    <retry initial=\"1s\" multiplier=\"1.5\" max=\"10m\" give-up-after=\"30d\"/>\n"
        "  </connector>\n"
        "  <inbox name=\"etat-civil\"/>\n"
        "</connectors>\n"
        "<routes>\n"
        "  <route name=\"a\" procedure=\"p\" connector=\"ged\" mode=\"sync\" "
        "on-sync-failure=\"dead\" response-mapping=\"answer.xml\"/>\n"
        "  <route name=\"b\" procedure=\"p\" connector=\"etat-civil\"/>\n"
        "</routes>\n"));
    EXPECT_EQ(config->delivery.workers, 8);
    EXPECT_EQ(config->delivery.batch, 32);
    EXPECT_EQ(config->delivery.lease_ms, 120'000);
    EXPECT_EQ(config->delivery.idle_poll_ms, 250);
    EXPECT_EQ(config->delivery.max_attachment_bytes, 5U * 1024 * 1024);
    EXPECT_EQ(config->delivery.attachment_timeout_ms, 10'000);
    const InstanceConfig* ged = config->findInstance("ged");
    ASSERT_NE(ged, nullptr);
    EXPECT_EQ(ged->poll_interval_ms, 5'000);
    EXPECT_EQ(ged->retry.initial_ms, 1'000);
    EXPECT_DOUBLE_EQ(ged->retry.multiplier, 1.5);
    EXPECT_EQ(ged->retry.max_ms, 600'000);
    EXPECT_EQ(ged->retry.give_up_after_ms, 30LL * 24 * 3'600'000);  // longer than 24 days
    ASSERT_EQ(config->inboxes.size(), 1U);
    EXPECT_EQ(config->inboxes[0].name, "etat-civil");
    ASSERT_EQ(config->routes.size(), 2U);
    EXPECT_EQ(config->routes[0].on_sync_failure, "dead");
    EXPECT_EQ(config->routes[0].response_mapping, dir_.file("answer.xml"));
    EXPECT_EQ(config->routes[1].connector, "etat-civil");
}

TEST_F(DeliveryConfigTest, SyncOptionsNeedASyncRoute) {
    EXPECT_THAT(errorOf(configWith("<connectors><connector name=\"c\" plugin=\"rest\"/>"
                                   "</connectors>\n<routes>\n<route name=\"r\" procedure=\"p\" "
                                   "connector=\"c\" on-sync-failure=\"dead\"/>\n</routes>\n")),
                HasSubstr("apply to mode=\"sync\" routes only"));
}

TEST_F(DeliveryConfigTest, AnInboxCannotBeSynchronous) {
    EXPECT_THAT(errorOf(configWith("<connectors><inbox name=\"box\"/></connectors>\n<routes>\n"
                                   "<route name=\"r\" procedure=\"p\" connector=\"box\" "
                                   "mode=\"sync\"/>\n</routes>\n")),
                HasSubstr("an inbox cannot be delivered synchronously"));
}

TEST_F(DeliveryConfigTest, InboxNamesShareTheInstanceNamespace) {
    const std::string message =
        errorOf(configWith("<connectors>\n<connector name=\"x\" plugin=\"rest\"/>\n"
                           "<inbox name=\"x\"/>\n</connectors>\n"));
    EXPECT_THAT(message,
                HasSubstr(":7: inbox 'x': the name is already used by the connector at line 6"));
}

TEST_F(DeliveryConfigTest, RetryIsGivenOnceWithSaneValues) {
    EXPECT_THAT(errorOf(configWith("<connectors><connector name=\"c\" plugin=\"rest\">\n"
                                   "<retry initial=\"1s\"/>\n<retry initial=\"2s\"/>\n"
                                   "</connector></connectors>\n")),
                HasSubstr("element 'retry' given twice"));
    EXPECT_THAT(errorOf(configWith("<connectors><connector name=\"c\" plugin=\"rest\">\n"
                                   "<retry initial=\"10m\" max=\"1m\"/>\n"
                                   "</connector></connectors>\n")),
                HasSubstr("'max' is shorter than 'initial'"));
    EXPECT_THAT(errorOf(configWith("<connectors><connector name=\"c\" plugin=\"rest\">\n"
                                   "<retry multiplier=\"0.5\"/>\n</connector></connectors>\n")),
                HasSubstr("multiplier"));
}

TEST_F(DeliveryConfigTest, BadDeliveryValuesAreRefused) {
    EXPECT_THAT(errorOf(configWith("<delivery workers=\"0\"/>\n")), HasSubstr("workers"));
    EXPECT_THAT(errorOf(configWith("<delivery max-attachment=\"0\"/>\n")),
                HasSubstr("max-attachment"));
}

TEST_F(DeliveryConfigTest, AttachmentHostsAreReadAsWritten) {
    EXPECT_TRUE(load(configWith(""))->delivery.attachment_hosts.empty());
    const auto config =
        load(configWith("<delivery attachment-hosts=\"portal.example.fr  *.ged.example.fr:8443\n"
                        "    [2001:db8::1]:443 192.0.2.7 portal.example.fr\"/>\n"));
    EXPECT_EQ(config->delivery.attachment_hosts,
              (std::vector<std::string>{"portal.example.fr", "*.ged.example.fr:8443",
                                        "[2001:db8::1]:443", "192.0.2.7"}));
}

TEST_F(DeliveryConfigTest, BadAttachmentHostIsRefusedWithItsLine) {
    const std::string error =
        errorOf(configWith("\n<delivery workers=\"2\"\n"
                           "          attachment-hosts=\"portal.example.fr portal.*.fr\"/>\n"));
    // The element starts on line 6; the message names the attribute and the bad pattern.
    EXPECT_THAT(error, HasSubstr("relais.xml:6: element 'delivery', attribute "
                                 "'attachment-hosts': 'portal.*.fr': '*' is only accepted"));
    EXPECT_THAT(
        errorOf(configWith("<delivery attachment-hosts=\"https://portal.example.fr/\"/>\n")),
        HasSubstr("relais.xml:5: element 'delivery', attribute 'attachment-hosts': "
                  "'https://portal.example.fr/': write a host, not a URL"));
    EXPECT_THAT(errorOf(configWith("<delivery attachment-hosts=\"user@portal.example.fr\"/>\n")),
                HasSubstr("'attachment-hosts': 'user@portal.example.fr'"));
    EXPECT_THAT(errorOf(configWith("<delivery attachment-hosts=\"2001:db8::1\"/>\n")),
                HasSubstr("written in brackets"));
    EXPECT_THAT(errorOf(configWith("<delivery attachment-hosts=\"portal.example.fr:0\"/>\n")),
                HasSubstr("the port must be a number from 1 to 65535"));
}

TEST_F(DeliveryConfigTest, EmptyAttachmentHostsIsRefused) {
    // Read as "no restriction", an empty list would mean the opposite of what was written.
    EXPECT_THAT(errorOf(configWith("<delivery attachment-hosts=\" \"/>\n")),
                HasSubstr("relais.xml:5: element 'delivery', attribute 'attachment-hosts': empty"));
}

}  // namespace
}  // namespace relais::config
