// SPDX-License-Identifier: AGPL-3.0-or-later
// Logic tests of the file-drop connector, on a real directory.

#include "file_drop.h"

#include <algorithm>
#include <filesystem>

#include <gtest/gtest.h>

#include "relais/sdk/host.h"

#include "support/temp_dir.h"
#include "support/test_host.h"

namespace relais::plugins::filedrop {
namespace {

namespace fs = std::filesystem;

sdk::Setting setting(std::string name, sdk::ConfigType type, std::string text,
                     bool boolean = false) {
    sdk::Setting s;
    s.name = std::move(name);
    s.type = type;
    s.text = std::move(text);
    s.boolean = boolean;
    return s;
}

class FileDropTest : public ::testing::Test {
protected:
    void SetUp() override {
        out_ = dir_.file("outbox");
        host_ = services_.host("cantine-fichiers");
        drop_ = std::make_unique<FileDrop>(*host_);
    }

    void configure(bool acks,
                   const std::string& name_template = "{procedure}-{source_key}-{dossier_id}") {
        auto configured = drop_->configure(
            sdk::Settings({setting("directory", sdk::ConfigType::Path, out_),
                           setting("file-name", sdk::ConfigType::String, name_template),
                           setting("manifest", sdk::ConfigType::Boolean, "true", true),
                           setting("acknowledgements", sdk::ConfigType::Boolean,
                                   acks ? "true" : "false", acks)}));
        ASSERT_TRUE(configured.ok()) << configured.error().message;
    }

    sdk::Delivery delivery(const std::string& payload = R"({"externalRef":"RS-1"})") {
        sdk::Delivery d;
        d.dossier = &dossier_;
        d.payload = payload;
        d.content_type = "application/json";
        d.idempotency_key = "rl-job-1";
        d.route = "cantine";
        return d;
    }

    std::vector<std::string> files() const {
        std::vector<std::string> names;
        for (const auto& entry : fs::recursive_directory_iterator(out_)) {
            if (entry.is_regular_file()) names.push_back(fs::relative(entry.path(), out_).string());
        }
        std::sort(names.begin(), names.end());
        return names;
    }

    test::TempDir dir_;
    test::TestServices services_;
    std::string out_;
    std::unique_ptr<sdk::Host> host_;
    std::unique_ptr<FileDrop> drop_;
    sdk::Dossier dossier_{.id = "d0000000-0000-4000-8000-000000000001",
                          .source = "portail",
                          .source_key = "RS-2026-004217",
                          .procedure = "restauration-scolaire",
                          .subject = std::nullopt,
                          .submitted_at = sdk::Timestamp::fromUnixSeconds(1'794'614'400),
                          .fields = {},
                          .attachments = {},
                          .status = sdk::Status::Submitted,
                          .portal_status = {},
                          .version = 1};
};

TEST_F(FileDropTest, WritesThePayloadThenTheManifest) {
    configure(false);
    auto receipt = drop_->deliver(delivery());
    ASSERT_TRUE(receipt.ok()) << receipt.error().message;
    const std::string base = "restauration-scolaire-RS-2026-004217-" + dossier_.id;
    EXPECT_EQ(receipt->business_id, base);
    EXPECT_FALSE(receipt->awaits_acknowledgement);
    EXPECT_EQ(files(), (std::vector<std::string>{base + ".json", base + ".manifest.json"}));
    EXPECT_EQ(test::readFileOrFail(out_ + "/" + base + ".json"), R"({"externalRef":"RS-1"})");
    auto manifest = sdk::Json::parse(test::readFileOrFail(out_ + "/" + base + ".manifest.json"));
    ASSERT_TRUE(manifest.ok());
    EXPECT_EQ(manifest->find("dossier_id")->asString(), dossier_.id);
    EXPECT_EQ(manifest->find("idempotency_key")->asString(), "rl-job-1");
    EXPECT_EQ(manifest->find("payload")->asString(), base + ".json");
}

TEST_F(FileDropTest, ARetryOfTheSameJobWritesNothingNew) {
    configure(false);
    ASSERT_TRUE(drop_->deliver(delivery()).ok());
    const std::string base = "restauration-scolaire-RS-2026-004217-" + dossier_.id;
    // The importer already consumed the payload; a retry must not drop it again.
    fs::remove(out_ + "/" + base + ".json");
    ASSERT_TRUE(drop_->deliver(delivery()).ok());
    EXPECT_FALSE(fs::exists(out_ + "/" + base + ".json"));
}

TEST_F(FileDropTest, NamesCannotEscapeTheDirectory) {
    configure(false);
    dossier_.source_key = "../../etc/passwd";
    ASSERT_TRUE(drop_->deliver(delivery()).ok());
    for (const auto& name : files()) {
        EXPECT_EQ(name.find('/'), std::string::npos) << name;
        EXPECT_NE(name.front(), '.') << name;
    }
    EXPECT_EQ(expandFileName("{source_key}", delivery()), "_._.._etc_passwd");
}

TEST_F(FileDropTest, AttachmentNamesCannotEscapeTheDirectory) {
    configure(false);
    const std::vector<std::string> names = {"../../escape.txt",
                                            "/etc/cron.d/evil",
                                            "..\\..\\windows\\win.ini",
                                            "C:\\Windows\\System32\\evil.dll",
                                            std::string("nul\0byte.pdf", 12),
                                            std::string(400, 'n') + ".pdf",
                                            "..",
                                            ".hidden",
                                            "",
                                            "justificatif.pdf"};
    const std::string blob = dir_.write("blobs/ab/abc", "%PDF-1.7 fake");
    auto d = delivery();
    for (const auto& name : names) {
        dossier_.attachments.push_back(sdk::Attachment{.name = name,
                                                       .content_type = "application/pdf",
                                                       .size = 13,
                                                       .sha256 = "",
                                                       .storage_ref = "",
                                                       .source_url = "",
                                                       .kind = ""});
        d.attachment_paths.push_back(blob);
    }
    ASSERT_TRUE(drop_->deliver(d).ok());

    const std::string base = "restauration-scolaire-RS-2026-004217-" + dossier_.id;
    const std::string files_dir = base + ".files";
    std::vector<std::string> expected = {base + ".json", base + ".manifest.json"};
    for (std::size_t i = 0; i < names.size(); ++i) {
        const std::string file = (std::vector<std::string>{
            "1-_._.._escape.txt", "2-_etc_cron.d_evil", "3-_._.._windows_win.ini",
            "4-C__Windows_System32_evil.dll", "5-nul_byte.pdf", "6-" + std::string(200, 'n'),
            "7-_.", "8-_hidden", "9-attachment-9", "10-justificatif.pdf"})[i];
        expected.push_back(files_dir + "/" + file);
    }
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(files(), expected);
    // Nothing anywhere else in the test's directory.
    for (const auto& entry : fs::recursive_directory_iterator(dir_.path())) {
        if (!entry.is_regular_file()) continue;
        const std::string path = entry.path().string();
        EXPECT_TRUE(path.starts_with(out_ + "/") || path == blob) << path;
        EXPECT_LE(entry.path().filename().string().size(), 255U) << path;
    }
    // The manifest keeps each original name for the importer, and the safe file beside it.
    auto manifest = sdk::Json::parse(test::readFileOrFail(out_ + "/" + base + ".manifest.json"));
    ASSERT_TRUE(manifest.ok());
    EXPECT_EQ(manifest->path("attachments[0].name")->asString(), "../../escape.txt");
    EXPECT_EQ(manifest->path("attachments[0].file")->asString(), files_dir + "/1-_._.._escape.txt");
    EXPECT_EQ(manifest->path("attachments[4].name")->asString(), names[4]);
}

TEST_F(FileDropTest, ALinkPlantedAtATemporaryNameIsReplacedNotFollowed) {
    configure(false);
    const std::string victim = dir_.write("relais.db", "precious");
    const std::string base = "restauration-scolaire-RS-2026-004217-" + dossier_.id;
    fs::create_directories(out_ + "/" + base + ".files");
    fs::create_symlink(victim, out_ + "/" + base + ".json.part");
    fs::create_symlink(victim, out_ + "/" + base + ".manifest.json.part");
    fs::create_symlink(victim, out_ + "/" + base + ".files/1-facture.pdf.part");
    const std::string pdf = dir_.write("blobs/abc", "%PDF-1.7 fake");
    dossier_.attachments.push_back(sdk::Attachment{.name = "facture.pdf",
                                                   .content_type = "application/pdf",
                                                   .size = 13,
                                                   .sha256 = "",
                                                   .storage_ref = "",
                                                   .source_url = "",
                                                   .kind = ""});
    auto d = delivery();
    d.attachment_paths = {pdf};
    auto receipt = drop_->deliver(d);
    ASSERT_TRUE(receipt.ok()) << receipt.error().message;
    EXPECT_EQ(test::readFileOrFail(victim), "precious");
    EXPECT_EQ(test::readFileOrFail(out_ + "/" + base + ".json"), R"({"externalRef":"RS-1"})");
    EXPECT_EQ(test::readFileOrFail(out_ + "/" + base + ".files/1-facture.pdf"), "%PDF-1.7 fake");
    EXPECT_FALSE(fs::is_symlink(out_ + "/" + base + ".json"));
}

TEST_F(FileDropTest, AnAttachmentDirectoryThatIsALinkIsRefused) {
    configure(false);
    const std::string elsewhere = dir_.file("elsewhere");
    fs::create_directories(elsewhere);
    const std::string base = "restauration-scolaire-RS-2026-004217-" + dossier_.id;
    fs::create_directories(out_);
    fs::create_directory_symlink(elsewhere, out_ + "/" + base + ".files");
    const std::string pdf = dir_.write("blobs/abc", "%PDF-1.7 fake");
    dossier_.attachments.push_back(sdk::Attachment{.name = "facture.pdf",
                                                   .content_type = "application/pdf",
                                                   .size = 13,
                                                   .sha256 = "",
                                                   .storage_ref = "",
                                                   .source_url = "",
                                                   .kind = ""});
    auto d = delivery();
    d.attachment_paths = {pdf};
    auto receipt = drop_->deliver(d);
    ASSERT_FALSE(receipt.ok());
    EXPECT_EQ(receipt.error().code, sdk::ErrorCode::Unavailable);
    EXPECT_NE(receipt.error().message.find("symbolic link"), std::string::npos);
    EXPECT_TRUE(fs::is_empty(elsewhere));
    EXPECT_FALSE(fs::exists(out_ + "/" + base + ".manifest.json"));
}

TEST_F(FileDropTest, AnAcknowledgementThatIsALinkIsNeverRead) {
    configure(true);
    const std::string secret = dir_.write("attributes.key", "SECRET-KEY-MATERIAL");
    auto receipt = drop_->deliver(delivery());
    ASSERT_TRUE(receipt.ok());
    // A link named like the real acknowledgement would put the key into the event.
    fs::create_symlink(secret, out_ + "/ack/" + receipt->business_id + ".ack");
    auto batch = drop_->poll("");
    ASSERT_TRUE(batch.ok()) << batch.error().message;
    EXPECT_TRUE(batch->events.empty());
    EXPECT_NE(services_.logs().find("not a regular file"), std::string::npos);
    EXPECT_EQ(services_.logs().find("SECRET-KEY-MATERIAL"), std::string::npos);

    // The real one, once the link is gone, is read as before.
    fs::remove(out_ + "/ack/" + receipt->business_id + ".ack");
    dir_.write("outbox/ack/" + receipt->business_id + ".ack", "GED-2026-78");
    batch = drop_->poll("");
    ASSERT_TRUE(batch.ok());
    ASSERT_EQ(batch->events.size(), 1U);
    EXPECT_EQ(batch->events[0].business_id, "GED-2026-78");
}

TEST_F(FileDropTest, CopiesAttachmentsBesideThePayload) {
    configure(false);
    const std::string pdf = dir_.write("blobs/abc", "%PDF-1.7 fake");
    dossier_.attachments.push_back(sdk::Attachment{.name = "facture octobre.pdf",
                                                   .content_type = "application/pdf",
                                                   .size = 13,
                                                   .sha256 = "",
                                                   .storage_ref = "",
                                                   .source_url = "",
                                                   .kind = ""});
    auto d = delivery();
    d.attachment_paths = {pdf};
    ASSERT_TRUE(drop_->deliver(d).ok());
    const std::string base = "restauration-scolaire-RS-2026-004217-" + dossier_.id;
    EXPECT_EQ(test::readFileOrFail(out_ + "/" + base + ".files/1-facture_octobre.pdf"),
              "%PDF-1.7 fake");
}

TEST_F(FileDropTest, RefusesATemplateThatWouldMakeDossiersCollide) {
    auto configured = drop_->configure(
        sdk::Settings({setting("directory", sdk::ConfigType::Path, out_),
                       setting("file-name", sdk::ConfigType::String, "{procedure}")}));
    ASSERT_FALSE(configured.ok());
    EXPECT_EQ(configured.error().field, "file-name");
}

TEST_F(FileDropTest, AcknowledgementFilesBecomeDeliveredEvents) {
    configure(true);
    auto receipt = drop_->deliver(delivery());
    ASSERT_TRUE(receipt.ok());
    EXPECT_TRUE(receipt->awaits_acknowledgement);
    dir_.write("outbox/ack/" + receipt->business_id + ".ack", "GED-2026-77\n");
    dir_.write("outbox/ack/unknown.ack", "X");

    auto first = drop_->poll("");
    ASSERT_TRUE(first.ok()) << first.error().message;
    ASSERT_EQ(first->events.size(), 1U);
    EXPECT_EQ(first->events[0].dossier_id, dossier_.id);
    EXPECT_EQ(first->events[0].business_id, "GED-2026-77");
    EXPECT_EQ(first->events[0].event.type, "delivered");
    EXPECT_EQ(first->events[0].event.source_event_key, "ack:" + receipt->business_id + ".ack");

    // Until relais comes back with the cursor, the same acknowledgement is offered again.
    EXPECT_EQ(drop_->poll("")->events.size(), 1U);
    auto second = drop_->poll(first->next_cursor);
    ASSERT_TRUE(second.ok());
    EXPECT_TRUE(second->events.empty());
    EXPECT_TRUE(fs::exists(out_ + "/ack/processed/" + receipt->business_id + ".ack"));
}

TEST_F(FileDropTest, HealthSaysWhetherTheDirectoryIsWritable) {
    configure(false);
    auto health = drop_->health();
    ASSERT_TRUE(health.ok());
    EXPECT_TRUE(health->healthy);
}

}  // namespace
}  // namespace relais::plugins::filedrop
