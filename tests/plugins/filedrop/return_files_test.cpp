// SPDX-License-Identifier: AGPL-3.0-or-later
// Logic tests of the file-drop connector's return directory, on a real directory: status
// files dropped by a legacy application become status changes addressed by business id.
#include "return_files.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "relais/sdk/host.h"

#include "file_drop.h"
#include "support/temp_dir.h"
#include "support/test_host.h"

namespace relais::plugins::filedrop {
namespace {

namespace fs = std::filesystem;

sdk::Setting setting(std::string name, sdk::ConfigType type, std::string text) {
    sdk::Setting s;
    s.name = std::move(name);
    s.type = type;
    s.text = std::move(text);
    s.boolean = s.text == "true";
    if (type == sdk::ConfigType::List) {
        std::string item;
        for (const char c : s.text + ",") {
            if (c == ',') {
                if (!item.empty()) s.list.push_back(item);
                item.clear();
            } else if (c != ' ' || !item.empty()) {
                item += c;
            }
        }
    }
    return s;
}

constexpr const char* kXmlDecision = R"(<?xml version="1.0"?>
<gf:decision xmlns:gf="urn:gestion-funeraire:2">
  <gf:dossier>CIM-2026-17</gf:dossier>
  <gf:etat code="REF">Refusé</gf:etat>
  <gf:motif>Concession non disponible.</gf:motif>
  <gf:date>2026-12-02T14:00:00+01:00</gf:date>
</gf:decision>
)";

class ReturnFilesTest : public ::testing::Test {
protected:
    void SetUp() override {
        returns_ = dir_.file("retour");
        host_ = services_.host("logiciel-cimetiere");
        drop_ = std::make_unique<FileDrop>(*host_);
    }

    sdk::Result<void> configure(std::vector<sdk::Setting> extra = {}) {
        std::vector<sdk::Setting> settings = {
            setting("directory", sdk::ConfigType::Path, dir_.file("outbox")),
            setting("file-name", sdk::ConfigType::String, "{dossier_id}"),
            setting("return-directory", sdk::ConfigType::Path, returns_),
            setting("return-business-id", sdk::ConfigType::String, "dossier.numero"),
            setting("return-status", sdk::ConfigType::String, "etat"),
            setting("return-message", sdk::ConfigType::String, "motif"),
            setting("return-occurred-at", sdk::ConfigType::String, "date"),
            setting("return-xpath-business-id", sdk::ConfigType::String, "/gf:decision/gf:dossier"),
            setting("return-xpath-status", sdk::ConfigType::String, "/gf:decision/gf:etat/@code"),
            setting("return-xpath-sub-label", sdk::ConfigType::String, "/gf:decision/gf:etat"),
            setting("return-xpath-message", sdk::ConfigType::String, "//gf:motif"),
            setting("return-xpath-occurred-at", sdk::ConfigType::String, "//gf:date"),
            setting("return-namespaces", sdk::ConfigType::List, "gf=urn:gestion-funeraire:2"),
            setting("return-table", sdk::ConfigType::List,
                    "ACC:accepted:Accordé, REF:refused, INS:in_review")};
        for (auto& s : extra) {
            std::erase_if(settings, [&](const sdk::Setting& o) { return o.name == s.name; });
            settings.push_back(std::move(s));
        }
        return drop_->configure(sdk::Settings(std::move(settings)));
    }

    test::TempDir dir_;
    test::TestServices services_;
    std::string returns_;
    std::unique_ptr<sdk::Host> host_;
    std::unique_ptr<FileDrop> drop_;
};

TEST_F(ReturnFilesTest, AJsonFileBecomesStatusChangesByBusinessId) {
    ASSERT_TRUE(configure());
    dir_.write("retour/BO-42.json",
               R"({"dossier": {"numero": "BO-42"}, "etat": "ACC", "motif": "Accordée.",)"
               R"( "date": "2026-12-01T09:00:00+01:00"})");
    auto batch = drop_->poll("");
    ASSERT_TRUE(batch) << batch.error().message;
    ASSERT_EQ(batch->events.size(), 1U);
    const sdk::InboundEvent& inbound = batch->events[0];
    EXPECT_EQ(inbound.business_id, "BO-42");
    EXPECT_TRUE(inbound.dossier_id.empty());
    EXPECT_EQ(inbound.event.type, "status_changed");
    EXPECT_EQ(inbound.event.side, sdk::EventSide::Backoffice);
    EXPECT_TRUE(inbound.event.is_public);
    EXPECT_EQ(inbound.event.payload.find("status")->asString(), "accepted");
    EXPECT_EQ(inbound.event.payload.path("sub_status.label")->asString(), "Accordé");
    EXPECT_EQ(inbound.event.payload.find("message")->asString(), "Accordée.");
    EXPECT_EQ(inbound.event.occurred_at.toString(), "2026-12-01T09:00:00+01:00");
    EXPECT_EQ(inbound.event.actor, "logiciel-cimetiere");
}

TEST_F(ReturnFilesTest, AnArrayOfDecisionsInOneFileGivesOneEventEach) {
    ASSERT_TRUE(configure());
    dir_.write("retour/lot.JSON", R"([{"dossier": {"numero": 7}, "etat": "INS"},)"
                                  R"( {"dossier": {"numero": 8}, "etat": "REF"}])");
    auto batch = drop_->poll("");
    ASSERT_TRUE(batch) << batch.error().message;
    ASSERT_EQ(batch->events.size(), 2U);
    EXPECT_EQ(batch->events[0].business_id, "7");
    EXPECT_EQ(batch->events[1].event.payload.find("status")->asString(), "refused");
}

TEST_F(ReturnFilesTest, AnXmlFileIsReadWithItsNamespaces) {
    ASSERT_TRUE(configure());
    dir_.write("retour/CIM-2026-17.xml", kXmlDecision);
    auto batch = drop_->poll("");
    ASSERT_TRUE(batch) << batch.error().message;
    ASSERT_EQ(batch->events.size(), 1U);
    const sdk::Event& event = batch->events[0].event;
    EXPECT_EQ(batch->events[0].business_id, "CIM-2026-17");
    EXPECT_EQ(event.payload.find("status")->asString(), "refused");
    EXPECT_EQ(event.payload.path("sub_status.code")->asString(), "REF");
    EXPECT_EQ(event.payload.path("sub_status.label")->asString(), "Refusé");
    EXPECT_EQ(event.payload.find("message")->asString(), "Concession non disponible.");
    EXPECT_EQ(event.occurred_at.toString(), "2026-12-02T14:00:00+01:00");
}

TEST_F(ReturnFilesTest, AFileIsProcessedOnlyOnceMovedAfterRelaisStoredItsEvents) {
    ASSERT_TRUE(configure());
    dir_.write("retour/BO-42.json", R"({"dossier": {"numero": "BO-42"}, "etat": "INS"})");
    auto first = drop_->poll("");
    ASSERT_TRUE(first) << first.error().message;
    ASSERT_EQ(first->events.size(), 1U);
    // Until relais comes back with the cursor (its events stored), the file stays.
    EXPECT_TRUE(fs::exists(returns_ + "/BO-42.json"));
    auto again = drop_->poll("");
    ASSERT_TRUE(again);
    ASSERT_EQ(again->events.size(), 1U);
    EXPECT_EQ(again->events[0].event.source_event_key, first->events[0].event.source_event_key);
    auto second = drop_->poll(first->next_cursor);
    ASSERT_TRUE(second) << second.error().message;
    EXPECT_TRUE(second->events.empty());
    EXPECT_FALSE(fs::exists(returns_ + "/BO-42.json"));
    EXPECT_TRUE(fs::exists(returns_ + "/processed/BO-42.json"));
    auto third = drop_->poll(second->next_cursor);
    ASSERT_TRUE(third);
    EXPECT_TRUE(third->events.empty());
}

TEST_F(ReturnFilesTest, AMalformedFileIsRejectedWithItsReason) {
    ASSERT_TRUE(configure());
    dir_.write("retour/casse.json", R"({"dossier": {"numero": "BO-42"}, "etat": )");
    dir_.write("retour/inconnu.json", R"({"dossier": {"numero": "BO-43"}, "etat": "ZZZ"})");
    dir_.write("retour/casse.xml", "<gf:decision xmlns:gf='urn:x'><gf:dossier>");
    dir_.write("retour/ok.json", R"({"dossier": {"numero": "BO-44"}, "etat": "INS"})");
    auto batch = drop_->poll("");
    ASSERT_TRUE(batch) << batch.error().message;
    ASSERT_EQ(batch->events.size(), 1U);
    EXPECT_EQ(batch->events[0].business_id, "BO-44");
    for (const char* name : {"casse.json", "inconnu.json", "casse.xml"}) {
        EXPECT_FALSE(fs::exists(returns_ + "/" + name)) << name;
        EXPECT_TRUE(fs::exists(returns_ + "/rejected/" + name)) << name;
    }
    EXPECT_NE(test::readFileOrFail(returns_ + "/rejected/casse.json.reason").find("not JSON"),
              std::string::npos);
    EXPECT_NE(test::readFileOrFail(returns_ + "/rejected/inconnu.json.reason")
                  .find("status code 'ZZZ' is not in the status table"),
              std::string::npos);
    EXPECT_NE(test::readFileOrFail(returns_ + "/rejected/casse.xml.reason").find("XML"),
              std::string::npos);
    EXPECT_NE(services_.logs().find("return file rejected"), std::string::npos);
}

TEST_F(ReturnFilesTest, ASymbolicLinkIsRefusedNeverRead) {
    ASSERT_TRUE(configure());
    const std::string secret =
        dir_.write("attributes.key", R"({"dossier": {"numero": "SECRET-KEY"}, "etat": "ACC"})");
    fs::create_symlink(secret, returns_ + "/BO-42.json");
    auto batch = drop_->poll("");
    ASSERT_TRUE(batch) << batch.error().message;
    EXPECT_TRUE(batch->events.empty());
    EXPECT_TRUE(fs::is_symlink(fs::symlink_status(returns_ + "/rejected/BO-42.json")));
    EXPECT_NE(test::readFileOrFail(returns_ + "/rejected/BO-42.json.reason").find("symbolic link"),
              std::string::npos);
    // The target is untouched and was never read.
    EXPECT_TRUE(fs::exists(secret));
    EXPECT_EQ(services_.logs().find("SECRET-KEY"), std::string::npos);
}

TEST_F(ReturnFilesTest, OtherFilesAreLeftForTheApplicationToFinish) {
    ASSERT_TRUE(configure());
    dir_.write("retour/BO-42.json.part", R"({"dossier": {"numero": "BO-42"}, "etat": "ACC"})");
    dir_.write("retour/.BO-42.json", "{}");
    auto batch = drop_->poll("");
    ASSERT_TRUE(batch) << batch.error().message;
    EXPECT_TRUE(batch->events.empty());
    EXPECT_TRUE(fs::exists(returns_ + "/BO-42.json.part"));
}

TEST_F(ReturnFilesTest, ATooLargeFileIsRejected) {
    ASSERT_TRUE(configure());
    dir_.write("retour/gros.json", std::string(2 * 1024 * 1024, ' '));
    auto batch = drop_->poll("");
    ASSERT_TRUE(batch) << batch.error().message;
    EXPECT_TRUE(batch->events.empty());
    EXPECT_NE(test::readFileOrFail(returns_ + "/rejected/gros.json.reason").find("too large"),
              std::string::npos);
}

TEST_F(ReturnFilesTest, RefusesABadConfigurationNamingTheKey) {
    auto configured =
        configure({setting("return-xpath-status", sdk::ConfigType::String, "/x:decision/@code")});
    ASSERT_FALSE(configured);
    EXPECT_EQ(configured.error().field, "return-xpath-status");
    configured = configure({setting("return-table", sdk::ConfigType::List, "ACC")});
    ASSERT_FALSE(configured);
    EXPECT_EQ(configured.error().field, "return-table");
    configured = configure({setting("return-namespaces", sdk::ConfigType::List, "gf")});
    ASSERT_FALSE(configured);
    EXPECT_EQ(configured.error().field, "return-namespaces");
}

TEST_F(ReturnFilesTest, AcknowledgementsAndReturnsShareTheCursor) {
    ASSERT_TRUE(configure({setting("acknowledgements", sdk::ConfigType::Boolean, "true")}));
    dir_.write("retour/BO-42.json", R"({"dossier": {"numero": "BO-42"}, "etat": "INS"})");
    auto first = drop_->poll("");
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_EQ(first->events.size(), 1U);
    auto second = drop_->poll(first->next_cursor);
    ASSERT_TRUE(second) << second.error().message;
    EXPECT_TRUE(second->events.empty());
}

TEST(ReturnFileNames, OnlyJsonAndXmlFilesThatAreNotHidden) {
    EXPECT_TRUE(isReturnFile("a.json"));
    EXPECT_TRUE(isReturnFile("A.XML"));
    EXPECT_FALSE(isReturnFile("a.json.part"));
    EXPECT_FALSE(isReturnFile(".a.json"));
    EXPECT_FALSE(isReturnFile(".json"));
    EXPECT_FALSE(isReturnFile("processed"));
}

}  // namespace
}  // namespace relais::plugins::filedrop
