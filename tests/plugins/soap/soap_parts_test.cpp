// SPDX-License-Identifier: AGPL-3.0-or-later
// Unit tests of the SOAP connector's parts: response and fault reading, fault matching,
// sanitising, the UsernameToken digest, safe parsing, namespace bindings and XPath.

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libxml/globals.h>
#include <openssl/evp.h>

#include "relais/sdk/xml.h"

#include "soap_envelope.h"
#include "soap_response.h"

namespace relais::plugins::soap {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(SoapResponse, ReadsASoap11Fault) {
    const SoapResponse response = readSoapResponse(R"(<?xml version="1.0"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">
  <s:Header><h:Trace xmlns:h="urn:h">1</h:Trace></s:Header>
  <s:Body>
    <s:Fault>
      <faultcode xmlns:app="urn:app">app:Locked</faultcode>
      <faultstring>  Dossier
        verrouillé </faultstring>
    </s:Fault>
  </s:Body>
</s:Envelope>)");
    ASSERT_TRUE(response.version.has_value());
    EXPECT_EQ(*response.version, SoapVersion::Soap11);
    ASSERT_TRUE(response.fault.has_value());
    EXPECT_THAT(response.fault->codes, ElementsAre("app:Locked"));
    EXPECT_EQ(describeFault(*response.fault), "app:Locked: Dossier verrouillé");
}

TEST(SoapResponse, ReadsASoap12FaultWithSubcodes) {
    const SoapResponse response = readSoapResponse(R"(<?xml version="1.0"?>
<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:m="urn:m">
  <env:Body>
    <env:Fault>
      <env:Code>
        <env:Value>env:Sender</env:Value>
        <env:Subcode><env:Value>m:Validation</env:Value>
          <env:Subcode><env:Value>m:DateInvalide</env:Value></env:Subcode>
        </env:Subcode>
      </env:Code>
      <env:Reason><env:Text xml:lang="fr">Date invalide</env:Text>
                  <env:Text xml:lang="en">Invalid date</env:Text></env:Reason>
    </env:Fault>
  </env:Body>
</env:Envelope>)");
    ASSERT_TRUE(response.version.has_value());
    EXPECT_EQ(*response.version, SoapVersion::Soap12);
    ASSERT_TRUE(response.fault.has_value());
    EXPECT_THAT(response.fault->codes, ElementsAre("env:Sender", "m:Validation", "m:DateInvalide"));
    EXPECT_EQ(response.fault->reason, "Date invalide");
}

TEST(SoapResponse, ABodyWithoutFaultHasNone) {
    const SoapResponse response = readSoapResponse(
        R"(<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
<soap:Body><Fault/></soap:Body></soap:Envelope>)");
    ASSERT_NE(response.doc, nullptr);
    EXPECT_TRUE(response.version.has_value());
    EXPECT_FALSE(response.fault.has_value()) << "an unqualified Fault is the application's";
}

TEST(SoapResponse, AFaultWithoutCodeStillCounts) {
    const SoapResponse response = readSoapResponse(
        R"(<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
<soap:Body><soap:Fault><faultstring>oups</faultstring></soap:Fault></soap:Body></soap:Envelope>)");
    ASSERT_TRUE(response.fault.has_value());
    EXPECT_EQ(describeFault(*response.fault), "(no fault code): oups");
    EXPECT_FALSE(faultMatches(*response.fault, {"Server", "Receiver", "Client"}));
}

TEST(SoapResponse, RefusesADoctypeWithoutReadingIt) {
    const SoapResponse response = readSoapResponse(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE x SYSTEM \"http://127.0.0.1:9/evil.dtd\">\n<x/>");
    EXPECT_EQ(response.doc, nullptr);
    EXPECT_TRUE(response.doctype_refused);
    ASSERT_FALSE(response.problems.empty());
    EXPECT_EQ(response.problems.front().line, 2);
}

TEST(SoapResponse, ReportsWhyABodyDoesNotParse) {
    const SoapResponse response = readSoapResponse("<a>\n<b>\n</a>");
    EXPECT_EQ(response.doc, nullptr);
    EXPECT_FALSE(response.doctype_refused);
    EXPECT_THAT(describeProblems(response.problems), HasSubstr("line 3"));
    EXPECT_EQ(readSoapResponse("   ").problems.front().message, "the document is empty");
    EXPECT_THAT(describeProblems(readSoapResponse("<a xmlns:p='urn:p'><q:b/></a>").problems),
                HasSubstr("q"));
}

TEST(FaultMatching, FollowsTheDocumentedRules) {
    const SoapFault server11{{"soap:Server.Database.Lock"}, "Verrou"};
    EXPECT_TRUE(faultMatches(server11, {"Server"}));
    EXPECT_TRUE(faultMatches(server11, {"Server.Database"}));
    EXPECT_TRUE(faultMatches(server11, {"soap:Server.Database.Lock"}));
    EXPECT_FALSE(faultMatches(server11, {"Serv"}));
    EXPECT_FALSE(faultMatches(server11, {"Database"}));
    EXPECT_TRUE(faultMatches(server11, {"Verrou"}));
    EXPECT_FALSE(faultMatches(server11, {"Verr"}));
    EXPECT_FALSE(faultMatches(server11, {}));

    const SoapFault sender12{{"env:Sender", "m:Locked"}, "x"};
    EXPECT_FALSE(faultMatches(sender12, {"Server", "Receiver"}));
    EXPECT_TRUE(faultMatches(sender12, {"Locked"}));
    EXPECT_TRUE(faultMatches(sender12, {"Sender"}));
}

TEST(Sanitize, DropsControlsAndInvalidUtf8AndCutsOnACharacter) {
    EXPECT_EQ(sanitizeText("a\r\nb\tc\x1b[0m  d", 100), "a b c [0m d");
    EXPECT_EQ(sanitizeText("a\u0085b\u2028c\u2029d\u00e9", 100), "a b c d\u00e9");
    EXPECT_EQ(sanitizeText("ok\xff\xfe!", 100), "ok!");
    // Surrogates, overlong forms and code points above U+10FFFF are not UTF-8 either.
    EXPECT_EQ(sanitizeText("a\xed\xa0\x80"
                           "b\xe0\x80\x80"
                           "c\xf4\x90\x80\x80"
                           "d",
                           100),
              "abcd");
    EXPECT_EQ(sanitizeText("\xed\x9f\xbf\xf4\x8f\xbf\xbf", 100), "\xed\x9f\xbf\xf4\x8f\xbf\xbf");
    const std::string accents(300, 'x');
    const std::string cut = sanitizeText(accents, 200);
    EXPECT_EQ(cut.size(), 200U);
    EXPECT_TRUE(cut.ends_with("…"));
    // "é" is two bytes: never cut in half.
    std::string many_e;
    for (int i = 0; i < 150; ++i) many_e += "é";
    const std::string cut_e = sanitizeText(many_e, 200);
    EXPECT_LE(cut_e.size(), 200U);
    EXPECT_TRUE(cut_e.ends_with("é…"));
    EXPECT_EQ(sanitizeText("court", 200), "court");
}

std::string opensslDigest(const std::string& text) {
    unsigned char sha[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(text.data(), text.size(), sha, &length, EVP_sha1(), nullptr);
    unsigned char b64[64];
    const int n = EVP_EncodeBlock(b64, sha, static_cast<int>(length));
    return {reinterpret_cast<const char*>(b64), static_cast<std::size_t>(n)};
}

TEST(UsernameToken, DigestIsBase64OfSha1OfNonceCreatedPassword) {
    const std::string nonce("\x00\x01\xfe\xff random bytes", 17);
    const std::string created = "2026-11-14T09:30:00.123Z";
    EXPECT_EQ(passwordDigest(nonce, created, "mot de passe é"),
              opensslDigest(nonce + created + "mot de passe é"));
    EXPECT_EQ(base64Encode(std::string(100, 'a')).find('\n'), std::string::npos);
    EXPECT_EQ(base64Encode("ab"), "YWI=");
}

TEST(UsernameToken, CreatedHasMillisecondsInUtc) {
    EXPECT_EQ(wsuCreated(sdk::Timestamp{1'794'614'400'123'456, 60}), "2026-11-14T00:00:00.123Z");
    EXPECT_EQ(wsuCreated(sdk::Timestamp::fromUnixSeconds(1'794'614'400)),
              "2026-11-14T00:00:00.000Z");
}

TEST(UsernameToken, RandomBytesDiffer) {
    EXPECT_EQ(randomBytes(16).size(), 16U);
    EXPECT_NE(randomBytes(16), randomBytes(16));
}

TEST(NamespaceBindings, ParsesAndRefuses) {
    auto parsed = sdk::parseNamespaceBindings({"ec=urn:etat-civil:v2", " m = http://x/y?a=b "});
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    ASSERT_EQ(parsed->size(), 2U);
    EXPECT_EQ((*parsed)[1].prefix, "m");
    EXPECT_EQ((*parsed)[1].uri, "http://x/y?a=b");
    for (const char* bad : {"ec", "=urn:a", "a b=urn:a", "-a=urn:a", "xml=urn:a", "a="}) {
        auto refused = sdk::parseNamespaceBindings({bad});
        ASSERT_FALSE(refused.ok()) << bad;
        EXPECT_EQ(refused.error().field, "namespaces");
        EXPECT_THAT(refused.error().message, HasSubstr("namespaces")) << bad;
    }
    EXPECT_FALSE(sdk::parseNamespaceBindings({"a=urn:1", "a=urn:2"}).ok());
}

TEST(XPath, EvaluatesNodeSetsStringsAndNumbers) {
    sdk::ParsedXml parsed = sdk::parseXmlSafely(
        "<r xmlns='urn:r'><id>\n 42 \n</id><id>43</id><n>7</n><empty>  </empty></r>");
    ASSERT_NE(parsed.doc, nullptr);
    const std::vector<sdk::NamespaceBinding> ns{{"r", "urn:r"}};
    const auto value = [&](const std::string& expression) -> std::string {
        auto query = sdk::XPathQuery::compile(expression, ns);
        if (!query.ok()) return "compile error: " + query.error().message;
        auto result = (*query)->evaluate(*parsed.doc);
        if (!result.ok()) return "error: " + result.error().message;
        return result->has_value() ? **result : "<none>";
    };
    EXPECT_EQ(value("//r:id"), "42");
    EXPECT_EQ(value("/r:r/r:id[2]"), "43");
    EXPECT_EQ(value("concat('EC-', //r:n)"), "EC-7");
    EXPECT_EQ(value("//r:n * 2"), "14");
    EXPECT_EQ(value("//r:missing"), "<none>");
    EXPECT_EQ(value("//r:empty"), "<none>");
    EXPECT_EQ(value("number('x')"), "<none>");
    EXPECT_THAT(value("//r:n = 7"), HasSubstr("boolean"));
    EXPECT_EQ(value("//id"), "<none>") << "unprefixed names are in no namespace";
    EXPECT_THAT(value("//q:id"), HasSubstr("compile error"));
}

TEST(SafeParse, RefusesDoctypeEvenWithoutEntities) {
    sdk::ParsedXml parsed = sdk::parseXmlSafely("<!DOCTYPE a>\n<a/>");
    EXPECT_EQ(parsed.doc, nullptr);
    EXPECT_TRUE(parsed.doctype_refused);
    EXPECT_THAT(describeProblems(parsed.problems), HasSubstr("DOCTYPE"));
}

TEST(SafeParse, LeavesNoGlobalErrorHandlerBehind) {
    const xmlStructuredErrorFunc before = xmlStructuredError;
    void* const before_context = xmlStructuredErrorContext;
    sdk::ParsedXml parsed = sdk::parseXmlSafely("<a><b></a>");
    EXPECT_EQ(parsed.doc, nullptr);
    EXPECT_EQ(xmlStructuredError, before);
    EXPECT_EQ(xmlStructuredErrorContext, before_context);
}

}  // namespace
}  // namespace relais::plugins::soap
