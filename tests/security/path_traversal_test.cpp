// SPDX-License-Identifier: AGPL-3.0-or-later
// Path traversal through the names a portal controls (the portal's dossier id, attachment
// names, attachment URLs and checksums), and through links planted in the shared drop
// directory, against the real daemon with the json adapter and the filedrop connector.
//
// The connector's name rules themselves are tested in tests/plugins/filedrop/
// file_drop_test.cpp (NamesCannotEscapeTheDirectory, AttachmentNamesCannotEscapeTheDirectory,
// the link tests); the blob store names files after their SHA-256 only
// (tests/core/pipeline/blob_store_test.cpp).

#include <chrono>
#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/daemon.h"
#include "support/http_call.h"
#include "support/mock_http_server.h"
#include "support/temp_dir.h"

namespace relais::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;
using Clock = std::chrono::steady_clock;

const std::string kPortalKey = "paths-portal-key-0123456789";  // NOLINT(cert-err58-cpp)
const std::string kAdminKey = "paths-admin-key-0123456789";    // NOLINT(cert-err58-cpp)
const std::string kBytes = "%PDF-1.7 justificatif";            // NOLINT(cert-err58-cpp)

/// The string at `path` in `json`, or "" when there is none.
std::string textAt(const sdk::Json& json, const std::string& path) {
    const sdk::Json* found = json.path(path);
    return found != nullptr && found->isString() ? found->asString() : std::string();
}

/// A JSON string literal for `text` (quotes, backslashes and control characters escaped).
std::string quoted(const std::string& text) { return sdk::Json(text).dump(); }

class PathTraversalTest : public ::testing::Test {
protected:
    /// `delivery`: more attributes of the `<delivery>` element.
    void start(const std::string& file_name, bool acknowledgements = false,
               const std::string& delivery = "") {
        daemon_ = std::make_unique<Daemon>(
            dir_, wrapConfig(baseConfigElements(dir_) +
                             "<delivery workers=\"1\" idle-poll=\"20ms\"" + delivery +
                             "/>\n"
                             "<adapters><adapter name=\"portail\" plugin=\"json\">"
                             "<param name=\"source-key\">numero_dossier</param>"
                             "<param name=\"procedure\">restauration-scolaire</param>"
                             "<param name=\"attachments\">pieces</param>"
                             "</adapter></adapters>\n"
                             "<connectors><connector name=\"ged\" plugin=\"filedrop\" "
                             "poll-interval=\"50ms\">"
                             "<param name=\"directory\">" +
                             outbox_ +
                             "</param>"
                             "<param name=\"file-name\">" +
                             file_name +
                             "</param>"
                             "<param name=\"acknowledgements\">" +
                             (acknowledgements ? "true" : "false") +
                             "</param>"
                             "</connector></connectors>\n"
                             "<clients>\n" +
                             clientElement("portail", kPortalKey, "dossiers:submit dossiers:read") +
                             clientElement("exploitation", kAdminKey, "admin dossiers:read") +
                             "</clients>\n"
                             "<routes><route name=\"ged\" procedure=\"restauration-scolaire\" "
                             "connector=\"ged\"/></routes>\n"));
    }
    HttpResult submit(const std::string& key, const std::string& pieces = "[]") {
        return httpCall(daemon_->port(), "POST", "/v1/adapters/portail/inbound",
                        {bearer(kPortalKey)},
                        "{\"numero_dossier\":" + quoted(key) +
                            ",\"demandeur\":{\"nom\":\"Martin\"},\"pieces\":" + pieces + "}");
    }
    std::string piece(const std::string& name, const std::string& url) const {
        return "{\"name\":" + quoted(name) + ",\"url\":" + quoted(url) +
               ",\"content_type\":\"application/pdf\"}";
    }
    sdk::Json tracking(const std::string& id) {
        return httpCall(daemon_->port(), "GET", "/v1/dossiers/" + id, {bearer(kAdminKey)}).json();
    }
    /// Polls until the dossier's delivery reaches `state` (deadline 15 s).
    sdk::Json waitForDelivery(const std::string& id, const std::string& state) {
        const auto deadline = Clock::now() + 15s;
        sdk::Json current;
        while (Clock::now() < deadline) {
            current = tracking(id);
            const sdk::Json* reached = current.path("deliveries[0].state");
            if (reached != nullptr && reached->asString() == state) return current;
            std::this_thread::sleep_for(10ms);
        }
        ADD_FAILURE() << "delivery of " << id << " never reached " << state << ": "
                      << current.dump();
        return current;
    }
    /// Every regular file and link under the test's directory, relative to it.
    std::set<std::string> tree() const {
        std::set<std::string> paths;
        for (const auto& entry : fs::recursive_directory_iterator(dir_.path())) {
            if (entry.is_symlink() || entry.is_regular_file()) {
                paths.insert(fs::relative(entry.path(), dir_.path()).string());
            }
        }
        return paths;
    }

    TempDir dir_;
    std::string outbox_ = dir_.file("outbox");
    MockHttpServer portal_{[](const ReceivedRequest&) {
        return MockResponse{200, "application/pdf", kBytes, {}};
    }};
    std::unique_ptr<Daemon> daemon_;
};

TEST_F(PathTraversalTest, HostileDossierAndAttachmentNamesStayInsideTheDropDirectory) {
    start("{source_key}");
    const std::vector<std::string> names = {"../../../../escape-attachment",
                                            "/tmp/escape-absolute",
                                            "..\\..\\escape-backslash.ini",
                                            "C:\\Windows\\escape-drive.dll",
                                            std::string(5000, 'L') + ".pdf",
                                            "..",
                                            "",
                                            "justificatif de domicile.pdf"};
    std::string pieces = "[";
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i > 0) pieces += ",";
        pieces += piece(names[i], portal_.url("/files/" + std::to_string(i)));
    }
    pieces += "]";
    // A control character (a NUL would be cut on the way through the store) is refused at
    // ingest, naming the attachment.
    const auto nul =
        submit("nul-name",
               "[" + piece(std::string("escape\0nul.pdf", 14), portal_.url("/files/nul")) + "]");
    EXPECT_EQ(nul.status, 400) << nul.body;
    EXPECT_NE(nul.body.find("attachments[0].name"), std::string::npos) << nul.body;

    const auto stored = submit("../../../escape-dossier", pieces);
    ASSERT_EQ(stored.status, 202) << stored.body;
    const std::string id = stored.json().find("id")->asString();
    waitForDelivery(id, "done");
    daemon_->stop();

    // Inside the drop directory: the safe names, one level of attachments, no link.
    const std::string base = "outbox/_._.._.._escape-dossier";
    std::set<std::string> expected = {base + ".json", base + ".manifest.json"};
    const std::vector<std::string> files = {"1-_._.._.._.._escape-attachment",
                                            "2-_tmp_escape-absolute",
                                            "3-_._.._escape-backslash.ini",
                                            "4-C__Windows_escape-drive.dll",
                                            "5-" + std::string(200, 'L'),
                                            "6-_.",
                                            "7-attachment-7",
                                            "8-justificatif_de_domicile.pdf"};
    for (const auto& file : files) expected.insert(base + ".files/" + file);
    std::set<std::string> in_outbox;
    std::set<std::string> elsewhere;
    for (const auto& path : tree()) {
        if (!path.starts_with("outbox/")) {
            elsewhere.insert(path);
        } else {
            in_outbox.insert(path);
        }
    }
    EXPECT_EQ(in_outbox, expected);
    for (const auto& file : files) {
        EXPECT_EQ(readFileOrFail(dir_.file(base + ".files/" + file)), kBytes) << file;
    }
    // Outside it: only what the daemon keeps for itself, never a file named by the portal.
    for (const auto& path : elsewhere) EXPECT_THAT(path, Not(HasSubstr("escape"))) << path;
    EXPECT_FALSE(fs::exists("/tmp/escape-absolute"));

    // The manifest keeps the portal's names as data for the importer.
    auto manifest = sdk::Json::parse(readFileOrFail(dir_.file(base + ".manifest.json")));
    ASSERT_TRUE(manifest.ok());
    EXPECT_EQ(textAt(*manifest, "attachments[0].name"), names[0]);
    EXPECT_EQ(textAt(*manifest, "attachments[0].file"),
              "_._.._.._escape-dossier.files/" + files[0]);
    EXPECT_EQ(textAt(*manifest, "attachments[7].name"), names[7]);
}

TEST_F(PathTraversalTest, AttachmentUrlsAndChecksumsCannotNameLocalFiles) {
    start("{procedure}-{source_key}-{dossier_id}");
    const std::vector<std::pair<std::string, std::string>> refused = {
        {piece("a.pdf", "file:///etc/passwd"), "attachments[0]"},
        {piece("a.pdf", "FILE:/etc/passwd"), "attachments[0]"},
        {piece("a.pdf", "/etc/passwd"), "attachments[0]"},
        {piece("a.pdf", "ftp://127.0.0.1/etc/passwd"), "attachments[0]"},
        {"{\"name\":\"a.pdf\",\"url\":" + quoted(portal_.url("/files/0")) +
             ",\"sha256\":\"../../../../etc/passwd\"}",
         "pieces[0].sha256"}};
    int n = 0;
    for (const auto& [item, field] : refused) {
        const auto result = submit("RS-URL-" + std::to_string(n++), "[" + item + "]");
        EXPECT_EQ(result.status, 400) << item << ": " << result.body;
        EXPECT_EQ(result.json().find("field") != nullptr
                      ? result.json().find("field")->asString().substr(0, field.size())
                      : "",
                  field)
            << result.body;
    }
    // Nothing stored, nothing dropped, nothing downloaded.
    const auto jobs = httpCall(daemon_->port(), "GET", "/v1/jobs", {bearer(kAdminKey)});
    EXPECT_EQ(jobs.json().find("jobs")->size(), 0U) << jobs.body;
    EXPECT_EQ(portal_.count(), 0U);
    EXPECT_FALSE(fs::exists(outbox_) && !fs::is_empty(outbox_));
}

// Server-side request forgery: the portal chooses attachment URLs, relais downloads them from
// inside the network. With <delivery attachment-hosts>, a URL naming another host (here the
// mock, which stands for an internal service on 127.0.0.1) is refused before any connection.
TEST_F(PathTraversalTest, AttachmentUrlsOutsideTheListedHostsAreNeverFetched) {
    start("{source_key}", false, " attachment-hosts=\"portal.test\"");
    const std::string internal = portal_.url("/x");
    const std::vector<std::string> refused = {
        internal,
        // The listed name as user info, then the real host.
        "http://portal.test@" + internal.substr(std::string("http://").size()),
        // The listed name in the query.
        internal + "?portal.test",
    };
    int n = 0;
    for (const auto& url : refused) {
        const auto result =
            submit("RS-SSRF-" + std::to_string(n++), "[" + piece("a.pdf", url) + "]");
        EXPECT_EQ(result.status, 400) << url << ": " << result.body;
        const sdk::Json problem = result.json();
        EXPECT_EQ(textAt(problem, "field"), "attachments[0]") << result.body;
        EXPECT_THAT(textAt(problem, "detail"), HasSubstr("attachments[0]")) << result.body;
    }
    const auto unlisted = submit("RS-SSRF-detail", "[" + piece("a.pdf", internal) + "]");
    EXPECT_THAT(textAt(unlisted.json(), "detail"),
                HasSubstr("is not in <delivery attachment-hosts>"))
        << unlisted.body;
    // Nothing stored, nothing downloaded: the mock never saw a connection's request.
    const auto jobs = httpCall(daemon_->port(), "GET", "/v1/jobs", {bearer(kAdminKey)});
    EXPECT_EQ(jobs.json().find("jobs")->size(), 0U) << jobs.body;
    EXPECT_EQ(portal_.count(), 0U);
}

TEST_F(PathTraversalTest, ALinkPlantedAsAnAcknowledgementIsNeverRead) {
    start("{procedure}-{source_key}-{dossier_id}", true);
    const std::string secret = dir_.write("attributes.key", "SECRET-KEY-MATERIAL-0123");
    const auto first_stored = submit("RS-ACK-1");
    const auto second_stored = submit("RS-ACK-2");
    ASSERT_EQ(first_stored.status, 202) << first_stored.body;
    ASSERT_EQ(second_stored.status, 202) << second_stored.body;
    const std::string first = first_stored.json().find("id")->asString();
    const std::string second = second_stored.json().find("id")->asString();
    const std::string first_base = "restauration-scolaire-RS-ACK-1-" + first;
    const std::string second_base = "restauration-scolaire-RS-ACK-2-" + second;
    waitForDelivery(first, "awaiting_ack");
    waitForDelivery(second, "awaiting_ack");

    // The software's acknowledgement for the second dossier, and a link for the first one
    // pointing at a file relais can read but must not reveal.
    fs::create_symlink(secret, outbox_ + "/ack/" + first_base + ".ack");
    dir_.write("outbox/ack/" + second_base + ".ack.tmp", "GED-2026-2\n");
    fs::rename(outbox_ + "/ack/" + second_base + ".ack.tmp",
               outbox_ + "/ack/" + second_base + ".ack");
    const sdk::Json acknowledged = waitForDelivery(second, "done");
    EXPECT_EQ(textAt(acknowledged, "links[0].business_id"), "GED-2026-2") << acknowledged.dump();

    const sdk::Json refused = tracking(first);
    EXPECT_EQ(textAt(refused, "deliveries[0].state"), "awaiting_ack") << refused.dump();
    EXPECT_THAT(refused.dump(), Not(HasSubstr("SECRET-KEY-MATERIAL")));
    const auto events =
        httpCall(daemon_->port(), "GET", "/v1/dossiers/" + first + "/events", {bearer(kAdminKey)});
    EXPECT_THAT(events.body, Not(HasSubstr("SECRET-KEY-MATERIAL")));
    daemon_->stop();
    const std::string logs = daemon_->logs();
    EXPECT_THAT(logs, HasSubstr("not a regular file"));
    EXPECT_THAT(logs, Not(HasSubstr("SECRET-KEY-MATERIAL")));
}

}  // namespace
}  // namespace relais::test
