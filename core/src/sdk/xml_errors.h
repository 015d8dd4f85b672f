// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <libxml/xmlerror.h>

#include "relais/sdk/xml.h"

/// @file
/// Internal to the SDK's XML toolkit: collecting libxml2's messages instead of letting it print
/// them, and turning them into short, readable problems.

namespace relais::sdk::detail {

/// Pattern (as written in an XSD `xs:pattern`) → documentation of the simple type that
/// declares it, used to explain a pattern facet failure in words.
using PatternHints = std::map<std::string, std::string, std::less<>>;

/// Collects the errors libxml2 reports (warnings are dropped, at most 100 kept). Not
/// thread-safe: one per parse or validation, used by the thread doing it. Never throws
/// (its callbacks run inside libxml2's C frames): what cannot be stored is dropped.
class XmlErrorCollector {
public:
    XmlErrorCollector() = default;
    XmlErrorCollector(const XmlErrorCollector&) = delete;
    XmlErrorCollector& operator=(const XmlErrorCollector&) = delete;

    /// Explains pattern failures with `hints` (must outlive the collector); null: no hints.
    void setPatternHints(const PatternHints* hints) noexcept { hints_ = hints; }

    void add(const xmlError& error) noexcept;
    void add(int line, std::string message) noexcept;
    /// Text from libxml2's printf-style generic channel, which arrives in pieces.
    void addGenericText(std::string_view text) noexcept;

    /// The problems collected so far (a pending generic text counts as one, without line).
    std::vector<XmlProblem> take();
    bool empty() const noexcept { return problems_.empty() && generic_text_.empty(); }

    /// `xmlStructuredErrorFunc` for contexts whose user data is the collector itself.
    static void onStructuredError(void* collector, xmlError* error);
    /// `xmlGenericErrorFunc` for the same.
    // printf-like: the compiler checks libxml2's formats are passed through as formats.
    __attribute__((format(printf, 2, 3))) static void onGenericError(void* collector,
                                                                     const char* format, ...);

private:
    std::vector<XmlProblem> problems_;
    std::string generic_text_;
    const PatternHints* hints_ = nullptr;
};

/// While alive, routes the calling thread's libxml2 global error channels (structured and
/// generic) to `collector`; restores the previous handlers on destruction, so nothing is
/// left pointing at a dead collector.
class ScopedXmlErrorCapture {
public:
    explicit ScopedXmlErrorCapture(XmlErrorCollector& collector) noexcept;
    ~ScopedXmlErrorCapture();
    ScopedXmlErrorCapture(const ScopedXmlErrorCapture&) = delete;
    ScopedXmlErrorCapture& operator=(const ScopedXmlErrorCapture&) = delete;

private:
    xmlStructuredErrorFunc saved_structured_;
    void* saved_structured_context_;
    xmlGenericErrorFunc saved_generic_;
    void* saved_generic_context_;
};

/// `text` on one line: runs of white space as one space, none at either end, other control
/// characters dropped.
std::string collapseWhitespace(std::string_view text);

/// libxml2's message made readable: whitespace collapsed, control characters dropped,
/// `[facet '…']` tags dropped, sentence starts in lower case after `: `, final period
/// dropped, a pattern failure explained with `hints` when the pattern is known.
std::string cleanXmlMessage(std::string_view raw, const PatternHints* hints);

}  // namespace relais::sdk::detail
