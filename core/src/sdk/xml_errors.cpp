// SPDX-License-Identifier: AGPL-3.0-or-later
#include "sdk/xml_errors.h"

#include <cctype>
#include <cstdarg>
#include <cstdio>
#include <mutex>

#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/xmlIO.h>

#include "sdk/xml_native.h"

namespace relais::sdk {
namespace detail {
namespace {

constexpr std::size_t kMaxProblems = 100;  // a broken file can make libxml2 report thousands
constexpr std::size_t kMaxGenericText = 4096;

bool isSpace(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Drops every "[facet 'xyz'] " tag.
std::string dropFacetTags(std::string text) {
    for (std::size_t at = text.find("[facet '"); at != std::string::npos;
         at = text.find("[facet '", at)) {
        const std::size_t end = text.find("] ", at);
        if (end == std::string::npos) break;
        text.erase(at, end + 2 - at);
    }
    return text;
}

// "The value 'V' is not accepted by the pattern 'P'" → "the value 'V' is not <hint>".
std::string explainPattern(std::string text, const PatternHints* hints) {
    static constexpr std::string_view kValue = "The value '";
    static constexpr std::string_view kMiddle = "' is not accepted by the pattern '";
    const std::size_t middle = text.find(kMiddle);
    if (middle == std::string::npos) return text;
    const std::size_t value_start = text.rfind(kValue, middle);
    if (value_start == std::string::npos) return text;
    const std::size_t pattern_start = middle + kMiddle.size();
    std::size_t pattern_end = text.size();
    while (pattern_end > pattern_start &&
           (text[pattern_end - 1] == '.' || isSpace(text[pattern_end - 1]))) {
        --pattern_end;
    }
    if (pattern_end <= pattern_start || text[pattern_end - 1] != '\'') return text;
    const std::string pattern = text.substr(pattern_start, pattern_end - 1 - pattern_start);
    const std::string value =
        text.substr(value_start + kValue.size(), middle - value_start - kValue.size());
    std::string explanation;
    if (hints != nullptr) {
        const auto hint = hints->find(pattern);
        if (hint != hints->end()) explanation = "is not " + hint->second;
    }
    if (explanation.empty()) explanation = "does not match the pattern '" + pattern + "'";
    return text.substr(0, value_start) + "the value '" + value + "' " + explanation;
}

// Lowers text[i] when it starts a sentence word: a capital followed by a lower-case letter,
// so that names such as "XML" or "ID" keep their case.
void lowerWordStart(std::string& text, std::size_t i) noexcept {
    if (i + 1 >= text.size()) return;
    const auto first = static_cast<unsigned char>(text[i]);
    const auto second = static_cast<unsigned char>(text[i + 1]);
    if (std::isupper(first) != 0 && std::islower(second) != 0) {
        text[i] = static_cast<char>(std::tolower(first));
    }
}

// "Element 'x': The attribute…" → "element 'x': the attribute…".
void lowerSentenceStarts(std::string& text) noexcept {
    lowerWordStart(text, 0);
    for (std::size_t at = text.find(": "); at != std::string::npos; at = text.find(": ", at + 2)) {
        lowerWordStart(text, at + 2);
    }
}

}  // namespace

}  // namespace detail

void native::initLibxml2() {
    static std::once_flag once;
    std::call_once(once, [] {
        xmlInitParser();
        // Process-wide policy: libxml2 never fetches anything over the network, whoever
        // asks (a schema's xs:import, an external entity in a document another library
        // parses). Local files stay reachable for schema includes.
        xmlSetExternalEntityLoader(xmlNoNetExternalEntityLoader);
    });
}

namespace detail {

std::string collapseWhitespace(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    bool pending_space = false;
    for (const char c : text) {
        if (isSpace(c)) {
            pending_space = !out.empty();
            continue;
        }
        // Other control characters would forge log lines where the message ends up.
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) continue;
        if (pending_space) out += ' ';
        pending_space = false;
        out += c;
    }
    return out;
}

std::string cleanXmlMessage(std::string_view raw, const PatternHints* hints) {
    std::string text = collapseWhitespace(raw);
    text = dropFacetTags(std::move(text));
    text = explainPattern(std::move(text), hints);
    while (!text.empty() && (text.back() == '.' || isSpace(text.back()))) text.pop_back();
    lowerSentenceStarts(text);
    if (text.empty()) text = "XML error";
    return text;
}

void XmlErrorCollector::add(const xmlError& error) noexcept {
    if (error.level == XML_ERR_WARNING || error.level == XML_ERR_NONE) return;
    // The node's line when there is one: libxml2 truncates error.line to 65535 for nodes
    // beyond, while lineOf() reads the big line numbers XML_PARSE_BIG_LINES keeps.
    int line = error.node != nullptr ? native::lineOf(static_cast<const xmlNode*>(error.node)) : 0;
    if (line <= 0) line = error.line;
    try {
        add(line, cleanXmlMessage(error.message != nullptr ? error.message : "", hints_));
    } catch (...) {
        // Out of memory while collecting: the caller still sees the operation fail.
    }
}

void XmlErrorCollector::add(int line, std::string message) noexcept {
    if (problems_.size() >= kMaxProblems) return;
    try {
        problems_.push_back(XmlProblem{line > 0 ? line : 0, std::move(message)});
    } catch (...) {
        // Dropped: see above.
    }
}

void XmlErrorCollector::addGenericText(std::string_view text) noexcept {
    try {
        if (generic_text_.size() < kMaxGenericText) generic_text_.append(text);
    } catch (...) {
        // Dropped: see XmlErrorCollector::add.
    }
}

std::vector<XmlProblem> XmlErrorCollector::take() {
    const std::string generic = collapseWhitespace(generic_text_);
    if (!generic.empty()) add(0, cleanXmlMessage(generic, hints_));
    generic_text_.clear();
    return std::move(problems_);
}

void XmlErrorCollector::onStructuredError(void* collector, xmlError* error) {
    if (collector == nullptr || error == nullptr) return;
    static_cast<XmlErrorCollector*>(collector)->add(*error);
}

void XmlErrorCollector::onGenericError(void* collector, const char* format, ...) {
    if (collector == nullptr || format == nullptr) return;
    char buffer[1024];
    va_list args;
    va_start(args, format);
    const int n = std::vsnprintf(buffer, sizeof buffer, format, args);
    va_end(args);
    if (n <= 0) return;
    const std::size_t length = static_cast<std::size_t>(n) < sizeof buffer
                                   ? static_cast<std::size_t>(n)
                                   : sizeof buffer - 1;
    static_cast<XmlErrorCollector*>(collector)->addGenericText(std::string_view(buffer, length));
}

ScopedXmlErrorCapture::ScopedXmlErrorCapture(XmlErrorCollector& collector) noexcept
    : saved_structured_(xmlStructuredError),
      saved_structured_context_(xmlStructuredErrorContext),
      saved_generic_(xmlGenericError),
      saved_generic_context_(xmlGenericErrorContext) {
    xmlSetStructuredErrorFunc(&collector, &XmlErrorCollector::onStructuredError);
    xmlSetGenericErrorFunc(&collector, &XmlErrorCollector::onGenericError);
}

ScopedXmlErrorCapture::~ScopedXmlErrorCapture() {
    xmlSetStructuredErrorFunc(saved_structured_context_, saved_structured_);
    xmlSetGenericErrorFunc(saved_generic_context_, saved_generic_);
}

}  // namespace detail
}  // namespace relais::sdk
