// SPDX-License-Identifier: AGPL-3.0-or-later
// Logic tests of the SOAP connector, against a mock SOAP service on 127.0.0.1 that answers
// hand-written SOAP 1.1 and 1.2 envelopes. The requests it receives are read back with
// libxml2 directly, and the WS-Security digest is recomputed with OpenSSL, independently
// of the plugin's own code.

#include "soap_connector.h"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <openssl/evp.h>

#include "relais/sdk/host.h"

#include "config_keys.h"
#include "support/mock_http_server.h"
#include "support/temp_dir.h"
#include "support/test_host.h"

namespace relais::plugins::soap {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kSoap11 = "http://schemas.xmlsoap.org/soap/envelope/";
constexpr const char* kSoap12 = "http://www.w3.org/2003/05/soap-envelope";
constexpr const char* kWsse =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
constexpr const char* kWsu =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
constexpr const char* kAction = "urn:etat-civil:v2:DeposerDemande";
constexpr const char* kPassword = "s3cr&t-P@ss<word>";

// The mapping's output: two namespaces, an attribute in one of them, xml:lang, and a
// prefix `soap` bound to something else than SOAP (it must survive inside the Body).
constexpr const char* kPayload = R"(<?xml version="1.0" encoding="UTF-8"?>
<ec:DeposerDemande xmlns:ec="urn:etat-civil:v2" xmlns:adr="urn:adresse:1"
                   xmlns:soap="urn:pas-soap">
  <ec:TypeActe>naissance</ec:TypeActe>
  <ec:Demandeur>
    <ec:Nom>Martin</ec:Nom>
    <adr:Commune adr:insee="75056" xml:lang="fr">Paris</adr:Commune>
    <soap:Note>prefix soap, other namespace</soap:Note>
    <Libre xmlns="urn:defaut">texte &amp; suite</Libre>
  </ec:Demandeur>
</ec:DeposerDemande>
)";

constexpr const char* kResponse11 = R"(<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"
               xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <soap:Body>
    <r:DeposerDemandeResponse xmlns:r="urn:etat-civil:v2">
      <r:NumeroDossier> EC-2026-000123 </r:NumeroDossier>
      <r:NumeroAffiche>2026/123</r:NumeroAffiche>
    </r:DeposerDemandeResponse>
  </soap:Body>
</soap:Envelope>
)";

constexpr const char* kResponse12 = R"(<?xml version="1.0" encoding="utf-8"?>
<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope">
  <env:Header/>
  <env:Body>
    <DeposerDemandeResponse xmlns="urn:etat-civil:v2">
      <NumeroDossier>EC-2026-000456</NumeroDossier>
    </DeposerDemandeResponse>
  </env:Body>
</env:Envelope>
)";

std::string fault11(const std::string& code, const std::string& reason) {
    return R"(<?xml version="1.0"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">
  <SOAP-ENV:Body>
    <SOAP-ENV:Fault>
      <faultcode>)" +
           code + R"(</faultcode>
      <faultstring xml:lang="fr">)" +
           reason + R"(</faultstring>
      <detail><e:Trace xmlns:e="urn:x">ORA-00054</e:Trace></detail>
    </SOAP-ENV:Fault>
  </SOAP-ENV:Body>
</SOAP-ENV:Envelope>
)";
}

std::string fault12(const std::string& code, const std::string& subcode,
                    const std::string& reason) {
    std::string sub;
    if (!subcode.empty()) {
        sub = "<env:Subcode><env:Value>" + subcode + "</env:Value></env:Subcode>";
    }
    return R"(<?xml version="1.0"?>
<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:ec="urn:etat-civil:v2">
  <env:Body>
    <env:Fault>
      <env:Code><env:Value>)" +
           code + "</env:Value>" + sub + R"(</env:Code>
      <env:Reason><env:Text xml:lang="fr">)" +
           reason + R"(</env:Text></env:Reason>
    </env:Fault>
  </env:Body>
</env:Envelope>
)";
}

test::MockResponse xmlAnswer(int status, std::string body,
                             std::string content_type = "text/xml; charset=utf-8") {
    return test::MockResponse{status, std::move(content_type), std::move(body), {}};
}

// ---- reading what the mock received, with libxml2 directly --------------------------------

struct DocFree {
    void operator()(xmlDoc* doc) const noexcept { xmlFreeDoc(doc); }
};
struct XPathContextFree {
    void operator()(xmlXPathContext* ctxt) const noexcept { xmlXPathFreeContext(ctxt); }
};
struct XPathObjectFree {
    void operator()(xmlXPathObject* object) const noexcept { xmlXPathFreeObject(object); }
};

const xmlChar* xc(const char* text) { return reinterpret_cast<const xmlChar*>(text); }

class ReceivedEnvelope {
public:
    explicit ReceivedEnvelope(const std::string& text)
        : doc_(xmlReadMemory(text.data(), static_cast<int>(text.size()), nullptr, nullptr,
                             XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)) {}

    bool parsed() const { return doc_ != nullptr; }

    /// The string value of `expression` (XPath `string(…)`).
    std::string text(const std::string& expression) const {
        auto result = evaluate("string(" + expression + ")");
        if (result == nullptr || result->stringval == nullptr) return "<no result>";
        return reinterpret_cast<const char*>(result->stringval);
    }

    double number(const std::string& expression) const {
        auto result = evaluate(expression);
        return result == nullptr ? -1 : xmlXPathCastToNumber(result.get());
    }

private:
    std::unique_ptr<xmlXPathObject, XPathObjectFree> evaluate(const std::string& expression) const {
        std::unique_ptr<xmlXPathContext, XPathContextFree> ctxt(xmlXPathNewContext(doc_.get()));
        xmlXPathRegisterNs(ctxt.get(), xc("s11"), xc(kSoap11));
        xmlXPathRegisterNs(ctxt.get(), xc("s12"), xc(kSoap12));
        xmlXPathRegisterNs(ctxt.get(), xc("wsse"), xc(kWsse));
        xmlXPathRegisterNs(ctxt.get(), xc("wsu"), xc(kWsu));
        xmlXPathRegisterNs(ctxt.get(), xc("ec"), xc("urn:etat-civil:v2"));
        xmlXPathRegisterNs(ctxt.get(), xc("adr"), xc("urn:adresse:1"));
        xmlXPathRegisterNs(ctxt.get(), xc("other"), xc("urn:pas-soap"));
        xmlXPathRegisterNs(ctxt.get(), xc("def"), xc("urn:defaut"));
        xmlXPathRegisterNs(ctxt.get(), xc("x"), xc("urn:x"));
        return std::unique_ptr<xmlXPathObject, XPathObjectFree>(
            xmlXPathEvalExpression(xc(expression.c_str()), ctxt.get()));
    }

    std::unique_ptr<xmlDoc, DocFree> doc_;
};

// ---- OpenSSL, independent of the plugin's Poco-based digest -------------------------------

std::string opensslBase64(const std::string& bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(bytes.data()),
                                  static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::string opensslUnbase64(const std::string& text) {
    std::string out(3 * (text.size() / 4) + 3, '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(text.data()),
                                  static_cast<int>(text.size()));
    if (n < 0) return "<invalid base64>";
    auto size = static_cast<std::size_t>(n);
    // EVP_DecodeBlock counts the bytes the padding stands for.
    if (text.size() >= 1 && text.back() == '=') --size;
    if (text.size() >= 2 && text[text.size() - 2] == '=') --size;
    out.resize(size);
    return out;
}

std::string opensslSha1(const std::string& bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha1(), nullptr);
    return {reinterpret_cast<const char*>(digest), length};
}

// ---- settings as the host would hand them over --------------------------------------------

std::vector<std::string> splitList(const std::string& text) {
    std::vector<std::string> items;
    std::size_t start = 0;
    while (start <= text.size()) {
        auto end = text.find(',', start);
        if (end == std::string::npos) end = text.size();
        std::string item = text.substr(start, end - start);
        item.erase(0, item.find_first_not_of(' '));
        item.erase(item.find_last_not_of(' ') + 1);
        if (!item.empty()) items.push_back(item);
        start = end + 1;
    }
    return items;
}

sdk::Setting makeSetting(const relais_config_key& key, const std::string& text) {
    sdk::Setting s;
    s.name = key.name;
    s.type = key.type;
    s.text = text;
    switch (key.type) {
        case sdk::ConfigType::Boolean:
            s.boolean = text == "true";
            break;
        case sdk::ConfigType::Duration:
            s.integer = text.ends_with("ms") ? std::stoll(text) : std::stoll(text) * 1000;
            break;
        case sdk::ConfigType::List:
            s.list = splitList(text);
            break;
        default:
            break;
    }
    return s;
}

// Given keys plus the table's defaults, like the host's validation (which the contract
// test checks on the real descriptor).
sdk::Settings settingsOf(const std::vector<std::pair<std::string, std::string>>& given) {
    std::vector<sdk::Setting> settings;
    for (const relais_config_key& key : kConfigKeys) {
        bool found = false;
        for (const auto& [name, value] : given) {
            if (name == key.name) {
                settings.push_back(makeSetting(key, value));
                found = true;
            }
        }
        if (!found && key.default_value != nullptr && key.default_value[0] != '\0') {
            sdk::Setting s = makeSetting(key, key.default_value);
            s.from_default = true;
            settings.push_back(std::move(s));
        }
    }
    for (const auto& [name, value] : given) {
        bool known = false;
        for (const relais_config_key& key : kConfigKeys) known = known || name == key.name;
        EXPECT_TRUE(known) << "test uses an undeclared key " << name;
    }
    return sdk::Settings(std::move(settings));
}

class SoapConnectorTest : public ::testing::Test {
protected:
    using Params = std::vector<std::pair<std::string, std::string>>;

    void SetUp() override {
        host_ = services_.host("etat-civil");
        connector_ = std::make_unique<SoapConnector>(*host_);
        server_.setHandler(
            [](const test::ReceivedRequest&) { return xmlAnswer(200, kResponse11); });
        password_file_ = dir_.write("password", std::string(kPassword) + "\n");
    }

    Params base(const char* version = "1.1") const {
        return {{"url", server_.url("/services/EtatCivil")},
                {"soap-version", version},
                {"action", kAction},
                {"namespaces", "ec=urn:etat-civil:v2"},
                {"business-id-xpath", "//ec:NumeroDossier"}};
    }

    static Params with(Params params, const Params& more) {
        for (const auto& entry : more) {
            std::erase_if(params, [&](const auto& p) { return p.first == entry.first; });
            params.push_back(entry);
        }
        return params;
    }

    void configure(const Params& params) {
        auto configured = connector_->configure(settingsOf(params));
        ASSERT_TRUE(configured.ok()) << configured.error().message;
    }

    sdk::Error configureError(const Params& params) {
        SoapConnector connector(*host_);
        auto configured = connector.configure(settingsOf(params));
        EXPECT_FALSE(configured.ok()) << "configuration accepted";
        return configured.ok() ? sdk::Error{} : configured.error();
    }

    sdk::Delivery delivery(const std::string& payload = kPayload) {
        sdk::Delivery d;
        d.dossier = &dossier_;
        d.payload = payload;
        d.content_type = "application/xml";
        d.idempotency_key = "rl-7f3e-cantine-1";
        d.route = "acte-naissance";
        return d;
    }

    test::ReceivedRequest lastRequest() const {
        auto requests = server_.requests();
        if (requests.empty()) {
            ADD_FAILURE() << "the mock received nothing";
            return {};
        }
        return requests.back();
    }

    test::TempDir dir_;
    // Before services_: the client's pooled keep-alive connections close first, so the
    // server has no connection in flight when it stops.
    test::MockHttpServer server_;
    test::TestServices services_;
    std::unique_ptr<sdk::Host> host_;
    std::unique_ptr<SoapConnector> connector_;
    std::string password_file_;
    sdk::Dossier dossier_{.id = "d0000000-0000-4000-8000-000000000042",
                          .source = "portail",
                          .source_key = "EC-2026-77",
                          .procedure = "acte-naissance",
                          .subject = std::nullopt,
                          .submitted_at = sdk::Timestamp::fromUnixSeconds(1'794'614'400),
                          .fields = {},
                          .attachments = {},
                          .status = sdk::Status::Submitted,
                          .portal_status = {},
                          .version = 1};
};

// ---- delivery ------------------------------------------------------------------------------

TEST_F(SoapConnectorTest, Soap11DeliversAndReadsTheBusinessIdThroughXPath) {
    configure(with(base(), {{"display-id-xpath", "//ec:NumeroAffiche"}}));
    auto receipt = connector_->deliver(delivery());
    ASSERT_TRUE(receipt.ok()) << receipt.error().message;
    EXPECT_EQ(receipt->business_id, "EC-2026-000123");  // trimmed
    EXPECT_EQ(receipt->display_id, "2026/123");
    EXPECT_FALSE(receipt->awaits_acknowledgement);

    const auto request = lastRequest();
    EXPECT_EQ(request.method, "POST");
    EXPECT_EQ(request.uri, "/services/EtatCivil");
    EXPECT_EQ(request.header("Content-Type"), "text/xml; charset=utf-8");
    EXPECT_EQ(request.header("SOAPAction"), std::string("\"") + kAction + "\"");
    EXPECT_EQ(request.header("Idempotency-Key"), "rl-7f3e-cantine-1");

    ReceivedEnvelope envelope(request.body);
    ASSERT_TRUE(envelope.parsed()) << request.body;
    EXPECT_EQ(envelope.number("count(/s11:Envelope/s11:Body/*)"), 1);
    EXPECT_EQ(envelope.number("count(/s11:Envelope/s11:Header)"), 0) << "nothing to put there";
    EXPECT_EQ(envelope.text("/s11:Envelope/s11:Body/ec:DeposerDemande/ec:TypeActe"), "naissance");
}

TEST_F(SoapConnectorTest, Soap12UsesItsContentTypeWithTheActionAndItsEnvelope) {
    server_.setHandler([](const test::ReceivedRequest&) {
        return xmlAnswer(200, kResponse12, "application/soap+xml; charset=utf-8");
    });
    // `env` is predeclared as the configured version's envelope namespace.
    configure(with(base("1.2"), {{"business-id-xpath",
                                  "/env:Envelope/env:Body/ec:DeposerDemandeResponse/"
                                  "ec:NumeroDossier"}}));
    auto receipt = connector_->deliver(delivery());
    ASSERT_TRUE(receipt.ok()) << receipt.error().message;
    EXPECT_EQ(receipt->business_id, "EC-2026-000456");
    EXPECT_EQ(receipt->display_id, "");

    const auto request = lastRequest();
    EXPECT_EQ(request.header("Content-Type"),
              std::string("application/soap+xml; charset=utf-8; action=\"") + kAction + "\"");
    EXPECT_EQ(request.header("SOAPAction"), "") << "SOAP 1.2 has no SOAPAction header";
    ReceivedEnvelope envelope(request.body);
    ASSERT_TRUE(envelope.parsed());
    EXPECT_EQ(envelope.number("count(/s12:Envelope/s12:Body/ec:DeposerDemande)"), 1);
    EXPECT_EQ(envelope.number("count(/s11:Envelope)"), 0);
}

TEST_F(SoapConnectorTest, Soap11SendsAnEmptySoapActionWhenNoneIsConfigured) {
    configure(with(base(), {{"action", ""}}));
    ASSERT_TRUE(connector_->deliver(delivery()).ok());
    EXPECT_EQ(lastRequest().header("SOAPAction"), "\"\"");
}

TEST_F(SoapConnectorTest, PayloadNamespacesArePreservedInsideTheBody) {
    configure(base());
    ASSERT_TRUE(connector_->deliver(delivery()).ok());
    ReceivedEnvelope envelope(lastRequest().body);
    ASSERT_TRUE(envelope.parsed());
    const std::string demandeur = "/s11:Envelope/s11:Body/ec:DeposerDemande/ec:Demandeur";
    EXPECT_EQ(envelope.text(demandeur + "/ec:Nom"), "Martin");
    EXPECT_EQ(envelope.text(demandeur + "/adr:Commune"), "Paris");
    EXPECT_EQ(envelope.text(demandeur + "/adr:Commune/@adr:insee"), "75056");
    EXPECT_EQ(envelope.text(demandeur + "/adr:Commune/@xml:lang"), "fr");
    // The payload's own `soap` prefix (another namespace) keeps its meaning in the Body.
    EXPECT_EQ(envelope.text(demandeur + "/other:Note"), "prefix soap, other namespace");
    EXPECT_EQ(envelope.text(demandeur + "/def:Libre"), "texte & suite");
    EXPECT_EQ(envelope.number("count(//s11:Note)"), 0);
}

TEST_F(SoapConnectorTest, AcceptsAPayloadInAnotherEncoding) {
    configure(base());
    const std::string latin1 =
        "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n"
        "<ec:DeposerDemande xmlns:ec=\"urn:etat-civil:v2\">"
        "<ec:Nom>Fran\xE7ois</ec:Nom></ec:DeposerDemande>";
    ASSERT_TRUE(connector_->deliver(delivery(latin1)).ok());
    ReceivedEnvelope envelope(lastRequest().body);
    ASSERT_TRUE(envelope.parsed());
    EXPECT_EQ(envelope.text("//ec:Nom"), "François");
}

// ---- schema --------------------------------------------------------------------------------

constexpr const char* kSchema = R"(<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:etat-civil:v2"
           xmlns:ec="urn:etat-civil:v2" elementFormDefault="qualified">
  <xs:element name="DeposerDemande">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="TypeActe">
          <xs:simpleType>
            <xs:restriction base="xs:string">
              <xs:enumeration value="naissance"/>
              <xs:enumeration value="mariage"/>
              <xs:enumeration value="deces"/>
            </xs:restriction>
          </xs:simpleType>
        </xs:element>
        <xs:element name="Demandeur">
          <xs:complexType>
            <xs:sequence>
              <xs:element name="Nom" type="xs:string"/>
              <xs:any namespace="##other" processContents="lax" minOccurs="0"
                      maxOccurs="unbounded"/>
            </xs:sequence>
          </xs:complexType>
        </xs:element>
      </xs:sequence>
    </xs:complexType>
  </xs:element>
</xs:schema>
)";

TEST_F(SoapConnectorTest, APayloadMatchingTheSchemaIsSent) {
    configure(with(base(), {{"schema", dir_.write("etat-civil.xsd", kSchema)}}));
    auto receipt = connector_->deliver(delivery());
    ASSERT_TRUE(receipt.ok()) << receipt.error().message;
}

TEST_F(SoapConnectorTest, ASchemaViolationIsRefusedWithTheProblemsAndTheirLines) {
    const std::string schema = dir_.write("etat-civil.xsd", kSchema);
    configure(with(base(), {{"schema", schema}}));
    const std::string invalid = R"(<?xml version="1.0"?>
<ec:DeposerDemande xmlns:ec="urn:etat-civil:v2">
  <ec:TypeActe>divorce</ec:TypeActe>
  <ec:Demandeur>
    <ec:Prenom>Jeanne</ec:Prenom>
  </ec:Demandeur>
</ec:DeposerDemande>
)";
    auto receipt = connector_->deliver(delivery(invalid));
    ASSERT_FALSE(receipt.ok());
    EXPECT_EQ(receipt.error().code, sdk::ErrorCode::InvalidArgument);
    EXPECT_EQ(receipt.error().field, "payload");
    const std::string& message = receipt.error().message;
    EXPECT_THAT(message, HasSubstr(schema));
    EXPECT_THAT(message, HasSubstr("line 3: "));
    EXPECT_THAT(message, HasSubstr("divorce"));
    EXPECT_THAT(message, HasSubstr("line 5: "));
    EXPECT_THAT(message, HasSubstr("Prenom"));
    EXPECT_EQ(server_.count(), 0U) << "an invalid payload is never sent";
}

// ---- WS-Security ---------------------------------------------------------------------------

TEST_F(SoapConnectorTest, WsSecurityDigestMatchesTheUsernameTokenProfile) {
    configure(with(base(), {{"username", "agent-relais"}, {"password", "file:" + password_file_}}));
    const auto before = std::chrono::system_clock::now();
    ASSERT_TRUE(connector_->deliver(delivery()).ok());
    ASSERT_TRUE(connector_->deliver(delivery()).ok());
    const auto requests = server_.requests();
    ASSERT_EQ(requests.size(), 2U);

    std::vector<std::string> nonces;
    for (const auto& request : requests) {
        EXPECT_THAT(request.body, Not(HasSubstr("s3cr")));
        ReceivedEnvelope envelope(request.body);
        ASSERT_TRUE(envelope.parsed());
        const std::string security = "/s11:Envelope/s11:Header/wsse:Security";
        EXPECT_EQ(envelope.text(security + "/@s11:mustUnderstand"), "1");
        const std::string token = security + "/wsse:UsernameToken";
        EXPECT_EQ(envelope.text(token + "/wsse:Username"), "agent-relais");
        EXPECT_EQ(envelope.text(token + "/wsse:Password/@Type"),
                  "http://docs.oasis-open.org/wss/2004/01/"
                  "oasis-200401-wss-username-token-profile-1.0#PasswordDigest");
        EXPECT_EQ(envelope.text(token + "/wsse:Nonce/@EncodingType"),
                  "http://docs.oasis-open.org/wss/2004/01/"
                  "oasis-200401-wss-soap-message-security-1.0#Base64Binary");

        const std::string nonce_text = envelope.text(token + "/wsse:Nonce");
        const std::string created = envelope.text(token + "/wsu:Created");
        const std::string digest = envelope.text(token + "/wsse:Password");
        const std::string nonce = opensslUnbase64(nonce_text);
        EXPECT_EQ(nonce.size(), 16U);
        EXPECT_EQ(digest, opensslBase64(opensslSha1(nonce + created + kPassword)))
            << "nonce " << nonce_text << " created " << created;
        nonces.push_back(nonce_text);

        // Created: UTC with milliseconds, close to now.
        ASSERT_EQ(created.size(), 24U) << created;
        EXPECT_EQ(created.back(), 'Z');
        auto when = sdk::Timestamp::parse(created);
        ASSERT_TRUE(when.ok()) << created;
        const auto before_micros =
            std::chrono::duration_cast<std::chrono::microseconds>(before.time_since_epoch())
                .count();
        EXPECT_GE(when->micros, before_micros - 1000);
        EXPECT_LT(when->micros, before_micros + 60'000'000);
        // The body is still there, after the header.
        EXPECT_EQ(envelope.number("count(/s11:Envelope/s11:Body/ec:DeposerDemande)"), 1);
    }
    EXPECT_NE(nonces[0], nonces[1]) << "a fresh nonce per message";
}

TEST_F(SoapConnectorTest, WsSecurityTextModeSendsThePasswordAsIs) {
    configure(with(base("1.2"), {{"username", "agent-relais"},
                                 {"password", "file:" + password_file_},
                                 {"password-type", "text"},
                                 {"business-id-xpath",
                                  "//ec:NumeroDossier | //*[local-name()="
                                  "'NumeroDossier']"}}));
    server_.setHandler([](const test::ReceivedRequest&) { return xmlAnswer(200, kResponse12); });
    auto receipt = connector_->deliver(delivery());
    ASSERT_TRUE(receipt.ok()) << receipt.error().message;
    ReceivedEnvelope envelope(lastRequest().body);
    ASSERT_TRUE(envelope.parsed());
    const std::string security = "/s12:Envelope/s12:Header/wsse:Security";
    EXPECT_EQ(envelope.text(security + "/@s12:mustUnderstand"), "true");
    const std::string token = security + "/wsse:UsernameToken";
    EXPECT_EQ(envelope.text(token + "/wsse:Password"), kPassword);  // escaped on the wire
    EXPECT_EQ(envelope.text(token + "/wsse:Password/@Type"),
              "http://docs.oasis-open.org/wss/2004/01/"
              "oasis-200401-wss-username-token-profile-1.0#PasswordText");
    EXPECT_EQ(envelope.number("count(" + token + "/wsse:Nonce)"), 0);
}

// ---- faults and statuses -------------------------------------------------------------------

TEST_F(SoapConnectorTest, AServerFaultIsRetryable) {
    server_.setHandler([](const test::ReceivedRequest&) {
        return xmlAnswer(500, fault11("SOAP-ENV:Server", "Base de données indisponible"));
    });
    configure(base());
    auto receipt = connector_->deliver(delivery());
    ASSERT_FALSE(receipt.ok());
    EXPECT_EQ(receipt.error().code, sdk::ErrorCode::Retryable);
    EXPECT_THAT(receipt.error().message,
                AllOf(HasSubstr("SOAP-ENV:Server"), HasSubstr("Base de données indisponible"),
                      HasSubstr("HTTP 500")));
}

TEST_F(SoapConnectorTest, AClientFaultIsPermanentWithItsFaultString) {
    server_.setHandler([](const test::ReceivedRequest&) {
        return xmlAnswer(500, fault11("SOAP-ENV:Client.Validation",
                                      "Le champ\n\tCommuneNaissance est obligatoire"));
    });
    configure(base());
    auto receipt = connector_->deliver(delivery());
    ASSERT_FALSE(receipt.ok());
    EXPECT_EQ(receipt.error().code, sdk::ErrorCode::Permanent);
    EXPECT_THAT(receipt.error().message,
                AllOf(HasSubstr("SOAP-ENV:Client.Validation"),
                      HasSubstr("Le champ CommuneNaissance est obligatoire")));
    EXPECT_THAT(receipt.error().message, Not(HasSubstr("ORA-00054"))) << "detail is not shown";
}

TEST_F(SoapConnectorTest, AServerFaultWithADottedCodeIsStillAServerFault) {
    server_.setHandler([](const test::ReceivedRequest&) {
        return xmlAnswer(500, fault11("soapenv:Server.Busy", "occupé"));
    });
    configure(base());
    auto receipt = connector_->deliver(delivery());
    ASSERT_FALSE(receipt.ok());
    EXPECT_EQ(receipt.error().code, sdk::ErrorCode::Retryable);
}

TEST_F(SoapConnectorTest, TheFaultStringIsSanitisedAndCut) {
    // XML 1.0 has no C0 controls but line breaks and tabs; NEL and U+2028 are C1/Unicode
    // line breaks some log viewers honour.
    const std::string long_reason = std::string(500, 'x');
    server_.setHandler([&](const test::ReceivedRequest&) {
        return xmlAnswer(500,
                         fault11("soap:Client", "ligne1&#13;\n\u0085ligne2\u2028 " + long_reason));
    });
    configure(base());
    auto receipt = connector_->deliver(delivery());
    ASSERT_FALSE(receipt.ok());
    const std::string& message = receipt.error().message;
    EXPECT_THAT(message, HasSubstr("ligne1 ligne2 xxx"));
    EXPECT_EQ(message.find('\n'), std::string::npos);
    EXPECT_EQ(message.find('\r'), std::string::npos);
    EXPECT_EQ(message.find("\u0085"), std::string::npos);
    EXPECT_EQ(message.find("\u2028"), std::string::npos);
    EXPECT_TRUE(message.ends_with("…")) << message;
    const auto reason_at = message.find("ligne1");
    ASSERT_NE(reason_at, std::string::npos);
    EXPECT_LE(message.size() - reason_at, 200U);
}

TEST_F(SoapConnectorTest, Soap12ReceiverIsRetryableAndSenderPermanent) {
    configure(base("1.2"));
    server_.setHandler([](const test::ReceivedRequest&) {
        return xmlAnswer(500, fault12("env:Receiver", "", "Service surchargé"));
    });
    auto receiver = connector_->deliver(delivery());
    ASSERT_FALSE(receiver.ok());
    EXPECT_EQ(receiver.error().code, sdk::ErrorCode::Retryable);
    EXPECT_THAT(receiver.error().message,
                AllOf(HasSubstr("env:Receiver"), HasSubstr("Service surchargé")));

    server_.setHandler([](const test::ReceivedRequest&) {
        return xmlAnswer(400, fault12("env:Sender", "ec:DossierVerrouille", "Dossier verrouillé"));
    });
    auto sender = connector_->deliver(delivery());
    ASSERT_FALSE(sender.ok());
    EXPECT_EQ(sender.error().code, sdk::ErrorCode::Permanent);
    EXPECT_THAT(sender.error().message,
                AllOf(HasSubstr("env:Sender/ec:DossierVerrouille"), HasSubstr("Dossier verrouillé"),
                      HasSubstr("HTTP 400")));
}

TEST_F(SoapConnectorTest, RetryFaultsReplacesTheDefaultList) {
    // A locked dossier passes once the clerk closes it: retry that one; and this
    // application reports bad data as Server faults, so those must not be retried.
    configure(with(base("1.2"), {{"retry-faults", "DossierVerrouille, Quota dépassé"}}));
    server_.setHandler([](const test::ReceivedRequest&) {
        return xmlAnswer(400, fault12("env:Sender", "ec:DossierVerrouille", "Dossier verrouillé"));
    });
    auto locked = connector_->deliver(delivery());
    ASSERT_FALSE(locked.ok());
    EXPECT_EQ(locked.error().code, sdk::ErrorCode::Retryable);

    server_.setHandler([](const test::ReceivedRequest&) {
        return xmlAnswer(500, fault12("env:Receiver", "", "Données incohérentes"));
    });
    auto receiver = connector_->deliver(delivery());
    ASSERT_FALSE(receiver.ok());
    EXPECT_EQ(receiver.error().code, sdk::ErrorCode::Permanent);

    // An entry may also be an exact fault string.
    server_.setHandler([](const test::ReceivedRequest&) {
        return xmlAnswer(500, fault12("env:Receiver", "", "  Quota\n dépassé "));
    });
    auto quota = connector_->deliver(delivery());
    ASSERT_FALSE(quota.ok());
    EXPECT_EQ(quota.error().code, sdk::ErrorCode::Retryable);
}

TEST_F(SoapConnectorTest, RetryFaultsMatchesSoap11CodesAsWrittenOrByLocalName) {
    configure(with(base(), {{"retry-faults", "Client.Locked,app:Busy"}}));
    server_.setHandler([](const test::ReceivedRequest&) {
        return xmlAnswer(500, fault11("soap:Client.Locked", "verrouillé"));
    });
    auto locked = connector_->deliver(delivery());
    ASSERT_FALSE(locked.ok());
    EXPECT_EQ(locked.error().code, sdk::ErrorCode::Retryable);

    server_.setHandler(
        [](const test::ReceivedRequest&) { return xmlAnswer(500, fault11("app:Busy", "occupé")); });
    auto busy = connector_->deliver(delivery());
    ASSERT_FALSE(busy.ok());
    EXPECT_EQ(busy.error().code, sdk::ErrorCode::Retryable);

    server_.setHandler([](const test::ReceivedRequest&) {
        return xmlAnswer(500, fault11("soap:Server", "panne"));
    });
    auto server = connector_->deliver(delivery());
    ASSERT_FALSE(server.ok());
    EXPECT_EQ(server.error().code, sdk::ErrorCode::Permanent);
}

TEST_F(SoapConnectorTest, AFaultInA200ResponseIsStillAFault) {
    server_.setHandler([](const test::ReceivedRequest&) {
        return xmlAnswer(200, fault11("soap:Client", "Demande refusée"));
    });
    configure(base());
    auto receipt = connector_->deliver(delivery());
    ASSERT_FALSE(receipt.ok());
    EXPECT_EQ(receipt.error().code, sdk::ErrorCode::Permanent);
    EXPECT_THAT(receipt.error().message, HasSubstr("Demande refusée"));
}

TEST_F(SoapConnectorTest, A5xxWithoutFaultIsRetryable) {
    server_.setHandler([](const test::ReceivedRequest&) {
        return xmlAnswer(500, "<html><body>Internal Server Error</body></html>", "text/html");
    });
    configure(base());
    auto receipt = connector_->deliver(delivery());
    ASSERT_FALSE(receipt.ok());
    EXPECT_EQ(receipt.error().code, sdk::ErrorCode::Retryable);
    EXPECT_THAT(receipt.error().message, HasSubstr("HTTP 500"));
    EXPECT_THAT(receipt.error().message, Not(HasSubstr("<html>")));

    server_.setHandler([](const test::ReceivedRequest&) {
        test::MockResponse answer{503, "text/plain", "maintenance", {{"Retry-After", "120"}}};
        return answer;
    });
    auto unavailable = connector_->deliver(delivery());
    ASSERT_FALSE(unavailable.ok());
    EXPECT_EQ(unavailable.error().code, sdk::ErrorCode::Retryable);
    EXPECT_EQ(unavailable.error().retry_after_seconds, 120);
}

TEST_F(SoapConnectorTest, OtherStatusesWithoutFaultArePermanentExceptThrottling) {
    configure(base());
    server_.setHandler(
        [](const test::ReceivedRequest&) { return xmlAnswer(404, "not here", "text/plain"); });
    auto missing = connector_->deliver(delivery());
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, sdk::ErrorCode::Permanent);
    EXPECT_THAT(missing.error().message, HasSubstr("HTTP 404"));

    server_.setHandler(
        [](const test::ReceivedRequest&) { return xmlAnswer(429, "slow down", "text/plain"); });
    auto throttled = connector_->deliver(delivery());
    ASSERT_FALSE(throttled.ok());
    EXPECT_EQ(throttled.error().code, sdk::ErrorCode::Retryable);
}

TEST_F(SoapConnectorTest, ASuccessWithoutTheBusinessIdIsPermanent) {
    server_.setHandler([](const test::ReceivedRequest&) {
        return xmlAnswer(200,
                         R"(<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
  <soap:Body><r:Ack xmlns:r="urn:etat-civil:v2">OK</r:Ack></soap:Body>
</soap:Envelope>)");
    });
    configure(base());
    auto receipt = connector_->deliver(delivery());
    ASSERT_FALSE(receipt.ok());
    EXPECT_EQ(receipt.error().code, sdk::ErrorCode::Permanent);
    EXPECT_THAT(receipt.error().message,
                AllOf(HasSubstr("//ec:NumeroDossier"), HasSubstr("cannot link the dossier")));
}

TEST_F(SoapConnectorTest, ASuccessThatIsNotSoapIsPermanent) {
    server_.setHandler([](const test::ReceivedRequest&) {
        return xmlAnswer(200, "<html><body>Bienvenue</body></html>", "text/html");
    });
    configure(base());
    auto html = connector_->deliver(delivery());
    ASSERT_FALSE(html.ok());
    EXPECT_EQ(html.error().code, sdk::ErrorCode::Permanent);
    EXPECT_THAT(html.error().message, HasSubstr("without a SOAP envelope (root element 'html')"));

    server_.setHandler([](const test::ReceivedRequest&) {
        return xmlAnswer(200, "{\"id\": 1}", "application/json");
    });
    auto json = connector_->deliver(delivery());
    ASSERT_FALSE(json.ok());
    EXPECT_EQ(json.error().code, sdk::ErrorCode::Permanent);
    EXPECT_THAT(json.error().message, HasSubstr("not acceptable XML"));
}

// ---- hostile XML ---------------------------------------------------------------------------

TEST_F(SoapConnectorTest, APayloadWithADoctypeIsRefusedAndNotSent) {
    configure(base());
    const std::string billion_laughs = R"(<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>
<ec:DeposerDemande xmlns:ec="urn:etat-civil:v2"><ec:Nom>&lol2;</ec:Nom></ec:DeposerDemande>)";
    auto receipt = connector_->deliver(delivery(billion_laughs));
    ASSERT_FALSE(receipt.ok());
    EXPECT_EQ(receipt.error().code, sdk::ErrorCode::InvalidArgument);
    EXPECT_THAT(receipt.error().message, HasSubstr("DOCTYPE"));
    EXPECT_THAT(receipt.error().message, HasSubstr("line 2"));
    EXPECT_EQ(server_.count(), 0U);
}

TEST_F(SoapConnectorTest, ExternalEntitiesInTheResponseAreRefused) {
    const std::string secret_file = dir_.write("etc-passwd", "root:x:0:0:MARQUEUR-XXE");
    server_.setHandler([&](const test::ReceivedRequest&) {
        return xmlAnswer(200, R"(<?xml version="1.0"?>
<!DOCTYPE soap:Envelope [<!ENTITY xxe SYSTEM "file://)" +
                                  secret_file + R"(">]>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
  <soap:Body><r:R xmlns:r="urn:etat-civil:v2"><r:NumeroDossier>&xxe;</r:NumeroDossier></r:R>
  </soap:Body>
</soap:Envelope>)");
    });
    configure(base());
    auto receipt = connector_->deliver(delivery());
    ASSERT_FALSE(receipt.ok()) << "business id: " << receipt->business_id;
    EXPECT_EQ(receipt.error().code, sdk::ErrorCode::Permanent);
    EXPECT_THAT(receipt.error().message, HasSubstr("DOCTYPE"));
    EXPECT_THAT(receipt.error().message, Not(HasSubstr("MARQUEUR-XXE")));
    EXPECT_THAT(services_.logs(), Not(HasSubstr("MARQUEUR-XXE")));
}

TEST_F(SoapConnectorTest, APayloadThatIsNotXmlOrAlreadyAnEnvelopeIsRefused) {
    configure(base());
    auto broken = connector_->deliver(delivery("<ec:A xmlns:ec=\"urn:a\">\n<ec:B></ec:A>"));
    ASSERT_FALSE(broken.ok());
    EXPECT_EQ(broken.error().code, sdk::ErrorCode::InvalidArgument);
    EXPECT_THAT(broken.error().message, HasSubstr("line 2"));

    auto envelope = connector_->deliver(delivery(kResponse11));
    ASSERT_FALSE(envelope.ok());
    EXPECT_THAT(envelope.error().message, HasSubstr("already a SOAP envelope"));

    sdk::Delivery json = delivery("{\"a\": 1}");
    json.content_type = "application/json";
    auto wrong_type = connector_->deliver(json);
    ASSERT_FALSE(wrong_type.ok());
    EXPECT_EQ(wrong_type.error().code, sdk::ErrorCode::InvalidArgument);
    EXPECT_THAT(wrong_type.error().message, HasSubstr("application/json"));
    EXPECT_EQ(server_.count(), 0U);
}

// ---- idempotency ---------------------------------------------------------------------------

TEST_F(SoapConnectorTest, TheIdempotencyKeyGoesInAHeaderElementInClarkNotation) {
    configure(with(base(), {{"idempotency-element", "{urn:x}RequestId"},
                            {"idempotency-header", "X-Request-Id"}}));
    ASSERT_TRUE(connector_->deliver(delivery()).ok());
    const auto request = lastRequest();
    EXPECT_EQ(request.header("X-Request-Id"), "rl-7f3e-cantine-1");
    EXPECT_EQ(request.header("Idempotency-Key"), "");
    ReceivedEnvelope envelope(request.body);
    ASSERT_TRUE(envelope.parsed());
    EXPECT_EQ(envelope.text("/s11:Envelope/s11:Header/x:RequestId"), "rl-7f3e-cantine-1");
}

TEST_F(SoapConnectorTest, TheIdempotencyElementMayUseADeclaredPrefix) {
    configure(with(base(), {{"namespaces", "ec=urn:etat-civil:v2, x=urn:x"},
                            {"idempotency-element", "x:CleIdempotence"},
                            {"idempotency-header", ""},
                            {"username", "agent-relais"},
                            {"password", "file:" + password_file_}}));
    ASSERT_TRUE(connector_->deliver(delivery()).ok());
    const auto request = lastRequest();
    EXPECT_EQ(request.header("Idempotency-Key"), "");
    ReceivedEnvelope envelope(request.body);
    ASSERT_TRUE(envelope.parsed());
    EXPECT_EQ(envelope.text("/s11:Envelope/s11:Header/x:CleIdempotence"), "rl-7f3e-cantine-1");
    EXPECT_EQ(envelope.number("count(/s11:Envelope/s11:Header/wsse:Security)"), 1);
}

// ---- configuration -------------------------------------------------------------------------

TEST_F(SoapConnectorTest, ABadXPathIsAConfigurationError) {
    auto error = configureError(with(base(), {{"business-id-xpath", "//ec:NumeroDossier["}}));
    EXPECT_EQ(error.code, sdk::ErrorCode::InvalidArgument);
    EXPECT_EQ(error.field, "business-id-xpath");
    EXPECT_THAT(error.message, HasSubstr("//ec:NumeroDossier["));

    auto undeclared = configureError(with(base(), {{"business-id-xpath", "//zz:Id"}}));
    EXPECT_EQ(undeclared.field, "business-id-xpath");
    EXPECT_THAT(undeclared.message, HasSubstr("namespaces"));

    auto function = configureError(with(base(), {{"display-id-xpath", "frobnicate(//a)"}}));
    EXPECT_EQ(function.field, "display-id-xpath");
}

TEST_F(SoapConnectorTest, ABadNamespacesEntryIsAConfigurationError) {
    for (const char* entry : {"ec", "1ec=urn:a", "ec=", "xmlns=urn:a", "ec=urn:a,ec=urn:b"}) {
        auto error = configureError(with(base(), {{"namespaces", entry}}));
        EXPECT_EQ(error.code, sdk::ErrorCode::InvalidArgument) << entry;
        EXPECT_EQ(error.field, "namespaces") << entry;
        EXPECT_THAT(error.message, HasSubstr("namespaces")) << entry;
    }
}

TEST_F(SoapConnectorTest, AMissingOrBrokenSchemaIsAConfigurationError) {
    const std::string missing = dir_.file("absent.xsd");
    auto absent = configureError(with(base(), {{"schema", missing}}));
    EXPECT_EQ(absent.field, "schema");
    EXPECT_THAT(absent.message, HasSubstr(missing));

    const std::string broken =
        dir_.write("broken.xsd",
                   "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\">\n"
                   "  <xs:element name=\"a\" type=\"xs:nonexistent\"/>\n</xs:schema>\n");
    auto invalid = configureError(with(base(), {{"schema", broken}}));
    EXPECT_EQ(invalid.field, "schema");
    EXPECT_THAT(invalid.message, AllOf(HasSubstr(broken), HasSubstr("nonexistent")));
}

TEST_F(SoapConnectorTest, AMissingSecretIsAConfigurationError) {
    auto missing_file = configureError(with(
        base(), {{"username", "agent"}, {"password", "file:" + dir_.file("absent-password")}}));
    EXPECT_EQ(missing_file.field, "password");
    EXPECT_THAT(missing_file.message, HasSubstr("absent-password"));

    auto missing_variable = configureError(
        with(base(), {{"username", "agent"}, {"password", "env:RELAIS_SOAP_TEST_NO_SUCH_VAR"}}));
    EXPECT_EQ(missing_variable.field, "password");
    EXPECT_THAT(missing_variable.message, HasSubstr("RELAIS_SOAP_TEST_NO_SUCH_VAR"));

    auto no_password = configureError(with(base(), {{"username", "agent"}}));
    EXPECT_EQ(no_password.field, "password");
    auto no_username = configureError(with(base(), {{"password", "file:" + password_file_}}));
    EXPECT_EQ(no_username.field, "username");
}

TEST_F(SoapConnectorTest, OtherConfigurationMistakesNameTheirKey) {
    EXPECT_EQ(configureError(with(base(), {{"idempotency-element", "RequestId"}})).field,
              "idempotency-element");
    EXPECT_EQ(configureError(with(base(), {{"idempotency-element", "y:RequestId"}})).field,
              "idempotency-element");
    EXPECT_EQ(configureError(with(base(), {{"idempotency-element", "{urn:x"}})).field,
              "idempotency-element");
    EXPECT_EQ(configureError(with(base(), {{"idempotency-header", "Bad Header"}})).field,
              "idempotency-header");
    EXPECT_EQ(configureError(with(base(), {{"action", "urn:a\"b"}})).field, "action");
    EXPECT_EQ(configureError(with(base(), {{"client-certificate", password_file_}})).field,
              "client-key");
    EXPECT_EQ(configureError(with(base(), {{"ca-file", dir_.file("absent.pem")}})).field,
              "ca-file");
    EXPECT_EQ(configureError(with(base(), {{"ca-file", dir_.path()}})).field, "ca-file");
    EXPECT_EQ(configureError(with(base(), {{"timeout", "0ms"}})).field, "timeout");
}

// ---- secrets -------------------------------------------------------------------------------

TEST_F(SoapConnectorTest, SecretsNeverReachLogsOrErrors) {
    configure(with(base(), {{"username", "agent-relais"},
                            {"password", "file:" + password_file_},
                            {"password-type", "text"}}));
    // A careless service echoes the credentials in its fault string.
    server_.setHandler([](const test::ReceivedRequest&) {
        return xmlAnswer(500, fault11("soap:Client",
                                      "authentification refusée pour "
                                      "agent-relais / s3cr&amp;t-P@ss&lt;word&gt;"));
    });
    auto receipt = connector_->deliver(delivery());
    ASSERT_FALSE(receipt.ok());
    EXPECT_THAT(receipt.error().message, HasSubstr("authentification refusée"));
    EXPECT_THAT(receipt.error().message, Not(HasSubstr("s3cr")));
    EXPECT_THAT(receipt.error().message, HasSubstr("***"));

    server_.setHandler([](const test::ReceivedRequest&) { return xmlAnswer(200, kResponse11); });
    ASSERT_TRUE(connector_->deliver(delivery()).ok());
    const std::string logs = services_.logs();
    EXPECT_THAT(logs, HasSubstr("dossier delivered"));
    EXPECT_THAT(logs, Not(HasSubstr("s3cr")));
}

// ---- transport and health ------------------------------------------------------------------

TEST_F(SoapConnectorTest, AnUnreachableServiceIsUnavailable) {
    int closed_port = 0;
    {
        test::MockHttpServer gone;
        closed_port = gone.port();
    }
    configure(with(base(), {{"url", "http://127.0.0.1:" + std::to_string(closed_port) + "/ws"}}));
    auto receipt = connector_->deliver(delivery());
    ASSERT_FALSE(receipt.ok());
    EXPECT_EQ(receipt.error().code, sdk::ErrorCode::Unavailable);
    EXPECT_THAT(receipt.error().message, HasSubstr("127.0.0.1:" + std::to_string(closed_port)));
}

TEST_F(SoapConnectorTest, HealthIsGoodWithoutHealthUrl) {
    configure(base());
    auto health = connector_->health();
    ASSERT_TRUE(health.ok());
    EXPECT_TRUE(health->healthy);
    EXPECT_EQ(server_.count(), 0U);
}

TEST_F(SoapConnectorTest, HealthFetchesTheHealthUrl) {
    configure(with(base(), {{"health-url", server_.url("/services/EtatCivil?wsdl")}}));
    server_.setHandler([](const test::ReceivedRequest& request) {
        return request.method == "GET" ? xmlAnswer(200, "<definitions/>")
                                       : xmlAnswer(405, "", "text/plain");
    });
    auto healthy = connector_->health();
    ASSERT_TRUE(healthy.ok());
    EXPECT_TRUE(healthy->healthy) << healthy->detail;
    EXPECT_EQ(lastRequest().uri, "/services/EtatCivil?wsdl");

    server_.setHandler(
        [](const test::ReceivedRequest&) { return xmlAnswer(503, "maintenance", "text/plain"); });
    auto down = connector_->health();
    ASSERT_TRUE(down.ok());
    EXPECT_FALSE(down->healthy);
    EXPECT_THAT(down->detail, HasSubstr("503"));
}

// ---- concurrency ---------------------------------------------------------------------------

TEST_F(SoapConnectorTest, ConcurrentDeliveriesShareTheCompiledConfiguration) {
    configure(with(base(), {{"schema", dir_.write("etat-civil.xsd", kSchema)},
                            {"display-id-xpath", "//ec:NumeroAffiche"},
                            {"username", "agent-relais"},
                            {"password", "file:" + password_file_}}));
    constexpr int kThreads = 6;
    constexpr int kEach = 5;
    std::atomic<int> delivered{0};
    std::atomic<int> refused{0};
    std::vector<std::thread> threads;
    threads.reserve(kThreads);
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kEach; ++i) {
                // Every other thread sends an invalid payload: validation runs concurrently.
                const bool valid = t % 2 == 0;
                sdk::Delivery d = delivery(
                    valid ? kPayload : "<ec:DeposerDemande xmlns:ec=\"urn:etat-civil:v2\"/>");
                auto receipt = connector_->deliver(d);
                if (receipt.ok() && receipt->business_id == "EC-2026-000123") ++delivered;
                if (!receipt.ok() && receipt.error().code == sdk::ErrorCode::InvalidArgument) {
                    ++refused;
                }
            }
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(delivered.load(), kThreads / 2 * kEach);
    EXPECT_EQ(refused.load(), kThreads / 2 * kEach);
}

}  // namespace
}  // namespace relais::plugins::soap
