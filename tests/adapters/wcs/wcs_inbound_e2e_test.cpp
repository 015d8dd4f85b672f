// SPDX-License-Identifier: AGPL-3.0-or-later
// End to end, inbound: the w.c.s. double plays the workflow's webservice call ("send the
// form", Publik-signed) against the real `relais serve` with the real `wcs` plugin; the
// dossier is stored with w.c.s.'s key, zone-converted date and portal status, and delivered.

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "relais/sdk/time.h"

#include "cantine_workflow.h"
#include "support/daemon.h"
#include "support/http_call.h"
#include "support/temp_dir.h"
#include "wcs_mock.h"

namespace relais::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kWcsOrig = "demarches.ville.test";
constexpr const char* kInboundSecret = "wcs-to-relais-Zq8-shared-key";
constexpr const char* kRelaisOrig = "relais.ville.test";
constexpr const char* kOutboundSecret = "relais-to-wcs-Kq3-shared-key";
const std::string kReaderKey = "wcs-reader-key-0123456789abcd";

class WcsInboundTest : public ::testing::Test {
protected:
    WcsInboundTest() : mock_(mockOptions()) {
        mock_.addForm(cantineForm());
        sdk::Json fields = cantineFields();
        fields.erase("justificatif");  // no attachment to download in this test
        id_ = mock_.createFormdata("cantine-inscription", fields, cantineUser(),
                                   "2026-07-14T10:12:44");
        const std::string inbound = dir_.write("secrets/wcs-inbound", std::string(kInboundSecret));
        const std::string outbound =
            dir_.write("secrets/wcs-outbound", std::string(kOutboundSecret));
        const std::string config = wrapConfig(
            baseConfigElements(dir_) +
            "<adapters><adapter name=\"demarches\" plugin=\"wcs\">"
            "<param name=\"url\">" +
            mock_.baseUrl() +
            "</param>"
            "<param name=\"orig\">" +
            kRelaisOrig +
            "</param>"
            "<param name=\"secret\">file:" +
            outbound +
            "</param>"
            "<param name=\"status-map\">1:submitted, 2:in_review, 3:accepted</param>"
            "<param name=\"triggers\">accepted:accepter</param>"
            "</adapter></adapters>\n"
            "<connectors><connector name=\"fichiers\" plugin=\"filedrop\">"
            "<param name=\"directory\">" +
            dir_.file("outbox") +
            "</param>"
            "</connector></connectors>\n"
            "<clients>\n<client name=\"wcs\"><rights>dossiers:submit</rights>"
            "<procedures>cantine-inscription</procedures><instances>demarches</instances>"
            "<publik orig=\"" +
            kWcsOrig + "\" secret=\"file:" + inbound + "\"/></client>\n" +
            clientElement("lecteur", kReaderKey, "dossiers:read") +
            "</clients>\n"
            "<routes><route procedure=\"cantine-inscription\" connector=\"fichiers\"/></routes>\n");
        daemon_ = std::make_unique<Daemon>(dir_, config);
    }

    static wcs_mock::WcsMock::Options mockOptions() {
        wcs_mock::WcsMock::Options options;
        options.secrets = {{kRelaisOrig, kOutboundSecret}};
        return options;
    }

    HttpResult post(const std::string& secret = kInboundSecret) {
        const auto call =
            mock_.webserviceCall("cantine-inscription", id_,
                                 "http://127.0.0.1:" + std::to_string(daemon_->port()) +
                                     "/v1/adapters/demarches/inbound",
                                 kWcsOrig, secret);
        const std::string target = call.url.substr(call.url.find("/v1/"));
        return httpCall(daemon_->port(), "POST", target, call.headers, call.body);
    }

    sdk::Json tracking(const std::string& id) {
        return httpCall(daemon_->port(), "GET", "/v1/dossiers/" + id, {bearer(kReaderKey)}).json();
    }

    TempDir dir_;
    wcs_mock::WcsMock mock_;
    int id_ = 0;
    std::unique_ptr<Daemon> daemon_;
};

TEST_F(WcsInboundTest, ASignedWebserviceCallBecomesADeliveredDossier) {
    const auto first = post();
    ASSERT_EQ(first.status, 202) << first.body;
    const std::string id = first.json().find("id")->asString();

    // w.c.s. retries a call whose answer it lost: same dossier.
    const auto replay = post();
    EXPECT_EQ(replay.status, 200) << replay.body;
    EXPECT_EQ(replay.json().find("id")->asString(), id);

    sdk::Json dossier = tracking(id);
    EXPECT_EQ(dossier.find("source")->asString(), "demarches");
    EXPECT_EQ(dossier.find("source_key")->asString(), "cantine-inscription:1");
    EXPECT_EQ(dossier.find("procedure")->asString(), "cantine-inscription");
    EXPECT_EQ(dossier.find("portal_status")->asString(), "1");
    // 10:12:44 in Paris in July: 08:12:44Z.
    EXPECT_EQ(*sdk::Timestamp::parse(dossier.find("submitted_at")->asString()),
              *sdk::Timestamp::parse("2026-07-14T08:12:44Z"))
        << dossier.dump();

    const auto deadline = std::chrono::steady_clock::now() + 15s;
    while (std::chrono::steady_clock::now() < deadline) {
        const sdk::Json* state = dossier.path("deliveries[0].state");
        if (state != nullptr && state->asString() == "done") break;
        std::this_thread::sleep_for(20ms);
        dossier = tracking(id);
    }
    EXPECT_EQ(dossier.path("deliveries[0].state")->asString(), "done") << dossier.dump();
}

TEST_F(WcsInboundTest, ACallSignedWithAnotherKeyIsRefused) {
    const auto refused = post("not-the-shared-key");
    EXPECT_EQ(refused.status, 401) << refused.body;
}

}  // namespace
}  // namespace relais::test
