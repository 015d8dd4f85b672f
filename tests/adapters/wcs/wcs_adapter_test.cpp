// SPDX-License-Identifier: AGPL-3.0-or-later
// Logic tests of the w.c.s. adapter against the w.c.s. double on 127.0.0.1, with the real host
// services (HTTP client, secrets, clock). The double checks every Publik signature with its
// own libcrypto code, so a call it answers 200 was signed right.

#include "wcs_adapter.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "relais/common/errors.h"
#include "relais/plugin/instance.h"
#include "relais/sdk/host.h"
#include "relais/sdk/plugin.h"

#include "cantine_workflow.h"
#include "config_keys.h"
#include "local_time.h"
#include "plugins/support/instance_config.h"
#include "support/mock_http_server.h"
#include "support/test_host.h"
#include "wcs_mock.h"

namespace relais::adapters::wcs {
namespace {

using sdk::ErrorCode;
using Params = std::vector<std::pair<std::string, std::string>>;

constexpr sdk::PluginInfo kTestInfo{
    .id = "wcs",
    .version = "1.0.0",
    .summary = "w.c.s. adapter (logic tests)",
    .config_keys = kConfigKeys,
    .endpoints = {},
    .flags = sdk::plugin_flag::kReentrant | sdk::plugin_flag::kPersonalData};
constexpr relais_plugin_descriptor kDescriptor =
    sdk::detail::makeDescriptor<WcsAdapter, kTestInfo>();

constexpr const char* kOrig = "relais.mairie.example";
constexpr const char* kSecret = "wcs-Kq3v9-shared-key-for-relais";
constexpr const char* kSlug = "cantine-inscription";

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

class WcsAdapterTest : public ::testing::Test {
protected:
    WcsAdapterTest() : mock_(mockOptions()) {
        mock_.addForm(test::cantineForm());
        (void)services_.dir().write("secrets/wcs", std::string(kSecret) + "\n");
        (void)services_.dir().write("secrets/wrong", "not-the-shared-key\n");
        host_ = services_.host("demarches");
        adapter_ = std::make_unique<WcsAdapter>(*host_);
    }

    static wcs_mock::WcsMock::Options mockOptions() {
        wcs_mock::WcsMock::Options options;
        options.secrets = {{kOrig, kSecret}};
        return options;
    }

    sdk::Settings settings(const Params& params) const {
        try {
            return plugin::validateSettings(
                kDescriptor,
                test::instanceConfig("demarches", "wcs", params,
                                     services_.dir().file("relais.xml")),
                services_.dir().path());
        } catch (const ConfigError& e) {
            ADD_FAILURE() << e.message();
            return {};
        }
    }

    Params defaults() const {
        return {
            {"url", mock_.baseUrl()},
            {"orig", kOrig},
            {"secret", "file:secrets/wcs"},
            {"status-map", "1:submitted, 2:in_review, 3:accepted, 4:refused, 5:awaiting_applicant"},
            {"triggers",
             "in_review:instruire, accepted:accepter, refused:refuser, "
             "awaiting_applicant:completer"},
            {"message-hook", "message"},
            {"timeout", "5s"}};
    }

    void configure(Params changes = {}) {
        Params params = defaults();
        for (auto& [name, value] : changes) {
            bool replaced = false;
            for (auto& [n, v] : params) {
                if (n == name) {
                    v = value;
                    replaced = true;
                }
            }
            if (!replaced) params.emplace_back(name, value);
        }
        auto configured = adapter_->configure(settings(params));
        ASSERT_TRUE(configured) << configured.error().message;
    }

    // A dossier filed on the double, as its webservice action posts it to relais.
    sdk::Dossier inbound(int* id_out = nullptr) {
        const int id = mock_.createFormdata(kSlug, test::cantineFields(), test::cantineUser(),
                                            "2026-11-30T10:12:44");
        if (id_out != nullptr) *id_out = id;
        const auto call =
            mock_.webserviceCall(kSlug, id, "http://127.0.0.1:9/inbound", kOrig, kSecret);
        sdk::InboundRequest request;
        request.method = "POST";
        request.content_type = "application/json";
        request.body = call.body;
        auto batch = adapter_->parseInbound(request);
        EXPECT_TRUE(batch) << batch.error().message;
        return batch && batch->dossiers.size() == 1 ? batch->dossiers.front() : sdk::Dossier{};
    }

    static sdk::Event statusEvent(const std::string& status) {
        sdk::Event event;
        event.id = "ev-" + status;
        event.type = std::string(sdk::event_type::kStatusChanged);
        event.side = sdk::EventSide::Backoffice;
        event.occurred_at = sdk::Timestamp::fromUnixSeconds(1'796'040'000);
        event.payload = sdk::Json::object();
        event.payload.set("status", status);
        event.payload.set("motivation", "quotient familial justifié");
        event.is_public = true;
        return event;
    }

    std::vector<wcs_mock::ReceivedCall> posts() const {
        std::vector<wcs_mock::ReceivedCall> out;
        for (auto& call : mock_.calls()) {
            if (call.method == "POST") out.push_back(call);
        }
        return out;
    }

    test::TestServices services_;
    wcs_mock::WcsMock mock_;
    std::unique_ptr<sdk::Host> host_;
    std::unique_ptr<WcsAdapter> adapter_;
};

TEST_F(WcsAdapterTest, TurnsTheExportAWebserviceActionPostsIntoADossier) {
    configure();
    const sdk::Dossier dossier = inbound();
    EXPECT_EQ(dossier.source, "demarches");
    EXPECT_EQ(dossier.source_key, "cantine-inscription:1");
    EXPECT_EQ(dossier.procedure, "cantine-inscription");
    // 10:12:44 in Paris in November is 09:12:44Z (CET, +01:00).
    EXPECT_EQ(dossier.submitted_at.micros, 1'796'029'964LL * 1'000'000);
    EXPECT_EQ(dossier.submitted_at.offset_minutes, 60);
    EXPECT_EQ(dossier.portal_status, "1");
    EXPECT_EQ(dossier.fields.find("nom_enfant")->asString(), "Exemple");
    EXPECT_EQ(dossier.fields.path("_wcs.api_url")->asString(),
              mock_.baseUrl() + "api/forms/cantine-inscription/1/");
    EXPECT_EQ(dossier.fields.path("_wcs.display_id")->asString(), "1-1");
    EXPECT_EQ(dossier.fields.path("_wcs.status.name")->asString(), "Nouveau");
    EXPECT_EQ(dossier.fields.path("_wcs.user.email")->asString(), "camille@example.org");
    ASSERT_TRUE(dossier.subject.has_value());
    EXPECT_EQ(dossier.subject->france_connect_sub, "a1b2c3d4e5");
    ASSERT_EQ(dossier.attachments.size(), 1U);
    EXPECT_EQ(dossier.attachments[0].name, "qf.pdf");
    EXPECT_EQ(dossier.attachments[0].kind, "justificatif");
    EXPECT_EQ(dossier.attachments[0].content_type, "application/pdf");
    EXPECT_TRUE(dossier.attachments[0].source_url.ends_with("download?f=3"));
}

TEST_F(WcsAdapterTest, AFixedProcedureReplacesTheFormSlug) {
    configure({{"procedure", "restauration-scolaire"}});
    EXPECT_EQ(inbound().procedure, "restauration-scolaire");
}

TEST(WcsLocalTime, NaiveTimesFollowTheZoneAcrossDaylightSaving) {
    auto summer = parseLocalTime("2026-07-14T10:12:44", "Europe/Paris");
    ASSERT_TRUE(summer) << summer.error().message;
    EXPECT_EQ(summer->micros, 1'784'016'764LL * 1'000'000);
    EXPECT_EQ(summer->offset_minutes, 120);
    EXPECT_EQ(summer->toString(), "2026-07-14T10:12:44+02:00");
    auto winter = parseLocalTime("2026-11-30 10:12:44.250000", "Europe/Paris");
    ASSERT_TRUE(winter) << winter.error().message;
    EXPECT_EQ(winter->micros, 1'796'029'964LL * 1'000'000 + 250'000);
    EXPECT_EQ(winter->offset_minutes, 60);
    // 02:30 does not exist on 29 March 2026 in Paris: moved forward by the gap.
    auto gap = parseLocalTime("2026-03-29T02:30:00", "Europe/Paris");
    ASSERT_TRUE(gap) << gap.error().message;
    EXPECT_EQ(gap->micros, 1'774'747'800LL * 1'000'000);
    EXPECT_EQ(gap->offset_minutes, 120);
    auto utc = parseLocalTime("2026-07-14T10:12:44", "UTC");
    ASSERT_TRUE(utc);
    EXPECT_EQ(utc->offset_minutes, 0);
    auto zoned = parseLocalTime("2026-07-14T10:12:44Z", "Europe/Paris");
    ASSERT_TRUE(zoned);
    EXPECT_EQ(zoned->offset_minutes, 0);
    EXPECT_FALSE(parseLocalTime("2026-02-30T10:00:00", "Europe/Paris"));
    EXPECT_FALSE(parseLocalTime("30/11/2026 10:00", "Europe/Paris"));
    EXPECT_FALSE(parseLocalTime("2026-11-30T24:00:00", "Europe/Paris"));
    EXPECT_TRUE(isKnownZone("Europe/Paris"));
    EXPECT_FALSE(isKnownZone("Europe/Nowhere"));
    EXPECT_FALSE(isKnownZone("../../etc/passwd"));
}

TEST(WcsLocalTime, ALoadedZoneReadsTheRepeatedAutumnHourAsItsFirstOccurrence) {
    auto paris = sdk::TimeZone::load("Europe/Paris");
    ASSERT_TRUE(paris) << paris.error().message;
    auto repeated = parseLocalTime("2026-10-25T02:30:00", *paris);
    ASSERT_TRUE(repeated) << repeated.error().message;
    EXPECT_EQ(repeated->toString(), "2026-10-25T02:30:00+02:00");
    EXPECT_FALSE(parseLocalTime("2026-07-14T10:12:44", "Europe/Nowhere"));
}

TEST_F(WcsAdapterTest, RefusesBadBodiesNamingTheMember) {
    configure();
    const auto field = [&](const std::string& body, const std::string& type = "application/json") {
        sdk::InboundRequest request;
        request.content_type = type;
        request.body = body;
        auto batch = adapter_->parseInbound(request);
        EXPECT_FALSE(batch) << body;
        if (batch) return std::string("accepted");
        EXPECT_EQ(batch.error().code, ErrorCode::InvalidArgument);
        return batch.error().field;
    };
    const std::string status = R"("workflow": {"status": {"id": "1", "name": "Nouveau"}})";
    const std::string time = R"("receipt_time": "2026-11-30T10:12:44")";
    EXPECT_EQ(field("{}", "text/plain"), "Content-Type");
    EXPECT_EQ(field("{" + time + ", " + status + "}"), "id");
    EXPECT_EQ(field(R"({"id": "17", )" + time + ", " + status + "}"), "id");
    EXPECT_EQ(field(R"({"id": "cantine:17", )" + status + "}"), "receipt_time");
    EXPECT_EQ(field(R"({"id": "cantine:17", "receipt_time": "hier", )" + status + "}"),
              "receipt_time");
    EXPECT_EQ(field(R"({"id": "cantine:17", )" + time + "}"), "workflow.status.id");
    EXPECT_EQ(field(R"({"id": "cantine:17", "fields": [], )" + time + ", " + status + "}"),
              "fields");
    EXPECT_EQ(field(R"({"id": "cantine:17", "fields": {"piece": {"filename": "a.pdf",
              "content": "pas du base64"}}, )" +
                    time + ", " + status + "}"),
              "fields.piece.content");
    EXPECT_EQ(field(R"({"id": "cantine:17", "fields": {"piece": {"filename": "a.pdf"}}, )" + time +
                    ", " + status + "}"),
              "fields.piece");
}

TEST_F(WcsAdapterTest, AFileSentInlineBecomesAnAttachmentWithItsChecksum) {
    configure();
    sdk::InboundRequest request;
    request.content_type = "application/json; charset=utf-8";
    request.body = R"({"id": "cantine:17", "receipt_time": "2026-11-30T10:12:44",
        "workflow": {"status": {"id": "1"}},
        "fields": {"piece": {"filename": "a.txt", "content_type": "text/plain",
                             "content": "aGVsbG8="}}})";
    auto batch = adapter_->parseInbound(request);
    ASSERT_TRUE(batch) << batch.error().message;
    const auto& attachment = batch->dossiers.at(0).attachments.at(0);
    EXPECT_EQ(attachment.size, 5);
    EXPECT_EQ(attachment.sha256,
              "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
}

TEST(WcsStatusTables, FormScopedEntriesWinOverTheGenericOnes) {
    auto tables = StatusTables::parse({"2:in_review", "cantine/2:awaiting_applicant"},
                                      {"accepted:accepter", "cantine/accepted:valider"});
    ASSERT_TRUE(tables) << tables.error().message;
    EXPECT_EQ(tables->canonical("cantine", "2"), sdk::Status::AwaitingApplicant);
    EXPECT_EQ(tables->canonical("periscolaire", "2"), sdk::Status::InReview);
    EXPECT_EQ(tables->canonical("cantine", "9"), std::nullopt);
    EXPECT_EQ(tables->trigger("cantine", sdk::Status::Accepted), "valider");
    EXPECT_EQ(tables->trigger("periscolaire", sdk::Status::Accepted), "accepter");
    EXPECT_EQ(tables->trigger("cantine", sdk::Status::Refused), "");
}

TEST(WcsStatusTables, RefusesEntriesItCannotRead) {
    const auto error = [](const std::vector<std::string>& map,
                          const std::vector<std::string>& triggers) {
        auto tables = StatusTables::parse(map, triggers);
        EXPECT_FALSE(tables);
        return tables ? std::string() : tables.error().message;
    };
    EXPECT_TRUE(contains(error({"2:accepte"}, {}), "'accepte' is not a canonical status"));
    EXPECT_TRUE(contains(error({"2"}, {}), "entry '2'"));
    EXPECT_TRUE(contains(error({"2:in_review", "2:accepted"}, {}), "mapped twice"));
    EXPECT_TRUE(contains(error({}, {"acceptee:accepter"}), "triggers: entry 'acceptee:accepter'"));
    EXPECT_TRUE(contains(error({}, {":accepter"}), "empty side"));
}

TEST_F(WcsAdapterTest, AnUnknownTimeZoneStopsTheStart) {
    Params params = defaults();
    params.emplace_back("time-zone", "Europe/Pariss");
    auto configured = adapter_->configure(settings(params));
    ASSERT_FALSE(configured);
    EXPECT_EQ(configured.error().field, "time-zone");
}

TEST_F(WcsAdapterTest, PushReachesTheAcceptedStatusThroughExactlyOneTrigger) {
    configure();
    int id = 0;
    const sdk::Dossier dossier = inbound(&id);
    mock_.setStatus(kSlug, id, "2");
    auto pushed = adapter_->pushEvent(dossier, statusEvent("accepted"));
    ASSERT_TRUE(pushed) << pushed.error().message;
    EXPECT_EQ(mock_.statusOf(kSlug, id), "3");
    EXPECT_EQ(mock_.jumpCount(), 1U);
    const auto calls = mock_.calls();
    ASSERT_EQ(calls.size(), 2U);
    EXPECT_EQ(calls[0].method, "GET");
    EXPECT_EQ(calls[0].path, "/api/forms/cantine-inscription/1/");
    EXPECT_EQ(calls[1].path, "/api/forms/cantine-inscription/1/jump/trigger/accepter/");
    for (const auto& call : calls) {
        EXPECT_EQ(call.status, 200) << call.refusal;  // the double checked each signature
        EXPECT_TRUE(call.query.starts_with("orig=relais.mairie.example&algo=sha256&timestamp="));
    }
    const sdk::Json data = mock_.workflowData(kSlug, id);
    EXPECT_EQ(data.find("motivation")->asString(), "quotient familial justifié");
    EXPECT_EQ(data.find("status")->asString(), "accepted");
    EXPECT_EQ(mock_.triggerVariables(kSlug, id).at("form_trigger_accepter_content_motivation"),
              "quotient familial justifié");
}

TEST_F(WcsAdapterTest, AlreadyInThatStateIsSuccessWithoutATrigger) {
    configure();
    int id = 0;
    const sdk::Dossier dossier = inbound(&id);
    mock_.setStatus(kSlug, id, "2");
    for (int i = 0; i < 10; ++i) {
        auto pushed = adapter_->pushEvent(dossier, statusEvent("accepted"));
        ASSERT_TRUE(pushed) << pushed.error().message;
        if (i > 0) {
            EXPECT_TRUE(contains(pushed->detail, "already in that state")) << pushed->detail;
            EXPECT_EQ(pushed->portal_status, "3");
        }
    }
    EXPECT_EQ(mock_.jumpCount(), 1U);
    EXPECT_EQ(posts().size(), 1U);
}

TEST_F(WcsAdapterTest, ATriggerTheCurrentStatusDoesNotOfferIsAPermanentError) {
    configure();
    int id = 0;
    const sdk::Dossier dossier = inbound(&id);  // status 1 offers only "instruire"
    auto pushed = adapter_->pushEvent(dossier, statusEvent("accepted"));
    ASSERT_FALSE(pushed);
    EXPECT_EQ(pushed.error().code, ErrorCode::Permanent);
    EXPECT_TRUE(contains(pushed.error().message, "in status 1 does not offer trigger 'accepter'"))
        << pushed.error().message;
    EXPECT_TRUE(posts().empty());
    EXPECT_EQ(mock_.statusOf(kSlug, id), "1");
}

TEST_F(WcsAdapterTest, AStatusWithoutAConfiguredTriggerIsNotSent) {
    configure();
    const sdk::Dossier dossier = inbound();
    auto pushed = adapter_->pushEvent(dossier, statusEvent("acknowledged"));
    ASSERT_TRUE(pushed) << pushed.error().message;
    EXPECT_TRUE(contains(pushed->detail, "no trigger configured for acknowledged"));
    EXPECT_TRUE(posts().empty());
}

TEST_F(WcsAdapterTest, APortalThatIsDownIsRetriedAndCatchesUp) {
    configure();
    int id = 0;
    const sdk::Dossier dossier = inbound(&id);
    mock_.setStatus(kSlug, id, "2");
    mock_.failNext(1, wcs_mock::Failure::ServiceUnavailable);
    auto unavailable = adapter_->pushEvent(dossier, statusEvent("refused"));
    ASSERT_FALSE(unavailable);
    EXPECT_EQ(unavailable.error().code, ErrorCode::Retryable) << unavailable.error().message;
    // The pooled client tries a dropped keep-alive connection again once: drop them all.
    mock_.failNext(10, wcs_mock::Failure::CloseConnection);
    auto closed = adapter_->pushEvent(dossier, statusEvent("refused"));
    ASSERT_FALSE(closed);
    EXPECT_EQ(closed.error().code, ErrorCode::Unavailable) << closed.error().message;
    mock_.failNext(0, wcs_mock::Failure::CloseConnection);
    auto caught_up = adapter_->pushEvent(dossier, statusEvent("refused"));
    ASSERT_TRUE(caught_up) << caught_up.error().message;
    EXPECT_EQ(mock_.statusOf(kSlug, id), "4");
    EXPECT_EQ(mock_.jumpCount(), 1U);
}

TEST_F(WcsAdapterTest, ASignatureTheDoubleRefusesIsAPermanentErrorInTheWcsWords) {
    configure({{"secret", "file:secrets/wrong"}});
    const sdk::Dossier dossier = inbound();
    auto pushed = adapter_->pushEvent(dossier, statusEvent("in_review"));
    ASSERT_FALSE(pushed);
    EXPECT_EQ(pushed.error().code, ErrorCode::Permanent);
    EXPECT_TRUE(contains(pushed.error().message, "HTTP 403"));
    EXPECT_TRUE(contains(pushed.error().message, "Invalid signature.")) << pushed.error().message;
    EXPECT_EQ(mock_.calls().at(0).refusal, "Invalid signature.");
}

TEST_F(WcsAdapterTest, OtherAlgorithmsAreSignedAsConfigured) {
    configure({{"signature-algorithm", "sha512"}});
    int id = 0;
    const sdk::Dossier dossier = inbound(&id);
    auto pushed = adapter_->pushEvent(dossier, statusEvent("in_review"));
    ASSERT_TRUE(pushed) << pushed.error().message;
    EXPECT_EQ(mock_.statusOf(kSlug, id), "2");
    EXPECT_TRUE(mock_.calls().at(0).query.starts_with("orig=relais.mairie.example&algo=sha512"));
}

TEST_F(WcsAdapterTest, WithoutABaseUrlTheDossiersOwnApiUrlIsUsed) {
    Params params = defaults();
    params.erase(params.begin());  // no url
    auto configured = adapter_->configure(settings(params));
    ASSERT_TRUE(configured) << configured.error().message;
    int id = 0;
    const sdk::Dossier dossier = inbound(&id);
    auto pushed = adapter_->pushEvent(dossier, statusEvent("in_review"));
    ASSERT_TRUE(pushed) << pushed.error().message;
    EXPECT_EQ(mock_.statusOf(kSlug, id), "2");
}

TEST_F(WcsAdapterTest, MessagesGoToTheConfiguredGlobalActionHook) {
    configure();
    int id = 0;
    const sdk::Dossier dossier = inbound(&id);
    sdk::Event message;
    message.id = "ev-msg";
    message.type = std::string(sdk::event_type::kMessage);
    message.payload = sdk::Json::object();
    message.payload.set("message", "Merci de fournir votre avis d'imposition.");
    auto pushed = adapter_->pushEvent(dossier, message);
    ASSERT_TRUE(pushed) << pushed.error().message;
    ASSERT_EQ(posts().size(), 1U);
    EXPECT_EQ(posts()[0].path, "/api/forms/cantine-inscription/1/hooks/message/");
    EXPECT_EQ(mock_.workflowData(kSlug, id).path("message.message")->asString(),
              "Merci de fournir votre avis d'imposition.");

    configure({{"message-hook", ""}});
    auto skipped = adapter_->pushEvent(dossier, message);
    ASSERT_TRUE(skipped) << skipped.error().message;
    EXPECT_TRUE(contains(skipped->detail, "no message-hook configured"));
    EXPECT_EQ(posts().size(), 1U);
}

// w.c.s.'s answers to the jump itself, from a plain HTTP server (no signature check): an
// export without `actions` (older sites, or a jump restricted to roles) lets the POST decide.
TEST_F(WcsAdapterTest, TheJumpAnswerIsClassifiedWithTheWcsWords) {
    test::MockResponse jump_answer;
    test::MockHttpServer site([&](const test::ReceivedRequest& request) {
        if (request.method == "GET") {
            return test::MockResponse{
                200, "application/json", R"({"workflow": {"status": {"id": "2"}}})", {}};
        }
        return jump_answer;
    });
    configure({{"url", site.url("/")}});
    const sdk::Dossier dossier = inbound();
    const auto push = [&](test::MockResponse answer) {
        jump_answer = std::move(answer);
        return adapter_->pushEvent(dossier, statusEvent("accepted"));
    };
    auto not_offered = push({404,
                             "application/json",
                             R"({"err": 1, "err_class": "Page not found", "err_code": "not-found",
                                 "err_desc": null})",
                             {}});
    ASSERT_FALSE(not_offered);
    EXPECT_EQ(not_offered.error().code, ErrorCode::Permanent);
    EXPECT_TRUE(contains(not_offered.error().message,
                         "HTTP 404 to trigger 'accepter' of cantine-inscription:1: not-found"))
        << not_offered.error().message;
    auto unmet =
        push({200, "application/json", R"({"err": 1, "err_desc": "Unmet condition."})", {}});
    ASSERT_FALSE(unmet);
    EXPECT_EQ(unmet.error().code, ErrorCode::Permanent);
    EXPECT_TRUE(contains(unmet.error().message, "Unmet condition.")) << unmet.error().message;
    auto busy = push({429, "application/json", "{}", {{"Retry-After", "7"}}});
    ASSERT_FALSE(busy);
    EXPECT_EQ(busy.error().code, ErrorCode::Retryable);
    EXPECT_EQ(busy.error().retry_after_seconds, 7);
    auto html = push({200, "text/html", "<html>login</html>", {}});
    ASSERT_FALSE(html);
    EXPECT_EQ(html.error().code, ErrorCode::Permanent);
    auto taken = push({200, "application/json", R"({"err": 0, "url": null})", {}});
    ASSERT_TRUE(taken) << taken.error().message;
    const auto requests = site.requests();
    ASSERT_FALSE(requests.empty());
    EXPECT_EQ(requests.back().header("Content-Type"), "application/json");
    EXPECT_EQ(requests.back().header("Accept"), "application/json");
    EXPECT_NE(requests.back().body.find("quotient familial"), std::string::npos);
}

}  // namespace
}  // namespace relais::adapters::wcs
