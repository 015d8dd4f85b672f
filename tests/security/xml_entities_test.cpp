// SPDX-License-Identifier: AGPL-3.0-or-later
// XXE and billion-laughs documents at every place the real daemon meets XML: request bodies
// on its inbound route, a SOAP application's answers, and the config and mapping files the
// executable reads. Each is refused, quickly, without the referenced file's content ever
// showing in an answer, a log line or the store.
//
// The safe parser itself (no DTD, no entity, no network) is tested in
// tests/core/config/xml_test.cpp; the config loader in tests/core/config/loader_test.cpp; the
// mapping loader in tests/core/mapping/load_errors_test.cpp; the SOAP connector's logic in
// tests/plugins/soap/soap_connector_test.cpp. Here: the same refusals through the daemon and
// the command line, with the real plugins loaded.

#include <chrono>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/daemon.h"
#include "support/http_call.h"
#include "support/mock_http_server.h"
#include "support/temp_dir.h"

namespace relais::test {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;
using Clock = std::chrono::steady_clock;

const std::string kPortalKey = "xml-portal-key-0123456789";  // NOLINT(cert-err58-cpp)
const std::string kAdminKey = "xml-admin-key-0123456789";    // NOLINT(cert-err58-cpp)
const std::string kMarker = "MARQUEUR-XXE-5f1c";             // NOLINT(cert-err58-cpp)

/// A document whose entity reads `file` (the marker's file) where the value would be.
std::string externalEntity(const std::string& root, const std::string& file,
                           const std::string& body) {
    return "<?xml version=\"1.0\"?>\n<!DOCTYPE " + root + " [<!ENTITY xxe SYSTEM \"file://" + file +
           "\">]>\n" + body;
}

/// Ten levels of ten: 10^9 "lol" once expanded (3 GB).
std::string billionLaughs(const std::string& root, const std::string& body) {
    std::string text = "<?xml version=\"1.0\"?>\n<!DOCTYPE " + root + " [\n<!ENTITY lol \"lol\">\n";
    for (int i = 1; i <= 9; ++i) {
        const std::string previous = i == 1 ? "&lol;" : "&lol" + std::to_string(i - 1) + ";";
        std::string value;
        for (int j = 0; j < 10; ++j) value += previous;
        text += "<!ENTITY lol" + std::to_string(i) + " \"" + value + "\">\n";
    }
    return text + "]>\n" + body;
}

std::string adapterAndClients() {
    return "<adapters><adapter name=\"portail\" plugin=\"json\">"
           "<param name=\"source-key\">numero_dossier</param>"
           "<param name=\"procedure\">restauration-scolaire</param>"
           "</adapter></adapters>\n"
           "<clients>\n" +
           clientElement("portail", kPortalKey, "dossiers:submit dossiers:read") +
           clientElement("exploitation", kAdminKey, "admin dossiers:read") + "</clients>\n";
}

class XmlEntitiesTest : public ::testing::Test {
protected:
    void SetUp() override { marker_file_ = dir_.write("etc-passwd", "root:x:0:0:" + kMarker); }

    HttpResult get(const std::string& target) {
        return httpCall(daemon_->port(), "GET", target, {bearer(kAdminKey)});
    }
    /// Polls the dossier until its delivery reaches `state` (deadline 15 s).
    sdk::Json waitForDelivery(const std::string& id, const std::string& state) {
        const auto deadline = Clock::now() + 15s;
        sdk::Json tracking;
        while (Clock::now() < deadline) {
            tracking = get("/v1/dossiers/" + id).json();
            const sdk::Json* current = tracking.path("deliveries[0].state");
            if (current != nullptr && current->asString() == state) return tracking;
            std::this_thread::sleep_for(10ms);
        }
        ADD_FAILURE() << "delivery of " << id << " never reached " << state << ": "
                      << tracking.dump();
        return tracking;
    }

    TempDir dir_;
    std::string marker_file_;
    std::unique_ptr<Daemon> daemon_;
};

TEST_F(XmlEntitiesTest, XmlBodiesOnTheInboundRouteAreRefusedUnparsed) {
    daemon_ =
        std::make_unique<Daemon>(dir_, wrapConfig(baseConfigElements(dir_) + adapterAndClients()));
    const std::string dossier =
        "<dossier><numero_dossier>&xxe;</numero_dossier><demandeur>X</demandeur></dossier>";
    const std::string bomb = "<dossier><numero_dossier>&lol9;</numero_dossier></dossier>";
    const std::vector<std::pair<std::string, std::string>> bodies = {
        {"xxe", externalEntity("dossier", marker_file_, dossier)},
        {"billion laughs", billionLaughs("dossier", bomb)}};
    // Labelled as XML, and mislabelled as JSON (a parser chosen by sniffing would see XML).
    for (const auto& [what, body] : bodies) {
        for (const std::string type : {"application/xml", "text/xml; charset=utf-8",
                                       "application/json", "application/soap+xml"}) {
            const auto started = Clock::now();
            const auto result = httpCall(daemon_->port(), "POST", "/v1/adapters/portail/inbound",
                                         {bearer(kPortalKey)}, body, type);
            EXPECT_LT(Clock::now() - started, 5s) << what << " as " << type;
            EXPECT_GE(result.status, 400) << what << " as " << type << ": " << result.body;
            EXPECT_LT(result.status, 500) << what << " as " << type << ": " << result.body;
            EXPECT_EQ(result.content_type, "application/problem+json") << what << " as " << type;
            EXPECT_THAT(result.body, Not(HasSubstr(kMarker)));
            EXPECT_THAT(result.body, Not(HasSubstr("lollol")));
        }
    }
    EXPECT_EQ(get("/v1/jobs").json().find("jobs")->size(), 0U);
    EXPECT_EQ(httpCall(daemon_->port(), "GET", "/healthz").status, 200);
    daemon_->stop();
    EXPECT_THAT(daemon_->logs(), Not(HasSubstr(kMarker)));
}

TEST_F(XmlEntitiesTest, ASoapApplicationAnsweringWithEntitiesGetsNothingIn) {
    std::atomic<int> answer{0};
    const std::string envelope_body =
        "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>"
        "<r:R xmlns:r=\"urn:example:rennes:restauration:1\"><r:NumeroDossier>{}"
        "</r:NumeroDossier></r:R></soap:Body></soap:Envelope>";
    const auto with = [&envelope_body](const std::string& value) {
        std::string text = envelope_body;
        return text.replace(text.find("{}"), 2, value);
    };
    const std::vector<std::string> answers = {
        externalEntity("soap:Envelope", marker_file_, with("&xxe;")),
        billionLaughs("soap:Envelope", with("&lol9;"))};
    MockHttpServer application([&](const ReceivedRequest&) {
        const int n = answer++;
        return MockResponse{200,
                            "text/xml; charset=utf-8",
                            answers[static_cast<std::size_t>(n) % answers.size()],
                            {}};
    });
    // A small XML mapping (the shipped cantine-soap.xml needs $dossier.id, which ingest does
    // not know yet when it checks mappings: reported separately).
    const std::string mapping =
        dir_.write("cantine-soap.xml",
                   "<mapping version=\"1\"><output format=\"xml\" root=\"ins:inscription\">"
                   "<namespace prefix=\"ins\" uri=\"urn:example:rennes:restauration:1\"/></output>"
                   "<field from=\"numero_dossier\" to=\"@reference\"/>"
                   "<field from=\"demandeur.nom_usage\" to=\"ins:nom\"/></mapping>\n");
    daemon_ = std::make_unique<Daemon>(
        dir_, wrapConfig(baseConfigElements(dir_) +
                         "<delivery workers=\"1\" idle-poll=\"20ms\"/>\n" + adapterAndClients() +
                         "<connectors><connector name=\"cantine\" plugin=\"soap\">"
                         "<param name=\"url\">" +
                         application.url("/services/Cantine") +
                         "</param>"
                         "<param name=\"namespaces\">r=urn:example:rennes:restauration:1</param>"
                         "<param name=\"business-id-xpath\">//r:NumeroDossier</param>"
                         "<retry initial=\"20ms\" max=\"50ms\" give-up-after=\"1h\"/>"
                         "</connector></connectors>\n"
                         "<routes><route name=\"soap\" procedure=\"restauration-scolaire\" "
                         "connector=\"cantine\" mapping=\"" +
                         mapping + "\"/></routes>\n"));
    const std::string dossier = readSourceFile("tests/fixtures/bench/dossier.json");
    std::vector<std::string> ids;
    for (const std::string key : {"RS-XXE-1", "RS-LOL-2"}) {
        std::string body = dossier;
        body.replace(body.find("RS-2026-004217"), 14, key);
        const auto stored = httpCall(daemon_->port(), "POST", "/v1/adapters/portail/inbound",
                                     {bearer(kPortalKey)}, body);
        ASSERT_EQ(stored.status, 202) << stored.body;
        ids.push_back(stored.json().find("id")->asString());
        // One at a time, so that the n-th answer goes to the n-th dossier.
        const sdk::Json dead = waitForDelivery(ids.back(), "dead");
        const sdk::Json* last_error = dead.path("deliveries[0].last_error");
        const std::string error = last_error != nullptr ? last_error->asString() : "";
        EXPECT_THAT(error, HasSubstr("DOCTYPE")) << key;
        EXPECT_THAT(dead.dump(), Not(HasSubstr(kMarker))) << key;
        EXPECT_THAT(dead.dump(), Not(HasSubstr("lollol"))) << key;
    }
    EXPECT_EQ(application.count(), 2U);  // refused for good, not retried
    EXPECT_THAT(get("/v1/jobs?state=dead").body, Not(HasSubstr(kMarker)));
    EXPECT_EQ(httpCall(daemon_->port(), "GET", "/healthz").status, 200);
    daemon_->stop();
    EXPECT_THAT(daemon_->logs(), Not(HasSubstr(kMarker)));
}

TEST_F(XmlEntitiesTest, TheExecutableRefusesConfigAndMappingFilesWithEntities) {
    const std::string inner = baseConfigElements(dir_) + adapterAndClients();
    const std::string declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    // The config itself: an entity in a value, and an expansion bomb.
    std::string xxe = wrapConfig(inner);
    xxe.replace(
        0, declaration.size(),
        declaration + "<!DOCTYPE relais [<!ENTITY xxe SYSTEM \"file://" + marker_file_ + "\">]>\n");
    xxe.replace(xxe.find("restauration-scolaire"), 21, "&xxe;");
    std::string bomb = billionLaughs("relais", wrapConfig(inner).substr(declaration.size()));
    bomb.replace(bomb.find("restauration-scolaire"), 21, "&lol9;");
    for (const auto& [name, text] :
         {std::pair{std::string("xxe.xml"), xxe}, std::pair{std::string("bomb.xml"), bomb}}) {
        const std::string path = dir_.write(name, text);
        for (const std::string command : {"check-config", "serve"}) {
            const auto started = Clock::now();
            const auto result = command == "serve" ? runRelais({"serve", "--config", path}, {}, 30)
                                                   : runRelais({"check-config", path}, {}, 30);
            EXPECT_LT(Clock::now() - started, 10s) << command << " " << name;
            EXPECT_EQ(result.exit_code, 78) << command << " " << name << ": " << result.err;
            EXPECT_THAT(result.err, HasSubstr(name + ":2: a document type declaration")) << command;
            EXPECT_THAT(result.out + result.err, Not(HasSubstr(kMarker)));
        }
    }

    // A mapping with an entity, named by an otherwise valid config.
    const std::string mapping =
        dir_.write("mapping.xml", externalEntity("mapping", marker_file_,
                                                 "<mapping version=\"1\"><output format=\"json\"/>"
                                                 "<field to=\"x\" value=\"&xxe;\"/></mapping>"));
    const std::string config =
        dir_.write("with-mapping.xml",
                   wrapConfig(inner +
                              "<connectors><inbox name=\"logiciel\"/></connectors>\n"
                              "<routes><route name=\"r\" procedure=\"restauration-scolaire\" "
                              "connector=\"logiciel\" mapping=\"" +
                              mapping + "\"/></routes>\n"));
    const auto result = runRelais({"check-config", config});
    EXPECT_EQ(result.exit_code, 78) << result.err;
    EXPECT_THAT(result.err, HasSubstr("mapping.xml:2"));
    EXPECT_THAT(result.err, HasSubstr("document type declaration"));
    EXPECT_THAT(result.out + result.err, Not(HasSubstr(kMarker)));
}

}  // namespace
}  // namespace relais::test
