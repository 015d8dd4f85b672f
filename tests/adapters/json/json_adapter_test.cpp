// SPDX-License-Identifier: AGPL-3.0-or-later
// Logic tests of the generic JSON adapter, without loading its library.

#include "json_adapter.h"

#include <gtest/gtest.h>

#include "relais/sdk/host.h"

#include "support/mock_http_server.h"
#include "support/temp_dir.h"
#include "support/test_host.h"

namespace relais::adapters::json {
namespace {

Layout demoLayout() {
    Layout layout;
    layout.source_key = "numero_dossier";
    layout.procedure = "restauration-scolaire";
    layout.submitted_at = "date_depot";
    layout.portal_status = "statut";
    layout.required_fields = {"numero_dossier", "demandeur", "enfants"};
    layout.subject_france_connect = "demandeur.identifiant_franceconnect";
    layout.attachments = "pieces_jointes";
    layout.attachment_name = "nom_fichier";
    layout.attachment_content_type = "type_mime";
    layout.attachment_sha256 = "empreinte_sha256";
    layout.attachment_size = "taille_octets";
    layout.attachment_kind = "type_piece";
    return layout;
}

const sdk::Timestamp kNow = sdk::Timestamp::fromUnixSeconds(1'800'000'000);

sdk::Result<sdk::Dossier> parse(const Layout& layout, const std::string& body) {
    return parseDossier(layout, body, "portail", kNow);
}

TEST(JsonAdapter, TurnsTheBenchDossierIntoACanonicalDossier) {
    const std::string body = test::readSourceFile("tests/fixtures/bench/dossier.json");
    auto dossier = parse(demoLayout(), body);
    ASSERT_TRUE(dossier.ok()) << dossier.error().message;
    EXPECT_EQ(dossier->source, "portail");
    EXPECT_EQ(dossier->source_key, "RS-2026-004217");
    EXPECT_EQ(dossier->procedure, "restauration-scolaire");
    EXPECT_EQ(dossier->submitted_at.toUtcString(), "2026-11-14T00:00:00Z");
    EXPECT_EQ(dossier->portal_status, "depose");
    ASSERT_TRUE(dossier->subject.has_value());
    EXPECT_EQ(dossier->subject->france_connect_sub,
              "b6048e95bb134ec5b1d1e1fa69f287172e91722b9354d637a1bcf2ebb0fd2ef5v1");
    ASSERT_EQ(dossier->attachments.size(), 1U);
    EXPECT_EQ(dossier->attachments[0].name, "facture-electricite-octobre-2026.pdf");
    EXPECT_EQ(dossier->attachments[0].size, 184233);
    EXPECT_EQ(dossier->attachments[0].kind, "JUSTIFICATIF_DOMICILE");
    EXPECT_EQ(dossier->fields, *sdk::Json::parse(body));
}

TEST(JsonAdapter, ReadsTheProcedureFromTheBodyWhenConfiguredSo) {
    Layout layout = demoLayout();
    layout.procedure.clear();
    layout.procedure_field = "metadonnees.identifiant_demarche";
    auto dossier = parse(layout, test::readSourceFile("tests/fixtures/bench/dossier.json"));
    ASSERT_TRUE(dossier.ok()) << dossier.error().message;
    EXPECT_EQ(dossier->procedure, "restauration-scolaire-2026");
}

TEST(JsonAdapter, AcceptsNumericIdsAndRfc3339Dates) {
    Layout layout;
    layout.source_key = "id";
    layout.procedure = "p";
    layout.submitted_at = "at";
    auto dossier = parse(layout, R"({"id": 42, "at": "2026-11-14T09:42:17+01:00"})");
    ASSERT_TRUE(dossier.ok()) << dossier.error().message;
    EXPECT_EQ(dossier->source_key, "42");
    EXPECT_EQ(dossier->submitted_at.toString(), "2026-11-14T09:42:17+01:00");
}

TEST(JsonAdapter, UsesTheReceptionTimeWithoutADateField) {
    Layout layout;
    layout.source_key = "id";
    layout.procedure = "p";
    auto dossier = parse(layout, R"({"id": "a"})");
    ASSERT_TRUE(dossier.ok());
    EXPECT_EQ(dossier->submitted_at, kNow);
}

struct Refusal {
    const char* body;
    const char* field;
    const char* message;
};

class JsonAdapterRefuses : public ::testing::TestWithParam<Refusal> {};

TEST_P(JsonAdapterRefuses, NamingTheField) {
    auto dossier = parse(demoLayout(), GetParam().body);
    ASSERT_FALSE(dossier.ok());
    EXPECT_EQ(dossier.error().code, sdk::ErrorCode::InvalidArgument);
    EXPECT_EQ(dossier.error().field, GetParam().field);
    EXPECT_NE(dossier.error().message.find(GetParam().message), std::string::npos)
        << dossier.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    BadBodies, JsonAdapterRefuses,
    ::testing::Values(Refusal{"[1,2]", "", "must be a JSON object"},
                      Refusal{"{\"numero_dossier\": ", "", "invalid JSON at line 1"},
                      Refusal{R"({"demandeur": {}, "enfants": [1]})", "numero_dossier",
                              "dossier id"},
                      Refusal{R"({"numero_dossier": "", "demandeur": {"a":1}, "enfants": [1]})",
                              "numero_dossier", "dossier id"},
                      Refusal{R"({"numero_dossier": "X", "demandeur": {"a":1}, "enfants": []})",
                              "enfants", "required field 'enfants'"},
                      Refusal{R"({"numero_dossier": "X", "demandeur": {"a":1}, "enfants": [1],
                    "date_depot": "31/02/2026"})",
                              "date_depot", "is not a date"},
                      Refusal{R"({"numero_dossier": "X", "demandeur": {"a":1}, "enfants": [1],
                    "date_depot": 20261114})",
                              "date_depot", "must be a date string"},
                      Refusal{R"({"numero_dossier": "X", "demandeur": {"a":1}, "enfants": [1],
                    "pieces_jointes": {"a": 1}})",
                              "pieces_jointes", "must be an array"},
                      Refusal{R"({"numero_dossier": "X", "demandeur": {"a":1}, "enfants": [1],
                    "pieces_jointes": [{"taille_octets": -1}]})",
                              "pieces_jointes[0].taille_octets", "non-negative integer"},
                      Refusal{R"({"numero_dossier": "X", "demandeur": {"a":1}, "enfants": [1],
                    "pieces_jointes": [{"empreinte_sha256": "abc"}]})",
                              "pieces_jointes[0].empreinte_sha256", "64 hexadecimal digits"}));

TEST(JsonAdapter, RefusesASiretThatIsNotFourteenDigits) {
    Layout layout;
    layout.source_key = "id";
    layout.procedure = "p";
    layout.subject_siret = "entreprise.siret";
    auto dossier = parse(layout, R"({"id": "1", "entreprise": {"siret": "1234"}})");
    ASSERT_FALSE(dossier.ok());
    EXPECT_EQ(dossier.error().field, "entreprise.siret");
    auto good = parse(layout, R"({"id": "1", "entreprise": {"siret": "13002526500013"}})");
    ASSERT_TRUE(good.ok());
    EXPECT_EQ(good->subject->siren, "130025265");
    EXPECT_EQ(good->subject->kind, sdk::SubjectKind::Company);
}

TEST(JsonAdapter, SettingsNeedExactlyOneProcedureSource) {
    sdk::Settings neither({{"source-key", sdk::ConfigType::String, "id", 0, false, {}, false}});
    EXPECT_FALSE(layoutFromSettings(neither).ok());
    sdk::Settings both({{"source-key", sdk::ConfigType::String, "id", 0, false, {}, false},
                        {"procedure", sdk::ConfigType::String, "p", 0, false, {}, false},
                        {"procedure-field", sdk::ConfigType::String, "q", 0, false, {}, false}});
    EXPECT_EQ(layoutFromSettings(both).error().field, "procedure");
}

TEST(JsonAdapter, ParseInboundRefusesNonJsonContentTypes) {
    test::TestServices services;
    auto host = services.host("portail");
    JsonAdapter adapter(*host);
    ASSERT_TRUE(adapter
                    .configure(sdk::Settings(
                        {{"source-key", sdk::ConfigType::String, "id", 0, false, {}, false},
                         {"procedure", sdk::ConfigType::String, "p", 0, false, {}, false}}))
                    .ok());
    sdk::InboundRequest request;
    request.content_type = "text/plain";
    request.body = R"({"id": "1"})";
    EXPECT_EQ(adapter.parseInbound(request).error().field, "Content-Type");
    request.content_type = "application/json; charset=utf-8";
    auto batch = adapter.parseInbound(request);
    ASSERT_TRUE(batch.ok()) << batch.error().message;
    ASSERT_EQ(batch->dossiers.size(), 1U);
    EXPECT_EQ(batch->dossiers[0].source, "portail");
}

TEST(JsonAdapter, WithoutASourceKeyPathTheIdempotencyKeyHeaderIsTheKey) {
    test::TestServices services;
    auto host = services.host("portail");
    JsonAdapter adapter(*host);
    ASSERT_TRUE(adapter
                    .configure(sdk::Settings(
                        {{"source-key", sdk::ConfigType::String, "", 0, false, {}, false},
                         {"procedure", sdk::ConfigType::String, "p", 0, false, {}, false}}))
                    .ok());
    sdk::InboundRequest request;
    request.content_type = "application/json";
    request.body = R"({"numero_dossier": "RS-1"})";
    request.headers = {{"idempotency-key", "8e03978e-40d5-43e8-bc93-6894a57f9324"}};
    auto keyed = adapter.parseInbound(request);
    ASSERT_TRUE(keyed.ok()) << keyed.error().message;
    EXPECT_EQ(keyed->dossiers[0].source_key, "8e03978e-40d5-43e8-bc93-6894a57f9324");
    // No header: no key; the core then keys the dossier itself (no deduplication).
    request.headers.clear();
    auto unkeyed = adapter.parseInbound(request);
    ASSERT_TRUE(unkeyed.ok()) << unkeyed.error().message;
    EXPECT_EQ(unkeyed->dossiers[0].source_key, "");
}

class JsonAdapterCallback : public ::testing::Test {
protected:
    void configure(const std::string& url) {
        host_ = services_.host("portail");
        adapter_ = std::make_unique<JsonAdapter>(*host_);
        ::setenv("RELAIS_TEST_CALLBACK_TOKEN", "callback-secret-0123456789", 1);
        auto configured = adapter_->configure(sdk::Settings(
            {{"source-key", sdk::ConfigType::String, "id", 0, false, {}, false},
             {"procedure", sdk::ConfigType::String, "p", 0, false, {}, false},
             {"callback-url", sdk::ConfigType::Url, url, 0, false, {}, false},
             {"callback-token",
              sdk::ConfigType::Secret,
              "env:RELAIS_TEST_CALLBACK_TOKEN",
              0,
              false,
              {},
              false},
             {"callback-timeout", sdk::ConfigType::Duration, "2s", 2000, false, {}, false}}));
        ASSERT_TRUE(configured.ok()) << configured.error().message;
    }

    sdk::Result<sdk::PushReceipt> push() {
        sdk::Dossier dossier;
        dossier.id = "0b7e7a4e-0000-4000-8000-000000000001";
        dossier.source_key = "RS-1";
        dossier.procedure = "p";
        dossier.status = sdk::Status::Accepted;
        sdk::Event event;
        event.id = "ev-1";
        event.type = "status_changed";
        event.payload = sdk::Json::Object{{"status", "accepted"}};
        return adapter_->pushEvent(dossier, event);
    }

    test::TestServices services_;
    std::unique_ptr<sdk::Host> host_;
    std::unique_ptr<JsonAdapter> adapter_;
};

TEST_F(JsonAdapterCallback, PostsTheEventWithTheBearerToken) {
    test::MockHttpServer portal;
    configure(portal.url("/statuts"));
    auto receipt = push();
    ASSERT_TRUE(receipt.ok()) << receipt.error().message;
    const auto requests = portal.requests();
    ASSERT_EQ(requests.size(), 1U);
    EXPECT_EQ(requests[0].method, "POST");
    EXPECT_EQ(requests[0].uri, "/statuts");
    EXPECT_EQ(requests[0].header("Authorization"), "Bearer callback-secret-0123456789");
    EXPECT_EQ(requests[0].header("Idempotency-Key"), "ev-1");
    auto body = sdk::Json::parse(requests[0].body);
    ASSERT_TRUE(body.ok());
    EXPECT_EQ(body->path("dossier.status")->asString(), "accepted");
    EXPECT_EQ(body->path("event.payload.status")->asString(), "accepted");
    EXPECT_EQ(services_.logs().find("callback-secret-0123456789"), std::string::npos);
}

TEST_F(JsonAdapterCallback, ServerErrorsAreRetryableClientErrorsPermanent) {
    test::MockHttpServer portal([](const test::ReceivedRequest&) {
        return test::MockResponse{503, "text/plain", "busy", {{"Retry-After", "7"}}};
    });
    configure(portal.url("/statuts"));
    auto busy = push();
    ASSERT_FALSE(busy.ok());
    EXPECT_EQ(busy.error().code, sdk::ErrorCode::Retryable);
    EXPECT_EQ(busy.error().retry_after_seconds, 7);

    portal.setHandler([](const test::ReceivedRequest&) {
        return test::MockResponse{404, "text/plain", "no such dossier", {}};
    });
    EXPECT_EQ(push().error().code, sdk::ErrorCode::Permanent);
}

}  // namespace
}  // namespace relais::adapters::json
