// SPDX-License-Identifier: AGPL-3.0-or-later
// The DS adapter with the real host services against a MockHttpServer on 127.0.0.1 playing
// DS: its GraphQL endpoint (answers shaped per the API v2 schema) and its file storage.

#include "ds_adapter.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "relais/sdk/host.h"

#include "attachments.h"
#include "checksum.h"
#include "ds_test_support.h"
#include "support/mock_http_server.h"
#include "support/test_host.h"
#include "test_json.h"

namespace relais::adapters::ds {
namespace {

using relais::test::MockHttpServer;
using relais::test::MockResponse;
using relais::test::ReceivedRequest;
using sdk::ErrorCode;
using sdk::Json;
using test::parse;

constexpr const char* kToken = "ds-token-Zq81";
constexpr const char* kPdf = "%PDF-1.4\n% a small file\n%%EOF\n";

MockResponse json(const std::string& body) { return {200, "application/json", body, {}}; }

class DsAdapterTest : public ::testing::Test {
protected:
    DsAdapterTest() : server_([this](const ReceivedRequest& r) { return answer(r); }) {
        (void)services_.dir().write("secrets/ds", std::string(kToken) + "\n");
        host_ = services_.host("ds-ville");
        adapter_ = std::make_unique<DsAdapter>(*host_);
    }

    // Configures the adapter with these settings, `changes` replacing or adding some.
    void configure(const test::Params& changes = {}) {
        test::Params params = {{"endpoint", server_.url("/api/v2/graphql")},
                               {"token", "file:secrets/ds"},
                               {"demarches", "4242"},
                               {"page-size", "1"},
                               {"timeout", "5s"}};
        for (const auto& change : changes) {
            auto same = std::find_if(params.begin(), params.end(), [&](const auto& param) {
                return param.first == change.first;
            });
            if (same != params.end()) {
                same->second = change.second;
            } else {
                params.push_back(change);
            }
        }
        auto settings = test::validated(params, services_.dir().path());
        ASSERT_TRUE(settings) << settings.error().message;
        auto configured = adapter_->configure(*settings);
        ASSERT_TRUE(configured) << configured.error().message;
    }

    // A dossier of démarche 4242 modified at `modified`, with one pièce justificative at
    // `/files/<file>` whose checksum is that of `kPdf`.
    Json dossier(int number, const std::string& modified, const std::string& file = "ok.pdf") {
        return parse(R"({"id":"RG9zc2llci0)" + std::to_string(number) + R"(","number":)" +
                     std::to_string(number) + R"(,"state":"en_construction",
            "dateDepot":"2026-11-30T10:00:00+01:00","dateDerniereModification":")" +
                     modified +
                     R"(","demarche":{"number":4242,"title":"Périscolaire"},
            "usager":{"email":"camille@example.org"},
            "demandeur":{"__typename":"PersonnePhysique","civilite":"Mme","nom":"Exemple",
                         "prenom":"Camille","dateDeNaissance":"1987-03-14"},
            "champs":[{"__typename":"PieceJustificativeChamp","id":"Q2hhbXAtOQ==","label":"Justificatif",
              "files":[{"filename":"justificatif.pdf","contentType":"application/pdf",
                "byteSizeBigInt":")" +
                     std::to_string(std::string(kPdf).size()) + R"(","checksum":")" +
                     md5Base64(kPdf) + R"(","url":")" + server_.url("/files/" + file) + R"("}]}],
            "annotations":[],
            "traitements":[{"id":"T)" +
                     std::to_string(number) + R"(","state":"en_construction",
              "event":"depose","dateTraitement":"2026-11-30T10:00:00+01:00"}],
            "messages":[]})");
    }

    // DS: GraphQL on /api/v2/graphql (operations DossiersPage and Dossier), files on /files/.
    MockResponse answer(const ReceivedRequest& request) {
        if (request.uri.starts_with("/files/")) {
            const std::string name = request.uri.substr(7);
            if (name == "expired.pdf")
                return {403, "application/xml", "<Error>expired</Error>", {}};
            if (name == "altered.pdf") return {200, "application/pdf", std::string(kPdf) + "!", {}};
            if (name == "other.pdf")
                return {200, "application/pdf", "%PDF-1.4 something else\n", {}};
            return {200, "application/pdf", kPdf, {}};
        }
        if (request.header("Authorization") != std::string("Bearer ") + kToken) {
            return {401, "application/json", R"({"errors":[{"message":"Unauthorized"}]})", {}};
        }
        const Json body = parse(request.body);
        const std::string operation = body.find("operationName")->asString();
        const Json& variables = *body.find("variables");
        if (operation == "Dossier") return dossierAnswer(variables.find("number")->asInt());
        if (operation == "DossiersPage") return pageAnswer(variables);
        return {400, "application/json", R"({"errors":[{"message":"unknown operation"}]})", {}};
    }

    MockResponse dossierAnswer(std::int64_t number) {
        if (number != 2026001)
            return json(R"({"data":null,"errors":[{"message":"Dossier not found"}]})");
        const int reads = ++dossier_reads_;
        Json data = Json::object();
        // The first read gives an expired URL when the test asks for it; later ones a fresh one.
        data.set("dossier", dossier(2026001, "2026-11-30T10:00:00+01:00",
                                    reads == 1 ? first_file_ : refreshed_file_));
        Json answer_json = Json::object();
        answer_json.set("data", std::move(data));
        return json(answer_json.dump());
    }

    // Page 1 (no cursor): dossier 1, more to come; page 2 (after c1): dossier 2, the end;
    // then nothing newer than dossier 2. One deleted dossier, on the first pass.
    MockResponse pageAnswer(const Json& variables) {
        const Json* after = variables.find("after");
        const Json* since = variables.find("since");
        Json nodes = Json::array();
        bool more = false;
        if (since->isNull() && after->isNull()) {
            nodes.push(dossier(1, "2026-11-30T10:00:00+01:00"));
            more = true;
        } else if (since->isNull() && after->asString() == "c1") {
            nodes.push(dossier(2, "2026-11-30T11:00:00+01:00"));
        }
        Json deleted = Json::array();
        if (variables.find("deletedSince")->isNull()) {
            deleted.push(parse(R"({"id":"RGVsLTc=","number":7,"state":"en_construction",
                "reason":"user_request","dateSupression":"2026-11-30T09:00:00+01:00"})"));
        }
        Json page = parse(R"({"data":{"demarche":{"number":4242,
            "dossiers":{"pageInfo":{"hasNextPage":false,"endCursor":null},"nodes":[]},
            "deletedDossiers":{"pageInfo":{"hasNextPage":false,"endCursor":null},"nodes":[]}}}})");
        Json& demarche = *page.find("data")->find("demarche");
        demarche.find("dossiers")->set("nodes", std::move(nodes));
        demarche.find("dossiers")
            ->set("pageInfo", parse(more ? R"({"hasNextPage":true,"endCursor":"c1"})"
                                         : R"({"hasNextPage":false,"endCursor":"c2"})"));
        demarche.find("deletedDossiers")->set("nodes", std::move(deleted));
        return json(page.dump());
    }

    std::vector<Json> graphqlVariables() const {
        std::vector<Json> out;
        for (const auto& request : server_.requests()) {
            if (request.uri == "/api/v2/graphql")
                out.push_back(*parse(request.body).find("variables"));
        }
        return out;
    }

    sdk::InboundRequest webhook(const std::string& body,
                                const std::string& type = "application/x-www-form-urlencoded") {
        sdk::InboundRequest request;
        request.method = "POST";
        request.content_type = type;
        request.body = body;
        return request;
    }

    relais::test::TestServices services_;
    std::unique_ptr<sdk::Host> host_;
    std::unique_ptr<DsAdapter> adapter_;
    // Set before any call; read on the server's thread.
    std::string first_file_ = "ok.pdf";
    std::string refreshed_file_ = "fresh.pdf";
    std::atomic<int> dossier_reads_ = 0;
    MockHttpServer server_;
};

TEST_F(DsAdapterTest, PollsTwoPagesThenNothingNewAndKeepsItsCursor) {
    configure();
    auto first = adapter_->poll("");
    ASSERT_TRUE(first) << first.error().message;
    ASSERT_EQ(first->dossiers.size(), 1u);
    EXPECT_EQ(first->dossiers[0].source_key, "1");
    EXPECT_EQ(first->dossiers[0].source, "ds-ville");
    EXPECT_EQ(first->dossiers[0].procedure, "ds-4242");
    EXPECT_TRUE(first->more);
    ASSERT_EQ(first->events.size(), 2u);
    EXPECT_EQ(first->events[0].event.source_event_key, "traitement:T1");
    EXPECT_EQ(first->events[1].source_key, "7");
    EXPECT_EQ(first->events[1].event.source_event_key, "deleted:RGVsLTc=");
    EXPECT_EQ(*first->events[1].event.payload.find("status"), Json("withdrawn"));

    auto second = adapter_->poll(first->next_cursor);
    ASSERT_TRUE(second) << second.error().message;
    ASSERT_EQ(second->dossiers.size(), 1u);
    EXPECT_EQ(second->dossiers[0].source_key, "2");
    EXPECT_FALSE(second->more);

    auto third = adapter_->poll(second->next_cursor);
    ASSERT_TRUE(third) << third.error().message;
    EXPECT_TRUE(third->dossiers.empty());
    EXPECT_TRUE(third->events.empty());
    EXPECT_FALSE(third->more);

    const auto asked = graphqlVariables();
    ASSERT_EQ(asked.size(), 3u);
    EXPECT_EQ(asked[0], parse(R"({"demarche":4242,"first":1,"after":null,"since":null,
        "deletedFirst":1,"deletedAfter":null,"deletedSince":null})"));
    EXPECT_EQ(*asked[1].find("after"), Json("c1"));
    EXPECT_TRUE(asked[1].find("since")->isNull());
    // The pass ended: from the latest modification met, from the first page again.
    EXPECT_EQ(*asked[2].find("since"), Json("2026-11-30T11:00:00+01:00"));
    EXPECT_TRUE(asked[2].find("after")->isNull());
    EXPECT_EQ(*asked[2].find("deletedSince"), Json("2026-11-30T09:00:00+01:00"));
}

TEST_F(DsAdapterTest, APollWithARefusedTokenFailsNamingTheToken) {
    (void)services_.dir().write("secrets/wrong", "not-the-token\n");
    configure({{"token", "file:secrets/wrong"}});
    auto polled = adapter_->poll("");
    ASSERT_FALSE(polled);
    EXPECT_EQ(polled.error().code, ErrorCode::Permanent);
    EXPECT_EQ(polled.error().field, "token");
}

TEST_F(DsAdapterTest, TheWebhookFetchesThatOneDossier) {
    configure();
    auto batch =
        adapter_->parseInbound(webhook("procedure_id=4242&dossier_id=2026001&state=en_construction&"
                                       "updated_at=2026-11-30T10%3A00%3A00%2B01%3A00"));
    ASSERT_TRUE(batch) << batch.error().message;
    ASSERT_EQ(batch->dossiers.size(), 1u);
    EXPECT_EQ(batch->dossiers[0].source_key, "2026001");
    ASSERT_EQ(batch->events.size(), 1u);
    EXPECT_EQ(batch->events[0].source_key, "2026001");
    const auto asked = graphqlVariables();
    ASSERT_EQ(asked.size(), 1u);
    EXPECT_EQ(asked[0], parse(R"({"number":2026001})"));
}

TEST_F(DsAdapterTest, TheWebhookTrustsNothingItSays) {
    configure();
    const auto field = [&](const sdk::InboundRequest& request) {
        auto batch = adapter_->parseInbound(request);
        EXPECT_FALSE(batch);
        if (batch) return std::string();
        EXPECT_EQ(batch.error().code, ErrorCode::InvalidArgument) << batch.error().message;
        return batch.error().field;
    };
    EXPECT_EQ(field(webhook("procedure_id=999&dossier_id=2026001")), "procedure_id");
    EXPECT_EQ(field(webhook("dossier_id=2026001")), "procedure_id");
    EXPECT_EQ(field(webhook("procedure_id=4242&dossier_id=abc")), "dossier_id");
    EXPECT_EQ(field(webhook("procedure_id=4242&dossier_id=%zz")), "body");
    EXPECT_EQ(field(webhook(R"({"dossier_id":1})", "application/json")), "Content-Type");
    EXPECT_EQ(server_.count(), 0u);
}

TEST_F(DsAdapterTest, AWebhookForADossierOfAnotherDemarcheIsRefused) {
    configure({{"demarches", "4242, 555"}});
    auto batch = adapter_->parseInbound(webhook("procedure_id=555&dossier_id=2026001"));
    ASSERT_FALSE(batch);
    EXPECT_EQ(batch.error().field, "dossier_id");
}

// The dossier as the webhook brought it, and its one attachment.
class DsAttachmentTest : public DsAdapterTest {
protected:
    sdk::Dossier received() {
        configure();
        auto batch = adapter_->parseInbound(webhook("procedure_id=4242&dossier_id=2026001"));
        EXPECT_TRUE(batch) << batch.error().message;
        EXPECT_EQ(batch->dossiers[0].attachments.size(), 1u);
        return batch->dossiers[0];
    }
};

TEST_F(DsAttachmentTest, DownloadsAFileThatMatchesItsChecksum) {
    const sdk::Dossier dossier = received();
    auto content = adapter_->fetchAttachment(dossier, dossier.attachments[0]);
    ASSERT_TRUE(content) << content.error().message;
    EXPECT_EQ(content->bytes, kPdf);
    EXPECT_EQ(content->content_type, "application/pdf");
}

TEST_F(DsAttachmentTest, AFileThatDoesNotMatchItsChecksumIsRefusedByName) {
    sdk::Dossier dossier = received();
    dossier.attachments[0].source_url = server_.url("/files/other.pdf");
    dossier.attachments[0].size = 0;  // only the checksum can tell
    auto content = adapter_->fetchAttachment(dossier, dossier.attachments[0]);
    ASSERT_FALSE(content);
    EXPECT_EQ(content.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(content.error().message.find("justificatif.pdf"), std::string::npos);
    EXPECT_NE(content.error().message.find("checksum"), std::string::npos);
}

TEST_F(DsAttachmentTest, AFileOfAnotherSizeIsRefused) {
    sdk::Dossier dossier = received();
    dossier.attachments[0].source_url = server_.url("/files/altered.pdf");
    auto content = adapter_->fetchAttachment(dossier, dossier.attachments[0]);
    ASSERT_FALSE(content);
    EXPECT_EQ(content.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(content.error().message.find("justificatif.pdf"), std::string::npos);
}

TEST_F(DsAttachmentTest, AnExpiredUrlIsAskedAgainOnceThenDownloaded) {
    first_file_ = "expired.pdf";
    const sdk::Dossier dossier = received();
    EXPECT_EQ(dossier.attachments[0].source_url, server_.url("/files/expired.pdf"));
    auto content = adapter_->fetchAttachment(dossier, dossier.attachments[0]);
    ASSERT_TRUE(content) << content.error().message;
    EXPECT_EQ(content->bytes, kPdf);
    std::vector<std::string> uris;
    for (const auto& request : server_.requests()) uris.push_back(request.uri);
    EXPECT_EQ(uris, (std::vector<std::string>{"/api/v2/graphql", "/files/expired.pdf",
                                              "/api/v2/graphql", "/files/fresh.pdf"}));
}

TEST_F(DsAttachmentTest, AnUrlStillExpiredAfterTheRefreshIsAnError) {
    first_file_ = "expired.pdf";
    sdk::Dossier dossier = received();
    refreshed_file_ = "expired.pdf";  // DS keeps giving a URL that is refused
    auto content = adapter_->fetchAttachment(dossier, dossier.attachments[0]);
    ASSERT_FALSE(content);
    EXPECT_EQ(content.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(content.error().message.find("403"), std::string::npos) << content.error().message;
    EXPECT_EQ(server_.count(), 4u);  // webhook read, download, one re-read, one download
}

}  // namespace
}  // namespace relais::adapters::ds
