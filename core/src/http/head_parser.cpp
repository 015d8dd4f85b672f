// SPDX-License-Identifier: AGPL-3.0-or-later
#include "http/head_parser.h"

#include <array>
#include <cstring>

#include "relais/common/strings.h"
#include "relais/sdk/text.h"

namespace relais::http::detail {
namespace {

// Poco 1.11's limits (HTTPRequest::MAX_METHOD_LENGTH, MAX_URI_LENGTH; MessageHeader's
// MAX_NAME_LENGTH, MAX_VALUE_LENGTH and default field limit).
constexpr std::size_t kMaxMethod = 32;
constexpr std::size_t kMaxTarget = 16 * 1024;
constexpr std::size_t kMaxName = 256;
constexpr std::size_t kMaxValue = 8 * 1024;
constexpr std::size_t kMaxFields = 100;
constexpr std::string_view kVersionPrefix = "HTTP/1.";

// The longest lines that can be valid (terminator excluded), which bound what is held while
// a line is incomplete: the request line `method SP target SP HTTP/1.x`; a field line with
// room for some optional whitespace around its value.
constexpr std::size_t kMaxRequestLine = kMaxMethod + 1 + kMaxTarget + 1 + kVersionPrefix.size() + 1;
constexpr std::size_t kMaxFieldLine = kMaxName + 1 + kMaxValue + 64;

constexpr std::string_view kTooLarge =
    "the request headers are too large: at most 100 fields, each name at most 256 bytes and "
    "each value at most 8 KiB";
constexpr std::string_view kTargetTooLong = "the request target is longer than 16 KiB";

// tchar of RFC 9110 §5.6.2.
constexpr std::array<bool, 256> kTokenChars = [] {
    std::array<bool, 256> table{};
    for (int c = '0'; c <= '9'; ++c) table[static_cast<std::size_t>(c)] = true;
    for (int c = 'a'; c <= 'z'; ++c) table[static_cast<std::size_t>(c)] = true;
    for (int c = 'A'; c <= 'Z'; ++c) table[static_cast<std::size_t>(c)] = true;
    for (const char c : std::string_view("!#$%&'*+-.^_`|~")) {
        table[static_cast<unsigned char>(c)] = true;
    }
    return table;
}();

bool isToken(std::string_view text) noexcept {
    if (text.empty()) return false;
    for (const char c : text) {
        if (!kTokenChars[static_cast<unsigned char>(c)]) return false;
    }
    return true;
}

std::string malformed(std::string_view fault) {
    return "the request line or headers are malformed (" + std::string(fault) + ")";
}

// Whether the comma-separated list `list` holds `token` (case-insensitive).
bool listHas(std::string_view list, std::string_view token) noexcept {
    for (;;) {
        const auto comma = list.find(',');
        if (common::equalsIgnoreCase(sdk::text::trimSpacesAndTabs(list.substr(0, comma)), token))
            return true;
        if (comma == std::string_view::npos) return false;
        list.remove_prefix(comma + 1);
    }
}

}  // namespace

const std::string* RequestHead::find(std::string_view name) const noexcept {
    for (const auto& [field, value] : fields) {
        if (common::equalsIgnoreCase(field, name)) return &value;
    }
    return nullptr;
}

std::string RequestHead::get(std::string_view name, std::string_view fallback) const {
    const auto* value = find(name);
    return value != nullptr ? *value : std::string(fallback);
}

bool RequestHead::keepAlive() const noexcept {
    bool close = false;
    bool keep_alive = false;
    for (const auto& [field, value] : fields) {
        if (!common::equalsIgnoreCase(field, "Connection")) continue;
        close = close || listHas(value, "close");
        keep_alive = keep_alive || listHas(value, "keep-alive");
    }
    if (close) return false;
    return minor_version >= 1 || keep_alive;
}

bool RequestHead::expectsContinue() const noexcept {
    const auto* expect = find("Expect");
    return expect != nullptr && common::equalsIgnoreCase(*expect, "100-continue");
}

std::size_t HeadParser::feed(std::string_view data) {
    std::size_t pos = 0;
    while (state_ == State::Incomplete && pos < data.size()) {
        const std::string_view rest = data.substr(pos);
        const std::size_t limit = have_request_line_ ? kMaxFieldLine : kMaxRequestLine;
        const void* lf = std::memchr(rest.data(), '\n', rest.size());
        if (lf == nullptr) {
            // Incomplete line: held, up to the limit (plus a CR that may start its CRLF).
            const std::size_t held = line_.size() + rest.size();
            if (held > limit + 1 || (held == limit + 1 && rest.back() != '\r')) {
                line_.append(rest.substr(0, limit + 1 - line_.size()));
                failOverlong();
                return data.size();
            }
            line_.append(rest);
            started_ = started_ || line_ != "\r";
            return data.size();
        }
        const std::size_t length = static_cast<const char*>(lf) - rest.data();
        pos += length + 1;
        const bool cr =
            length > 0 ? rest[length - 1] == '\r' : !line_.empty() && line_.back() == '\r';
        if (line_.size() + length - (cr ? 1 : 0) > limit) {
            // line_ holds at most limit + 1 bytes: complete it to the first limit + 1.
            line_.append(rest.substr(0, limit + 1 - line_.size()));
            failOverlong();
            return pos;
        }
        std::string_view line = rest.substr(0, length);
        if (!line_.empty()) {
            line_.append(line);
            line = line_;
        }
        if (cr) line.remove_suffix(1);
        takeLine(line);
        line_.clear();
    }
    return pos;
}

void HeadParser::reset() {
    state_ = State::Incomplete;
    started_ = false;
    have_request_line_ = false;
    line_.clear();
    // Cleared rather than replaced: the next request of the connection reuses the storage.
    head_.method.clear();
    head_.target.clear();
    head_.minor_version = 1;
    head_.fields.clear();
    error_status_ = 0;
    error_detail_.clear();
}

bool HeadParser::fail(int status, std::string detail) {
    state_ = State::Failed;
    started_ = true;
    error_status_ = status;
    error_detail_ = std::move(detail);
    return false;
}

// A line over the longest valid one, from its first limit + 1 bytes in `line_` (the same
// whether it arrived whole or in pieces): a field is too large; a request line has a target
// over 16 KiB, or is malformed.
bool HeadParser::failOverlong() {
    if (have_request_line_) return fail(431, std::string(kTooLarge));
    const std::string_view line = line_;
    const auto method_end = line.find(' ');
    if (method_end != std::string_view::npos && method_end <= kMaxMethod) {
        const auto target_end = line.find(' ', method_end + 1);
        const auto target_length =
            (target_end == std::string_view::npos ? line.size() : target_end) - method_end - 1;
        if (target_length > kMaxTarget) return fail(414, std::string(kTargetTooLong));
    }
    return fail(400, malformed("the request line is too long"));
}

// One line, terminator removed, within its limit.
bool HeadParser::takeLine(std::string_view line) {
    if (line.empty()) {
        if (!have_request_line_) return true;  // empty lines before a request are skipped
        state_ = State::Complete;
        return true;
    }
    started_ = true;
    if (std::memchr(line.data(), '\0', line.size()) != nullptr) {
        return fail(400, malformed("a NUL byte"));
    }
    if (std::memchr(line.data(), '\r', line.size()) != nullptr) {
        return fail(400, malformed("a CR not followed by LF"));
    }
    return have_request_line_ ? takeField(line) : takeRequestLine(line);
}

// method SP request-target SP HTTP-version
bool HeadParser::takeRequestLine(std::string_view line) {
    const auto method_end = line.find(' ');
    if (method_end == std::string_view::npos) {
        return fail(400, malformed("a request line without method, target and version"));
    }
    const std::string_view method = line.substr(0, method_end);
    if (method.size() > kMaxMethod) return fail(400, malformed("a method over 32 bytes"));
    if (!isToken(method)) return fail(400, malformed("a method that is not a token"));
    const auto target_end = line.find(' ', method_end + 1);
    const std::string_view target = line.substr(method_end + 1, target_end == std::string_view::npos
                                                                    ? std::string_view::npos
                                                                    : target_end - method_end - 1);
    if (target.size() > kMaxTarget) return fail(414, std::string(kTargetTooLong));
    if (target_end == std::string_view::npos) {
        return fail(400, malformed("a request line without method, target and version"));
    }
    if (target.empty()) return fail(400, malformed("an empty request target"));
    if (sdk::text::hasControlCharacter(target)) {
        return fail(400, malformed("a control character in the target"));
    }
    const std::string_view version = line.substr(target_end + 1);
    if (version.size() != kVersionPrefix.size() + 1 || !version.starts_with(kVersionPrefix) ||
        version.back() < '0' || version.back() > '9') {
        return fail(400, malformed("a version other than HTTP/1.x"));
    }
    head_.method.assign(method);
    head_.target.assign(target);
    head_.minor_version = version.back() - '0';
    have_request_line_ = true;
    return true;
}

// field-name ":" OWS field-value OWS
bool HeadParser::takeField(std::string_view line) {
    if (line.front() == ' ' || line.front() == '\t') {
        return fail(400, malformed("obsolete line folding"));
    }
    if (head_.fields.size() == kMaxFields) return fail(431, std::string(kTooLarge));
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) return fail(400, malformed("a field without a colon"));
    const std::string_view name = line.substr(0, colon);
    if (name.size() > kMaxName) return fail(431, std::string(kTooLarge));
    if (!name.empty() && (name.back() == ' ' || name.back() == '\t')) {
        return fail(400, malformed("whitespace before a colon"));
    }
    if (!isToken(name)) return fail(400, malformed("a field name that is not a token"));
    const std::string_view value = sdk::text::trimSpacesAndTabs(line.substr(colon + 1));
    if (value.size() > kMaxValue) return fail(431, std::string(kTooLarge));
    head_.fields.emplace_back(name, value);
    return true;
}

}  // namespace relais::http::detail
