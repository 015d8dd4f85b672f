// SPDX-License-Identifier: AGPL-3.0-or-later
// Fuzz target: XML envelopes from outside — a SOAP service's answer as the soap connector
// reads it (plugins/soap: readSoapResponse, its fault reading and classification, the
// XPath lookups of the business and display ids, over the SDK's XML toolkit) and the core's
// safe-XML helpers (relais/config/xml.h: tryParseXmlSafely, lineOf, xmlAttribute, xmlText,
// the same parser behind the core's ConfigError messages), which parse the
// MDEL (PEC) envelopes of the corpus. relais has no MDEL adapter yet: when one comes, its
// envelope reader belongs here.
//
// Invariants asserted, besides "no crash, no sanitizer report, no exception":
//   - readSoapResponse: a document or problems, never both; a refused DOCTYPE never yields
//     a document; a SOAP version only for a root named Envelope; a fault always has a
//     non-empty first code; a fault matches each of its own codes as a retry entry;
//   - describeFault / sanitizeText: valid UTF-8, no control character, no line separator,
//     within the byte budget; text that is already clean comes back unchanged;
//   - the core's config wrapper and the SDK's parser (one parser, two ways of reporting)
//     accept and refuse the same documents, DOCTYPE refusals included;
//   - on an accepted document every element has a line number ≥ 1 and, for plain ASCII
//     input without an encoding declaration, not beyond the last line;
//   - XPath evaluation gives either nothing or trimmed, non-empty text.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "relais/config/xml.h"
#include "relais/sdk/xml.h"

#include "fuzz_check.h"
#include "soap_response.h"

namespace relais::fuzz {
namespace {

namespace soap = plugins::soap;

// Queries as a SOAP connector config writes them (plugins/soap/README.md), plus MDEL ones.
const std::vector<std::unique_ptr<sdk::XPathQuery>>& queries() {
    static const auto compiled = [] {
        const std::vector<sdk::NamespaceBinding> namespaces = {
            {"env", soap::kSoap11Namespace},
            {"env12", soap::kSoap12Namespace},
            {"ec", "urn:etat-civil:v2"},
            {"pec", "http://finances.gouv.fr/dgme/pec/message/v1"},
        };
        std::vector<std::unique_ptr<sdk::XPathQuery>> out;
        for (const char* expression : {
                 "/env:Envelope/env:Body/ec:DeposerDemandeResponse/ec:NumeroDossier",
                 "//ec:NumeroAffiche",
                 "/env12:Envelope/env12:Body/*[1]/*[local-name()='id']",
                 "/pec:Message/pec:Header/pec:Routing/pec:MessageId",
                 "string(//pec:FlowType)",
                 "count(//*)",
             }) {
            auto query = sdk::XPathQuery::compile(expression, namespaces);
            RELAIS_FUZZ_CHECK(query.ok(), query.error().message);
            out.push_back(std::move(query).value());
        }
        return out;
    }();
    return compiled;
}

bool hasControlOrSeparator(std::string_view text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 || c == 0x7f) return true;
        const auto next = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0;
        if (c == 0xC2 && next >= 0x80 && next < 0xA0) return true;  // C1 controls
        if (c == 0xE2 && next == 0x80 && i + 2 < text.size()) {
            const auto third = static_cast<unsigned char>(text[i + 2]);
            if (third == 0xA8 || third == 0xA9) return true;  // U+2028, U+2029
        }
    }
    return false;
}

// What sanitizeText promises, whatever it was given.
void checkSanitized(std::string_view input, std::string_view output, std::size_t max_bytes) {
    RELAIS_FUZZ_CHECK(output.size() <= max_bytes, "sanitizeText exceeded its byte budget");
    // Known finding `sanitize-utf8` (tests/fuzz/README.md): surrogates, overlong forms and
    // values above U+10FFFF pass through; tolerated, only the byte structure is checked.
    RELAIS_FUZZ_CHECK(tolerated("sanitize-utf8") ? isStructurallyUtf8(output) : isValidUtf8(output),
                      "sanitizeText produced invalid UTF-8");
    RELAIS_FUZZ_CHECK(!hasControlOrSeparator(output), "sanitizeText let a control through");
    RELAIS_FUZZ_CHECK(output.find("  ") == std::string_view::npos, "double space left");
    RELAIS_FUZZ_CHECK(output.empty() || (output.front() != ' ' && output.back() != ' '),
                      "leading or trailing space left");
    const bool clean = input.size() <= max_bytes && isValidUtf8(input) &&
                       !hasControlOrSeparator(input) &&
                       input.find("  ") == std::string_view::npos &&
                       (input.empty() || (input.front() != ' ' && input.back() != ' '));
    if (clean) RELAIS_FUZZ_CHECK(output == input, "sanitizeText changed clean text");
}

void checkSoapResponse(std::string_view input) {
    const soap::SoapResponse response = soap::readSoapResponse(input);
    RELAIS_FUZZ_CHECK((response.doc == nullptr) != response.problems.empty(),
                      "a document and problems, or neither");
    if (response.doctype_refused) RELAIS_FUZZ_CHECK(response.doc == nullptr, "DOCTYPE read");
    if (response.version) RELAIS_FUZZ_CHECK(response.root_name == "Envelope", response.root_name);
    const std::string problems = sdk::describeProblems(response.problems, 3);
    if (verbose()) {
        note(response.doc == nullptr
                 ? "refused: " + problems
                 : "root " + response.root_name + (response.version ? " (SOAP envelope)" : "") +
                       (response.fault ? ", fault " + soap::describeFault(*response.fault) : ""));
    }

    if (response.fault) {
        const soap::SoapFault& fault = *response.fault;
        RELAIS_FUZZ_CHECK(!fault.codes.empty() && !fault.codes.front().empty(),
                          "a fault without a first code");
        for (const std::string& code : fault.codes) {
            if (code == "(no fault code)" || code.empty()) continue;
            RELAIS_FUZZ_CHECK(soap::faultMatches(fault, {code}),
                              "a fault does not match its own code " + code);
        }
        (void)soap::faultMatches(fault, {"Server", "Receiver", "DossierVerrouille"});
        const std::string described = soap::describeFault(fault, 200);
        RELAIS_FUZZ_CHECK(
            (tolerated("sanitize-utf8") ? isStructurallyUtf8(described) : isValidUtf8(described)) &&
                !hasControlOrSeparator(described),
            "describeFault output is not a safe log line");
        // Codes (100 bytes), ": " and the reason (200 bytes), or the placeholder.
        RELAIS_FUZZ_CHECK(described.size() <= 100 + 2 + 200, "describeFault too long");
    }
    checkSanitized(response.root_name, soap::sanitizeText(response.root_name, 80), 80);

    if (response.doc == nullptr) return;
    for (const auto& query : queries()) {
        auto value = query->evaluate(*response.doc);
        if (!value || !value->has_value()) continue;
        const std::string& text = **value;
        RELAIS_FUZZ_CHECK(!text.empty() && sdk::trimXmlSpace(text) == text,
                          "an XPath value is empty or untrimmed");
    }
}

// Each element's line, attribute and text through the core's accessors.
void walk(const xmlNode* node, int last_line, int depth) {
    for (; node != nullptr; node = node->next) {
        if (node->type == XML_ELEMENT_NODE) {
            const int line = config::lineOf(node);
            RELAIS_FUZZ_CHECK(line >= 1, "an element without a line number");
            if (last_line > 0) {
                RELAIS_FUZZ_CHECK(line <= last_line, "element line " + std::to_string(line) +
                                                         " beyond the last line " +
                                                         std::to_string(last_line));
            }
            (void)config::xmlAttribute(node, "name");
            for (const xmlAttr* attribute = node->properties; attribute != nullptr;
                 attribute = attribute->next) {
                RELAIS_FUZZ_CHECK(
                    config::lineOf(reinterpret_cast<const xmlNode*>(attribute)) == line,
                    "an attribute's line differs from its element's");
            }
        }
        // Recursion depth is bounded by libxml2's own nesting limit (256 without HUGE).
        if (depth < 300) walk(node->children, last_line, depth + 1);
    }
}

// Lines in `input` when libxml2 counts them as we do: plain ASCII, no encoding switch (an
// EBCDIC or UTF-7 document has line breaks that are not 0x0A bytes). 0: unknown.
int lastLine(std::string_view input) {
    for (const char c : input) {
        const auto u = static_cast<unsigned char>(c);
        if (u >= 0x7f || (u < 0x20 && c != '\n' && c != '\r' && c != '\t')) return 0;
    }
    if (input.find("encoding") != std::string_view::npos) return 0;
    int lines = 1;
    for (const char c : input) lines += c == '\n' ? 1 : 0;
    return lines;
}

void checkCoreParser(std::string_view input) {
    auto core = config::tryParseXmlSafely(input, "fuzz.xml");
    const sdk::ParsedXml connector = sdk::parseXmlSafely(input);
    RELAIS_FUZZ_CHECK(core.ok() == (connector.doc != nullptr),
                      std::string("the core's parser ") + (core.ok() ? "accepted" : "refused") +
                          " what the SDK's " + (core.ok() ? "refused: " : "accepted") +
                          sdk::describeProblems(connector.problems, 2));
    if (connector.doctype_refused) {
        RELAIS_FUZZ_CHECK(!core.ok() && core.error().message.find("DOCTYPE") != std::string::npos,
                          "the core's parser did not refuse the DOCTYPE");
    }
    if (!core) {
        RELAIS_FUZZ_CHECK(core.error().code == sdk::ErrorCode::InvalidArgument &&
                              core.error().message.starts_with("fuzz.xml"),
                          core.error().message);
        return;
    }
    const xmlNode* root = xmlDocGetRootElement(core->get());
    RELAIS_FUZZ_CHECK(root != nullptr, "an accepted document without root");
    (void)config::xmlText(root);
    walk(root, lastLine(input), 0);
}

}  // namespace
}  // namespace relais::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace relais::fuzz;
    const std::string_view input = asText(data, size);
    checkSoapResponse(input);
    checkCoreParser(input);
    // The sanitiser on raw bytes, with a budget taken from the input.
    const std::size_t budget = size == 0 ? 0 : data[0] % 64;
    checkSanitized(input, relais::plugins::soap::sanitizeText(input, budget), budget);
    return 0;
}
