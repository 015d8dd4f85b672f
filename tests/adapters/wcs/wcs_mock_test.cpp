// SPDX-License-Identifier: AGPL-3.0-or-later
// The w.c.s. double's own tests: it must refuse what w.c.s. refuses, or the adapter's tests
// against it prove nothing. Signatures are vectors from the openssl command line:
//   Q='orig=relais.mairie.example&algo=sha256&timestamp=2026-11-30T09%3A00%3A00Z&nonce=6f1c…'
//   printf '%s' "$Q" | openssl dgst -sha256 -hmac 'wcs-mock-shared-Kq3v9' -binary | base64 -w0

#include "wcs_mock.h"

#include <chrono>
#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

#include "cantine_workflow.h"
#include "support/http_call.h"
#include "support/mock_http_server.h"
#include "support/raw_http.h"
#include "support/temp_dir.h"

namespace relais::wcs_mock {
namespace {

constexpr const char* kOrig = "relais.mairie.example";
constexpr const char* kSecret = "wcs-mock-shared-Kq3v9";
constexpr std::int64_t kSigningTime = 1'796'029'200;  // 2026-11-30T09:00:00Z
constexpr const char* kQuery =
    "orig=relais.mairie.example&algo=sha256&timestamp=2026-11-30T09%3A00%3A00Z"
    "&nonce=6f1c0e7a2b9d4c3e8a5f0b1d2c3e4f50";
constexpr const char* kSignature = "jIKvx%2BHA%2BDSb3Lfm2N4YNJgTs%2BhQ8dMU8ubLt/Q%2BBbo%3D";
constexpr const char* kQuery512 =
    "orig=relais.mairie.example&algo=sha512&timestamp=2026-11-30T09%3A00%3A00Z"
    "&nonce=0a1b2c3d4e5f60718293a4b5c6d7e8f9";
constexpr const char* kSignature512 =
    "G3x62zt3COQL3NOvTApUgcRkBlyrSIWkxjCGrD6609eHB/2mpnQoYYtjzqCF7JkrvH4/WfUuVfPA7b6xJxM4wQ%3D%3D";

std::string signedTarget(const std::string& path, const std::string& query = kQuery,
                         const std::string& signature = kSignature) {
    return path + "?" + query + "&signature=" + signature;
}

class WcsMockTest : public ::testing::Test {
protected:
    WcsMockTest() : mock_(options()) {
        mock_.addForm(test::cantineForm());
        id_ = mock_.createFormdata("cantine-inscription", test::cantineFields(),
                                   test::cantineUser(), "2026-11-30T10:12:44");
    }

    WcsMock::Options options() {
        WcsMock::Options options;
        options.secrets = {{kOrig, kSecret}};
        options.now = [this] { return now_; };
        return options;
    }

    std::string path(const std::string& tail = "") const {
        return "/api/forms/cantine-inscription/" + std::to_string(id_) + "/" + tail;
    }

    std::int64_t now_ = kSigningTime + 5;
    WcsMock mock_;
    int id_ = 0;
};

TEST_F(WcsMockTest, SignaturesFromTheOpensslCliAreAccepted) {
    const auto answer = test::httpCall(mock_.port(), "GET", signedTarget(path()));
    EXPECT_EQ(answer.status, 200) << answer.body;
    const auto sha512 =
        test::httpCall(mock_.port(), "GET", signedTarget(path(), kQuery512, kSignature512));
    EXPECT_EQ(sha512.status, 200) << sha512.body;
}

TEST_F(WcsMockTest, RefusesAsWcsDoes) {
    const auto refusal = [&](const std::string& target) {
        const auto answer = test::httpCall(mock_.port(), "GET", target);
        EXPECT_EQ(answer.status, 403) << target;
        const sdk::Json body = answer.json();
        EXPECT_EQ(body.find("err")->asInt(), 1);
        EXPECT_EQ(body.find("err_code")->asString(), "access-denied");
        return body.find("err_desc")->asString();
    };
    EXPECT_EQ(refusal(path()), "User not authenticated.");
    // A wrong key, a changed query, a parameter after the signature.
    EXPECT_EQ(refusal(signedTarget(path(), kQuery, "AAAA" + std::string(kSignature + 4))),
              "Invalid signature.");
    std::string changed = kQuery;
    changed.replace(changed.find("sha256"), 6, "sha512");
    EXPECT_EQ(refusal(signedTarget(path(), changed)), "Invalid signature.");
    EXPECT_EQ(refusal(signedTarget(path()) + "&NameID=x"), "Invalid signature.");
    std::string unknown = kQuery;
    unknown.replace(0, 11, "orig=intrus");
    EXPECT_EQ(refusal(signedTarget(path(), unknown)), "Invalid orig.");
    // Valid, then replayed: the nonce is spent.
    EXPECT_EQ(test::httpCall(mock_.port(), "GET", signedTarget(path())).status, 200);
    EXPECT_EQ(refusal(signedTarget(path())), "Nonce already used.");
}

TEST_F(WcsMockTest, RefusesATimestampOutsideTheWindow) {
    now_ = kSigningTime + 31;
    const auto late = test::httpCall(mock_.port(), "GET", signedTarget(path()));
    EXPECT_EQ(late.status, 403);
    EXPECT_NE(late.body.find("seconds in the past"), std::string::npos) << late.body;
    now_ = kSigningTime - 31;
    const auto early = test::httpCall(mock_.port(), "GET", signedTarget(path()));
    EXPECT_NE(early.body.find("seconds in the future"), std::string::npos) << early.body;
}

TEST_F(WcsMockTest, ExportsTheFormdataWithTheActionsOfTheCurrentStatusOnly) {
    const sdk::Json out = mock_.exportFormdata("cantine-inscription", id_);
    EXPECT_EQ(out.find("id")->asString(), "cantine-inscription:1");
    EXPECT_EQ(out.find("display_id")->asString(), "1-1");
    EXPECT_EQ(out.find("receipt_time")->asString(), "2026-11-30T10:12:44");
    EXPECT_EQ(out.find("api_url")->asString(),
              mock_.baseUrl() + "api/forms/cantine-inscription/1/");
    EXPECT_EQ(out.path("fields.nom_enfant")->asString(), "Exemple");
    EXPECT_EQ(out.path("user.NameID[0]")->asString(), "a1b2c3d4e5");
    EXPECT_EQ(out.path("workflow.status.id")->asString(), "1");
    EXPECT_EQ(out.path("workflow.status.name")->asString(), "Nouveau");
    EXPECT_FALSE(out.path("workflow.status.endpoint")->asBool(true));
    const sdk::Json* actions = out.find("actions");
    ASSERT_NE(actions, nullptr);
    EXPECT_EQ(actions->find("jump:instruire")->asString(),
              mock_.baseUrl() + "api/forms/cantine-inscription/1/jump/trigger/instruire/");
    EXPECT_EQ(actions->find("jump:accepter"), nullptr);
    EXPECT_NE(actions->find("global-action:message"), nullptr);
    EXPECT_EQ(out.find("evolution")->size(), 1U);
}

TEST_F(WcsMockTest, AcceptsOnlyTheTriggersOfTheCurrentStatus) {
    const auto refused =
        test::httpCall(mock_.port(), "POST", signedTarget(path("jump/trigger/accepter/")),
                       {{"Accept", "application/json"}}, "{}");
    EXPECT_EQ(refused.status, 404);
    EXPECT_EQ(refused.json().find("err_code")->asString(), "not-found");
    EXPECT_EQ(mock_.statusOf("cantine-inscription", id_), "1");
    EXPECT_EQ(mock_.jumpCount(), 0U);

    const auto taken =
        test::httpCall(mock_.port(), "POST",
                       signedTarget(path("jump/trigger/instruire/"), kQuery512, kSignature512), {},
                       R"({"motivation": "dossier complet"})");
    EXPECT_EQ(taken.status, 200) << taken.body;
    EXPECT_EQ(taken.json(), *sdk::Json::parse(R"({"err": 0, "url": null})"));
    EXPECT_EQ(mock_.statusOf("cantine-inscription", id_), "2");
    EXPECT_EQ(mock_.jumpCount(), 1U);
    EXPECT_EQ(mock_.workflowData("cantine-inscription", id_).find("motivation")->asString(),
              "dossier complet");
    EXPECT_EQ(mock_.triggerVariables("cantine-inscription", id_)
                  .at("form_trigger_instruire_content_motivation"),
              "dossier complet");
}

TEST_F(WcsMockTest, FailsTheNextCallsOnDemandThenRecovers) {
    mock_.failNext(1, Failure::ServiceUnavailable);
    EXPECT_EQ(test::httpCall(mock_.port(), "GET", signedTarget(path())).status, 503);
    EXPECT_EQ(test::httpCall(mock_.port(), "GET", signedTarget(path())).status, 200);
    mock_.failNext(1, Failure::CloseConnection);
    EXPECT_ANY_THROW(test::httpCall(mock_.port(), "GET", path()));
    ASSERT_EQ(mock_.calls().size(), 3U);
    EXPECT_EQ(mock_.calls().back().status, 0);
}

TEST_F(WcsMockTest, BuildsTheSignedWebserviceCallOfASendTheFormAction) {
    sdk::Json extra = sdk::Json::object();
    extra.set("canal", "web");
    const WebserviceCall call =
        mock_.webserviceCall("cantine-inscription", id_,
                             "http://127.0.0.1:9/v1/adapters/wcs/inbound", kOrig, kSecret, extra);
    auto body = sdk::Json::parse(call.body);
    ASSERT_TRUE(body.ok());
    EXPECT_EQ(body->find("id")->asString(), "cantine-inscription:1");
    EXPECT_EQ(body->path("extra.canal")->asString(), "web");
    // The signature is what the openssl command line computes over the query before it.
    const auto query = call.url.substr(call.url.find('?') + 1);
    const auto cut = query.find("&signature=");
    ASSERT_NE(cut, std::string::npos);
    EXPECT_TRUE(query.starts_with(
        "orig=relais.mairie.example&algo=sha256&timestamp=2026-11-30T09%3A00%3A05Z&nonce="))
        << query;
    test::TempDir dir;
    const std::string in = dir.write("q", query.substr(0, cut));
    const std::string out = dir.file("sig");
    const std::string command = "openssl dgst -sha256 -hmac '" + std::string(kSecret) +
                                "' -binary " + in + " | base64 -w0 >" + out;
    ASSERT_EQ(std::system(command.c_str()), 0);  // NOLINT(cert-env33-c, concurrency-mt-unsafe)
    EXPECT_EQ(formDecode(query.substr(cut + 11)), test::readFileOrFail(out));
    bool caller = false;
    for (const auto& [name, value] : call.headers) {
        caller =
            caller || (name == "Publik-Caller-URL" && value.ends_with("/cantine-inscription/1/"));
    }
    EXPECT_TRUE(caller);
}

TEST_F(WcsMockTest, TheDemoHelpersSendTheDossierSignedAndShowIt) {
    test::MockHttpServer relais{[](const test::ReceivedRequest&) {
        return test::MockResponse{
            202, "application/json", R"({"err": 0, "data": {"id": "R-1"}})", {}};
    }};
    WcsMock::Options options;
    options.secrets = {{kOrig, kSecret}};
    options.send = {relais.url("/v1/adapters/demarches/inbound"), "wcs.test", "demo-key"};
    WcsMock sender(options);
    sender.addForm(test::cantineForm());
    const int id = sender.createFormdata("cantine-inscription", test::cantineFields(),
                                         test::cantineUser(), "2026-11-30T10:12:44");
    const std::string form = "cantine-inscription/" + std::to_string(id);

    const auto sent = test::httpCall(sender.port(), "POST", "/__send/" + form);
    ASSERT_EQ(sent.status, 200) << sent.body;
    EXPECT_EQ(sent.json().find("status")->asInt(), 202);
    EXPECT_EQ(sent.json().path("response.data.id")->asString(), "R-1");
    ASSERT_EQ(relais.requests().size(), 1u);
    const test::ReceivedRequest call = relais.requests()[0];
    EXPECT_EQ(call.uri.rfind("/v1/adapters/demarches/inbound?orig=wcs.test&algo=sha256&", 0), 0u)
        << call.uri;
    EXPECT_NE(call.uri.find("&signature="), std::string::npos);
    EXPECT_NE(call.body.find("\"cantine-inscription:" + std::to_string(id) + "\""),
              std::string::npos);
    // Kept as a workflow storing the response in variable `relais` keeps it.
    EXPECT_EQ(
        sender.workflowData("cantine-inscription", id).path("relais_response.data.id")->asString(),
        "R-1");

    const auto shown = test::httpCall(sender.port(), "GET", "/__formdata/" + form);
    ASSERT_EQ(shown.status, 200) << shown.body;
    EXPECT_EQ(shown.json().path("workflow.status.id")->asString(), "1");
    EXPECT_EQ(shown.json().path("workflow.data.relais_status")->asInt(), 202);
    // What the README's `curl -X POST` sends: no Content-Length, so no body (RFC 9112 §6.3);
    // the double answers at once rather than reading until the client gives up.
    const test::RawResponse bare = test::rawExchange(
        sender.port(), "POST /__send/" + form + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        std::chrono::seconds(5));
    EXPECT_EQ(bare.status, 200) << bare.head;
    // Without --send-to there is nothing to send to; unknown dossiers are not found.
    EXPECT_EQ(test::httpCall(mock_.port(), "POST", "/__send/" + form).status, 404);
    EXPECT_EQ(test::httpCall(sender.port(), "GET", "/__formdata/cantine-inscription/99").status,
              404);
}

}  // namespace
}  // namespace relais::wcs_mock
