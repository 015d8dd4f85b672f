// SPDX-License-Identifier: AGPL-3.0-or-later
#include "direct_upload.h"

#include <memory>
#include <string>

#include <Poco/SHA2Engine.h>
#include <gtest/gtest.h>

#include "relais/host/http_client.h"
#include "relais/sdk/signing.h"

#include "checksum.h"
#include "fake_ds.h"
#include "push.h"
#include "support/mock_http_server.h"

namespace relais::adapters::ds {
namespace {

using sdk::ErrorCode;

const std::string kPdf = "%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";

std::string sha256Hex(const std::string& bytes) {
    Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
    engine.update(bytes);
    return Poco::DigestEngine::digestToHex(engine.digest());
}

// Plays both the place the event's documents are fetched from (GET /files/…) and DS's
// storage (PUT /storage/…), which, like ActiveStorage's services, refuses bytes whose MD5 is
// not the Content-MD5 it was promised.
class DsUploadTest : public ::testing::Test {
protected:
    DsUploadTest()
        : http_(host::makeHttpClient()), server_([](const test::ReceivedRequest& request) {
              test::MockResponse response;
              if (request.method == "GET" && request.uri == "/files/decision.pdf") {
                  response.content_type = "application/pdf";
                  response.body = kPdf;
              } else if (request.method == "PUT" && request.uri.rfind("/storage/", 0) == 0) {
                  const bool intact = request.header("Content-MD5") == md5Base64(request.body);
                  response.status = intact ? 204 : 400;
                  response.body = intact ? "" : "BadDigest";
              } else {
                  response.status = 404;
              }
              return response;
          }) {
        ds_.upload_url = server_.url("/storage/blob-42?signature=abc");
        settings_.instructeur_id = "SW5zdHJ1Y3RldXItNw==";
        dossier_.source_key = "123";
    }

    sdk::Json document(const std::string& sha256 = sha256Hex(kPdf)) const {
        sdk::Json doc = sdk::Json::object();
        doc.set("name", "arrete-2026-014.pdf");
        doc.set("url", server_.url("/files/decision.pdf"));
        doc.set("content_type", "application/pdf");
        doc.set("sha256", sha256);
        return doc;
    }

    std::vector<test::ReceivedRequest> puts() const {
        std::vector<test::ReceivedRequest> out;
        for (auto& request : server_.requests()) {
            if (request.method == "PUT") out.push_back(request);
        }
        return out;
    }

    std::unique_ptr<sdk::HttpClient> http_;
    test::MockHttpServer server_;
    test::FakeDs ds_;
    PushSettings settings_;
    sdk::Dossier dossier_;
};

TEST(DsMd5Test, Md5Base64MatchesKnownVectors) {
    EXPECT_EQ(md5Base64(""), "1B2M2Y8AsgTpgAmY7PhCfg==");
    EXPECT_EQ(md5Base64("hello"), "XUFAKrxLKna5cZ2REBfFkg==");
}

TEST_F(DsUploadTest, DirectUploadPutsTheBytesWithDsHeadersAndChecksum) {
    const UploadFile file{"arrete.pdf", "application/pdf", kPdf};
    auto blob = directUpload(ds_.call(), *http_, ds_.id, file, "evt-1:upload", 5000);
    ASSERT_TRUE(blob.ok()) << blob.error().message;
    EXPECT_EQ(*blob, "signed-blob-42");

    const sdk::Json input = ds_.lastInput("createDirectUpload");
    EXPECT_EQ(input.find("dossierId")->asString(), ds_.id);
    EXPECT_EQ(input.find("filename")->asString(), "arrete.pdf");
    EXPECT_EQ(input.find("byteSize")->asInt(), static_cast<std::int64_t>(kPdf.size()));
    EXPECT_EQ(input.find("checksum")->asString(), md5Base64(kPdf));
    EXPECT_EQ(input.find("contentType")->asString(), "application/pdf");
    EXPECT_EQ(input.find("clientMutationId")->asString(), "evt-1:upload");

    const auto received = puts();
    ASSERT_EQ(received.size(), 1U);
    EXPECT_EQ(received[0].uri, "/storage/blob-42?signature=abc");
    EXPECT_EQ(received[0].body, kPdf);
    EXPECT_EQ(received[0].header("Content-Type"), "application/pdf");
    EXPECT_EQ(received[0].header("Content-MD5"), md5Base64(kPdf));
}

TEST_F(DsUploadTest, StorageRefusalIsPermanentAndItsFailureRetryable) {
    server_.setHandler([](const test::ReceivedRequest&) {
        return test::MockResponse{503, "text/plain", "SlowDown", {{"Retry-After", "7"}}};
    });
    const UploadFile file{"a.pdf", "application/pdf", kPdf};
    auto busy = directUpload(ds_.call(), *http_, ds_.id, file, {}, 5000);
    ASSERT_FALSE(busy.ok());
    EXPECT_EQ(busy.error().code, ErrorCode::Retryable);
    EXPECT_EQ(busy.error().retry_after_seconds, 7);

    server_.setHandler([](const test::ReceivedRequest&) {
        return test::MockResponse{403, "text/plain", "SignatureDoesNotMatch", {}};
    });
    auto refused = directUpload(ds_.call(), *http_, ds_.id, file, {}, 5000);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ErrorCode::Permanent);
    EXPECT_NE(refused.error().message.find("SignatureDoesNotMatch"), std::string::npos);
}

TEST_F(DsUploadTest, DecisionCarriesItsFirstDocumentAsJustificatif) {
    sdk::Event event;
    event.id = "evt-9";
    event.type = "status_changed";
    event.payload = sdk::Json::object();
    event.payload.set("status", "accepted");
    event.payload.set("message", "Subvention accordée.");
    event.payload.set("documents", sdk::Json::Array{document()});
    auto receipt = pushEvent(ds_.call(), settings_, dossier_, event, *http_);
    ASSERT_TRUE(receipt.ok()) << receipt.error().message;
    EXPECT_EQ(ds_.lastInput("dossierAccepter").find("justificatif")->asString(), "signed-blob-42");
    EXPECT_EQ(ds_.lastInput("createDirectUpload").find("filename")->asString(),
              "arrete-2026-014.pdf");
    ASSERT_EQ(puts().size(), 1U);
    EXPECT_EQ(puts()[0].body, kPdf);
    // The upload comes before the first mutation.
    EXPECT_EQ(ds_.operations(),
              (std::vector<std::string>{"dossier", "createDirectUpload",
                                        "dossierPasserEnInstruction", "dossierAccepter"}));
}

TEST_F(DsUploadTest, DocumentWithAnotherChecksumLeavesDsUntouched) {
    sdk::Event event;
    event.type = "status_changed";
    event.payload = sdk::Json::object();
    event.payload.set("status", "refused");
    event.payload.set("message", "Hors délai.");
    event.payload.set("documents", sdk::Json::Array{document(std::string(64, '0'))});
    auto receipt = pushEvent(ds_.call(), settings_, dossier_, event, *http_);
    ASSERT_FALSE(receipt.ok());
    EXPECT_EQ(receipt.error().code, ErrorCode::Permanent);
    EXPECT_EQ(receipt.error().field, "documents[0].sha256");
    EXPECT_EQ(ds_.operations(), (std::vector<std::string>{"dossier"}));
    EXPECT_EQ(ds_.state, "en_construction");
}

TEST_F(DsUploadTest, MessageCarriesItsDocumentAsAttachment) {
    sdk::Event event;
    event.type = "document_added";
    event.payload = sdk::Json::object();
    event.payload.set("documents", sdk::Json::Array{document()});
    auto receipt = pushEvent(ds_.call(), settings_, dossier_, event, *http_);
    ASSERT_TRUE(receipt.ok()) << receipt.error().message;
    ASSERT_EQ(ds_.messages.size(), 1U);
    EXPECT_EQ(ds_.messages[0].body, "arrete-2026-014.pdf");
    EXPECT_EQ(ds_.messages[0].attachment, "signed-blob-42");
    EXPECT_EQ(puts().size(), 1U);
}

}  // namespace
}  // namespace relais::adapters::ds
