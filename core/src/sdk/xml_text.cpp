// SPDX-License-Identifier: AGPL-3.0-or-later
// The text helpers of the XML toolkit (relais/sdk/xml.h): problem lists, white space,
// escaping, names. No libxml2 here.

#include "relais/sdk/xml.h"

namespace relais::sdk {
namespace {

constexpr std::size_t kMaxDescribedMessageBytes = 300;

bool isSpace(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool isAsciiLetter(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// `message` cut at kMaxDescribedMessageBytes on a UTF-8 boundary.
std::string shortened(const std::string& message) {
    if (message.size() <= kMaxDescribedMessageBytes) return message;
    std::size_t cut = kMaxDescribedMessageBytes;
    while (cut > 0 && (static_cast<unsigned char>(message[cut]) & 0xC0) == 0x80) --cut;
    return message.substr(0, cut) + "…";
}

}  // namespace

std::string formatXmlProblems(const std::string& file_name, const std::vector<XmlProblem>& problems,
                              std::size_t max_lines) {
    std::string out;
    std::size_t shown = 0;
    for (const XmlProblem& problem : problems) {
        if (shown == max_lines) {
            out +=
                "\n" + file_name + ": … and " + std::to_string(problems.size() - shown) + " more";
            break;
        }
        if (shown > 0) out += '\n';
        out += file_name;
        if (problem.line > 0) out += ":" + std::to_string(problem.line);
        out += ": " + problem.message;
        ++shown;
    }
    return out;
}

std::string describeProblems(const std::vector<XmlProblem>& problems, std::size_t max_shown) {
    std::string out;
    std::size_t shown = 0;
    for (const XmlProblem& problem : problems) {
        if (shown == max_shown) {
            out += " (and " + std::to_string(problems.size() - shown) + " more)";
            break;
        }
        if (shown > 0) out += "; ";
        if (problem.line > 0) out += "line " + std::to_string(problem.line) + ": ";
        out += shortened(problem.message);
        ++shown;
    }
    return out;
}

std::string_view trimXmlSpace(std::string_view text) noexcept {
    while (!text.empty() && isSpace(text.front())) text.remove_prefix(1);
    while (!text.empty() && isSpace(text.back())) text.remove_suffix(1);
    return text;
}

std::string escapeXml(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\r':
                out += "&#13;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

bool isNcName(std::string_view name) noexcept {
    if (name.empty()) return false;
    const auto first = static_cast<unsigned char>(name.front());
    if (!isAsciiLetter(name.front()) && name.front() != '_' && first < 0x80) return false;
    for (const char c : name) {
        const auto u = static_cast<unsigned char>(c);
        const bool ok = isAsciiLetter(c) || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
                        c == '.' || u >= 0x80;
        if (!ok) return false;
    }
    return true;
}

}  // namespace relais::sdk
