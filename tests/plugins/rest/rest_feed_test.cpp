// SPDX-License-Identifier: AGPL-3.0-or-later
// Logic tests of the REST connector's status feed (poll) against a real HTTP server on
// 127.0.0.1 standing in for a business application that does not push its decisions.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "relais/common/errors.h"
#include "relais/config/config.h"
#include "relais/plugin/instance.h"
#include "relais/plugin/library.h"
#include "relais/sdk/host.h"
#include "relais/sdk/plugin.h"

#include "plugins/support/instance_config.h"
#include "rest_feed_connector.h"
#include "rest_test_descriptor.h"
#include "support/mock_http_server.h"
#include "support/test_host.h"

namespace relais::plugins::rest {
namespace {

using sdk::ErrorCode;
using test::MockResponse;
using test::ReceivedRequest;
using Params = std::vector<std::pair<std::string, std::string>>;

constexpr const relais_plugin_descriptor& kFeedDescriptor = kRestTestDescriptor<RestFeedConnector>;

constexpr const char* kToken = "tok-feed-secret-bearer-value";

// The feed of an application: two decisions, the next cursor in `next`.
const std::string kFeed = R"({"next": "2026-12-01T10:00:00Z", "decisions": [
  {"dossier": {"ref": "BO-42"}, "code": "ACC", "libelle": "Accordé", "id": "d-1",
   "motif": "Inscription acceptée.", "date": "2026-12-01T09:00:00+01:00", "rev": 3},
  {"dossier": {"ref": 43}, "code": "INS", "date": "2026-12-01T09:30:00+01:00", "rev": 1}]})";

class RestFeedTest : public ::testing::Test {
protected:
    void SetUp() override {
        (void)services_.dir().write("secrets/token", std::string(kToken) + "\n");
        host_ = services_.host("appli-urbanisme");
        connector_ = std::make_unique<RestFeedConnector>(*host_);
    }

    sdk::Result<void> configure(Params extra = {}) {
        Params params = {
            {"url", app_.url("/api/dossiers")},
            {"status-url", app_.url("/api/decisions?since={since}")},
            {"auth", "bearer"},
            {"token", "file:" + services_.dir().file("secrets/token")},
            {"status-items", "decisions"},
            {"status-business-id", "dossier.ref"},
            {"status-value", "code"},
            {"status-sub-label", "libelle"},
            {"status-message", "motif"},
            {"status-occurred-at", "date"},
            {"status-version", "rev"},
            {"status-event-id", "id"},
            {"status-cursor", "next"},
            {"status-table", "ACC:accepted, REF:refused, INS:in_review:En instruction"}};
        for (auto& param : extra) {
            bool replaced = false;
            for (auto& [name, value] : params) {
                if (name == param.first) {
                    value = param.second;
                    replaced = true;
                }
            }
            if (!replaced) params.push_back(std::move(param));
        }
        // An empty value stands for a key left out.
        std::erase_if(params, [](const auto& param) { return param.second.empty(); });
        const config::InstanceConfig instance = test::instanceConfig(
            "appli-urbanisme", "rest", params, services_.dir().file("relais.xml"));
        try {
            return connector_->configure(
                plugin::validateSettings(kFeedDescriptor, instance, services_.dir().path()));
        } catch (const ConfigError& e) {
            return sdk::fail(ErrorCode::InvalidArgument, e.message());
        }
    }

    void feed(int status, std::string body,
              std::vector<std::pair<std::string, std::string>> headers = {}) {
        app_.setHandler([=](const ReceivedRequest&) {
            return MockResponse{status, "application/json", body, headers};
        });
    }

    test::TestServices services_;
    test::MockHttpServer app_;
    std::unique_ptr<sdk::Host> host_;
    std::unique_ptr<RestFeedConnector> connector_;
};

TEST(RestFeedDescriptor, ThePluginDeliversPollsAndChecksHealth) {
    EXPECT_EQ(plugin::validateDescriptor(kFeedDescriptor), "");
    EXPECT_EQ(kFeedDescriptor.operations,
              sdk::operation::kDeliver | sdk::operation::kHealth | sdk::operation::kPoll);
}

TEST_F(RestFeedTest, PassesTheCursorAndAdvancesItWithTheDeliveryCredentials) {
    ASSERT_TRUE(configure());
    feed(200, kFeed);
    auto batch = connector_->poll("2026-11-30T00:00:00+01:00");
    ASSERT_TRUE(batch) << batch.error().message;
    const auto requests = app_.requests();
    ASSERT_EQ(requests.size(), 1U);
    EXPECT_EQ(requests[0].method, "GET");
    EXPECT_EQ(requests[0].uri, "/api/decisions?since=2026-11-30T00%3A00%3A00%2B01%3A00");
    EXPECT_EQ(requests[0].header("Authorization"), std::string("Bearer ") + kToken);
    EXPECT_EQ(requests[0].header("Accept"), "application/json");
    EXPECT_EQ(batch->next_cursor, "2026-12-01T10:00:00Z");

    // The next poll sends the cursor the core stored.
    ASSERT_TRUE(connector_->poll(batch->next_cursor));
    EXPECT_EQ(app_.requests().back().uri, "/api/decisions?since=2026-12-01T10%3A00%3A00Z");
}

TEST_F(RestFeedTest, MapsTheApplicationsCodesToStatusChangesByBusinessId) {
    ASSERT_TRUE(configure());
    feed(200, kFeed);
    auto batch = connector_->poll("");
    ASSERT_TRUE(batch) << batch.error().message;
    ASSERT_EQ(batch->events.size(), 2U);
    const sdk::InboundEvent& accepted = batch->events[0];
    EXPECT_EQ(accepted.business_id, "BO-42");
    EXPECT_TRUE(accepted.dossier_id.empty());
    EXPECT_EQ(accepted.event.type, "status_changed");
    EXPECT_EQ(accepted.event.side, sdk::EventSide::Backoffice);
    EXPECT_TRUE(accepted.event.is_public);
    EXPECT_EQ(accepted.event.source_event_key, "d-1");
    EXPECT_EQ(accepted.event.source_version, "3");
    EXPECT_EQ(accepted.event.occurred_at.toString(), "2026-12-01T09:00:00+01:00");
    EXPECT_EQ(accepted.event.actor, "appli-urbanisme");
    EXPECT_EQ(accepted.event.payload.find("status")->asString(), "accepted");
    EXPECT_EQ(accepted.event.payload.path("sub_status.code")->asString(), "ACC");
    EXPECT_EQ(accepted.event.payload.path("sub_status.label")->asString(), "Accordé");
    EXPECT_EQ(accepted.event.payload.find("message")->asString(), "Inscription acceptée.");
    const sdk::InboundEvent& review = batch->events[1];
    EXPECT_EQ(review.business_id, "43");
    EXPECT_EQ(review.event.payload.find("status")->asString(), "in_review");
    EXPECT_EQ(review.event.payload.path("sub_status.label")->asString(), "En instruction");
    // Without an id of its own, the key is derived, the same at every reading.
    EXPECT_EQ(review.event.source_event_key.rfind("status:", 0), 0U);
    auto again = connector_->poll("");
    ASSERT_TRUE(again);
    EXPECT_EQ(again->events[1].event.source_event_key, review.event.source_event_key);
    // The first page: `since=` empty.
    EXPECT_EQ(app_.requests().front().uri, "/api/decisions?since=");
}

TEST_F(RestFeedTest, RefusesAnUnknownCodeClearlyAndKeepsTheCursor) {
    ASSERT_TRUE(configure());
    feed(200, R"({"decisions": [{"dossier": {"ref": "BO-42"}, "code": "ZZZ"}], "next": "9"})");
    auto batch = connector_->poll("5");
    ASSERT_FALSE(batch);
    EXPECT_EQ(batch.error().code, ErrorCode::Permanent);
    EXPECT_NE(batch.error().message.find("status code 'ZZZ' is not in the status table"),
              std::string::npos)
        << batch.error().message;
    EXPECT_NE(batch.error().message.find("item 0"), std::string::npos);
    EXPECT_NE(batch.error().message.find("GET http://127.0.0.1"), std::string::npos);
    // Without a query in the message.
    EXPECT_EQ(batch.error().message.find("since="), std::string::npos) << batch.error().message;
}

TEST_F(RestFeedTest, RefusesAnAnswerThatIsNotJsonOrHasNoItems) {
    ASSERT_TRUE(configure());
    feed(200, "<html>maintenance</html>");
    auto batch = connector_->poll("");
    ASSERT_FALSE(batch);
    EXPECT_EQ(batch.error().code, ErrorCode::Permanent);
    EXPECT_NE(batch.error().message.find("not JSON"), std::string::npos) << batch.error().message;

    feed(200, R"({"decisions": {"code": "ACC"}})");
    batch = connector_->poll("");
    ASSERT_FALSE(batch);
    EXPECT_NE(batch.error().message.find("no array at decisions"), std::string::npos)
        << batch.error().message;

    feed(200, R"({"decisions": [{"code": "ACC"}]})");
    batch = connector_->poll("");
    ASSERT_FALSE(batch);
    EXPECT_NE(batch.error().message.find("business id"), std::string::npos)
        << batch.error().message;
}

TEST_F(RestFeedTest, AnUnavailableFeedIsRetryableWithItsAdvice) {
    ASSERT_TRUE(configure());
    feed(503, R"({"error": "maintenance"})", {{"Retry-After", "120"}});
    auto batch = connector_->poll("");
    ASSERT_FALSE(batch);
    EXPECT_EQ(batch.error().code, ErrorCode::Retryable);
    EXPECT_EQ(batch.error().retry_after_seconds, 120);
    EXPECT_NE(batch.error().message.find("answered 503"), std::string::npos)
        << batch.error().message;

    feed(404, "{}");
    batch = connector_->poll("");
    ASSERT_FALSE(batch);
    EXPECT_EQ(batch.error().code, ErrorCode::Permanent);
}

TEST_F(RestFeedTest, AnEmptyPageKeepsTheCursorWhenTheAnswerHasNone) {
    ASSERT_TRUE(configure());
    feed(200, R"({"decisions": []})");
    auto batch = connector_->poll("7");
    ASSERT_TRUE(batch) << batch.error().message;
    EXPECT_TRUE(batch->events.empty());
    EXPECT_EQ(batch->next_cursor, "7");
}

TEST_F(RestFeedTest, WithoutAStatusUrlPollsNothing) {
    ASSERT_TRUE(configure({{"status-url", ""}}));
    auto batch = connector_->poll("c");
    ASSERT_TRUE(batch) << batch.error().message;
    EXPECT_TRUE(batch->events.empty());
    EXPECT_EQ(batch->next_cursor, "c");
    EXPECT_TRUE(app_.requests().empty());
}

TEST_F(RestFeedTest, RefusesABadFeedConfigurationNamingTheKey) {
    auto configured = configure({{"status-url", "https://{since}.example/decisions"}});
    ASSERT_FALSE(configured);
    EXPECT_EQ(configured.error().field, "status-url");
    configured = configure({{"status-url", app_.url("/d?since={since}&x={route}")}});
    ASSERT_FALSE(configured);
    EXPECT_EQ(configured.error().field, "status-url");
    configured = configure({{"status-table", "ACC:accordee"}});
    ASSERT_FALSE(configured);
    EXPECT_EQ(configured.error().field, "status-table");
    configured = configure({{"status-items", "a..b"}});
    ASSERT_FALSE(configured);
    EXPECT_EQ(configured.error().field, "status-items");
}

}  // namespace
}  // namespace relais::plugins::rest
