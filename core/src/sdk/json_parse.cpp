// SPDX-License-Identifier: AGPL-3.0-or-later
// The strict JSON parser behind Json::parse. Recursive descent over a string_view with an
// explicit depth budget; every error names the line and column where it was found.

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include "relais/sdk/json.h"

namespace relais::sdk {
namespace {

class Parser {
public:
    Parser(std::string_view text, const JsonParseOptions& options)
        : text_(text), options_(options) {}

    Result<Json> run() {
        Json value;
        skipSpace();
        if (!parseValue(value, 0)) return error();
        skipSpace();
        if (pos_ != text_.size()) {
            fail("unexpected data after the JSON value");
            return error();
        }
        return value;
    }

private:
    bool parseValue(Json& out, int depth) {
        if (pos_ >= text_.size()) return fail("unexpected end of input, expected a value");
        switch (text_[pos_]) {
            case '{':
                return parseObject(out, depth + 1);
            case '[':
                return parseArray(out, depth + 1);
            case '"': {
                std::string s;
                if (!parseString(s)) return false;
                out = Json(std::move(s));
                return true;
            }
            case 't':
                return parseLiteral("true", Json(true), out);
            case 'f':
                return parseLiteral("false", Json(false), out);
            case 'n':
                return parseLiteral("null", Json(), out);
            default:
                return parseNumber(out);
        }
    }

    bool parseLiteral(std::string_view word, Json value, Json& out) {
        if (text_.substr(pos_, word.size()) != word) return fail("invalid literal");
        pos_ += word.size();
        out = std::move(value);
        return true;
    }

    bool parseObject(Json& out, int depth) {
        if (depth > options_.max_depth) return fail("nesting deeper than the limit");
        ++pos_;  // '{'
        Json::Object members;
        skipSpace();
        if (peek() == '}') {
            ++pos_;
            out = Json(std::move(members));
            return true;
        }
        for (;;) {
            skipSpace();
            if (peek() != '"') return fail("expected a string as object key");
            std::string key;
            if (!parseString(key)) return false;
            skipSpace();
            if (peek() != ':') return fail("expected ':' after object key");
            ++pos_;
            skipSpace();
            Json value;
            if (!parseValue(value, depth)) return false;
            members.push_back(Json::Member{std::move(key), std::move(value)});
            skipSpace();
            const char c = peek();
            if (c == ',') {
                ++pos_;
                continue;
            }
            if (c == '}') {
                ++pos_;
                break;
            }
            return fail("expected ',' or '}' in object");
        }
        if (options_.reject_duplicate_keys && hasDuplicateKey(members)) {
            return fail("duplicate key '" + duplicate_ + "' in object");
        }
        out = Json(std::move(members));
        return true;
    }

    bool hasDuplicateKey(const Json::Object& members) {
        // Small objects: pairwise comparison is fastest. Large ones: sort pointers, so a
        // hostile object with many keys costs n log n, not n².
        constexpr std::size_t kLinearLimit = 16;
        if (members.size() <= kLinearLimit) {
            for (std::size_t i = 1; i < members.size(); ++i) {
                for (std::size_t j = 0; j < i; ++j) {
                    if (members[i].key == members[j].key) {
                        duplicate_ = members[i].key;
                        return true;
                    }
                }
            }
            return false;
        }
        std::vector<const std::string*> keys;
        keys.reserve(members.size());
        for (const auto& m : members) keys.push_back(&m.key);
        std::sort(keys.begin(), keys.end(),
                  [](const std::string* a, const std::string* b) { return *a < *b; });
        for (std::size_t i = 1; i < keys.size(); ++i) {
            if (*keys[i] == *keys[i - 1]) {
                duplicate_ = *keys[i];
                return true;
            }
        }
        return false;
    }

    bool parseArray(Json& out, int depth) {
        if (depth > options_.max_depth) return fail("nesting deeper than the limit");
        ++pos_;  // '['
        Json::Array items;
        skipSpace();
        if (peek() == ']') {
            ++pos_;
            out = Json(std::move(items));
            return true;
        }
        for (;;) {
            skipSpace();
            Json value;
            if (!parseValue(value, depth)) return false;
            items.push_back(std::move(value));
            skipSpace();
            const char c = peek();
            if (c == ',') {
                ++pos_;
                continue;
            }
            if (c == ']') {
                ++pos_;
                break;
            }
            return fail("expected ',' or ']' in array");
        }
        out = Json(std::move(items));
        return true;
    }

    bool parseNumber(Json& out) {
        const std::size_t start = pos_;
        bool integral = true;
        if (peek() == '-') ++pos_;
        if (peek() == '0') {
            ++pos_;
        } else if (isDigit(peek())) {
            while (isDigit(peek())) ++pos_;
        } else {
            pos_ = start;
            return fail("expected a value");
        }
        if (peek() == '.') {
            integral = false;
            ++pos_;
            if (!isDigit(peek())) return fail("expected a digit after the decimal point");
            while (isDigit(peek())) ++pos_;
        }
        if (peek() == 'e' || peek() == 'E') {
            integral = false;
            ++pos_;
            if (peek() == '+' || peek() == '-') ++pos_;
            if (!isDigit(peek())) return fail("expected a digit in the exponent");
            while (isDigit(peek())) ++pos_;
        }
        const char* first = text_.data() + start;
        const char* last = text_.data() + pos_;
        if (integral) {
            std::int64_t i = 0;
            const auto [end, ec] = std::from_chars(first, last, i);
            if (ec == std::errc{} && end == last) {
                out = Json(i);
                return true;
            }
            // Out of int64 range: keep it as a double, like most JSON parsers.
        }
        double d = 0;
        const auto [end, ec] = std::from_chars(first, last, d);
        if (ec != std::errc{} || end != last) {
            pos_ = start;
            return fail("number out of range");
        }
        out = Json(d);
        return true;
    }

    bool parseString(std::string& out) {
        ++pos_;  // opening quote
        for (;;) {
            // Copy the run of plain characters in one go.
            const std::size_t run_start = pos_;
            while (pos_ < text_.size()) {
                const auto c = static_cast<unsigned char>(text_[pos_]);
                if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
                ++pos_;
            }
            out.append(text_.data() + run_start, pos_ - run_start);
            if (pos_ >= text_.size()) return fail("unterminated string");
            const auto c = static_cast<unsigned char>(text_[pos_]);
            if (c == '"') {
                ++pos_;
                return true;
            }
            if (c < 0x20) return fail("control character in string");
            if (c == '\\') {
                if (!parseEscape(out)) return false;
                continue;
            }
            if (!copyUtf8Sequence(out)) return false;
        }
    }

    bool parseEscape(std::string& out) {
        ++pos_;  // backslash
        if (pos_ >= text_.size()) return fail("unterminated escape");
        const char c = text_[pos_++];
        switch (c) {
            case '"':
                out += '"';
                return true;
            case '\\':
                out += '\\';
                return true;
            case '/':
                out += '/';
                return true;
            case 'b':
                out += '\b';
                return true;
            case 'f':
                out += '\f';
                return true;
            case 'n':
                out += '\n';
                return true;
            case 'r':
                out += '\r';
                return true;
            case 't':
                out += '\t';
                return true;
            case 'u':
                break;
            default:
                --pos_;
                return fail("invalid escape");
        }
        std::uint32_t code = 0;
        if (!parseHex4(code)) return false;
        if (code >= 0xD800 && code <= 0xDBFF) {
            if (text_.substr(pos_, 2) != "\\u") return fail("unpaired surrogate in \\u escape");
            pos_ += 2;
            std::uint32_t low = 0;
            if (!parseHex4(low)) return false;
            if (low < 0xDC00 || low > 0xDFFF) return fail("invalid low surrogate in \\u escape");
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
        } else if (code >= 0xDC00 && code <= 0xDFFF) {
            return fail("unpaired surrogate in \\u escape");
        }
        appendUtf8(out, code);
        return true;
    }

    bool parseHex4(std::uint32_t& code) {
        if (pos_ + 4 > text_.size()) return fail("truncated \\u escape");
        code = 0;
        for (int i = 0; i < 4; ++i) {
            const char h = text_[pos_++];
            code <<= 4;
            if (h >= '0' && h <= '9') {
                code |= static_cast<std::uint32_t>(h - '0');
            } else if (h >= 'a' && h <= 'f') {
                code |= static_cast<std::uint32_t>(h - 'a' + 10);
            } else if (h >= 'A' && h <= 'F') {
                code |= static_cast<std::uint32_t>(h - 'A' + 10);
            } else {
                --pos_;
                return fail("invalid hex digit in \\u escape");
            }
        }
        return true;
    }

    static void appendUtf8(std::string& out, std::uint32_t code) {
        if (code < 0x80) {
            out += static_cast<char>(code);
        } else if (code < 0x800) {
            out += static_cast<char>(0xC0 | (code >> 6));
            out += static_cast<char>(0x80 | (code & 0x3F));
        } else if (code < 0x10000) {
            out += static_cast<char>(0xE0 | (code >> 12));
            out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (code & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (code >> 18));
            out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (code & 0x3F));
        }
    }

    // Validates one multi-byte UTF-8 sequence (no overlongs, no surrogates, ≤ U+10FFFF)
    // and copies it.
    bool copyUtf8Sequence(std::string& out) {
        const auto lead = static_cast<unsigned char>(text_[pos_]);
        int length = 0;
        std::uint32_t min = 0;
        std::uint32_t code = 0;
        if ((lead & 0xE0) == 0xC0) {
            length = 2;
            min = 0x80;
            code = lead & 0x1F;
        } else if ((lead & 0xF0) == 0xE0) {
            length = 3;
            min = 0x800;
            code = lead & 0x0F;
        } else if ((lead & 0xF8) == 0xF0) {
            length = 4;
            min = 0x10000;
            code = lead & 0x07;
        } else {
            return fail("invalid UTF-8 in string");
        }
        if (pos_ + static_cast<std::size_t>(length) > text_.size()) {
            return fail("truncated UTF-8 sequence in string");
        }
        for (int i = 1; i < length; ++i) {
            const auto cont = static_cast<unsigned char>(text_[pos_ + static_cast<std::size_t>(i)]);
            if ((cont & 0xC0) != 0x80) return fail("invalid UTF-8 in string");
            code = (code << 6) | (cont & 0x3F);
        }
        if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
            return fail("invalid UTF-8 in string");
        }
        out.append(text_.data() + pos_, static_cast<std::size_t>(length));
        pos_ += static_cast<std::size_t>(length);
        return true;
    }

    void skipSpace() noexcept {
        while (pos_ < text_.size()) {
            const char c = text_[pos_];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') break;
            ++pos_;
        }
    }

    char peek() const noexcept { return pos_ < text_.size() ? text_[pos_] : '\0'; }
    static bool isDigit(char c) noexcept { return c >= '0' && c <= '9'; }

    bool fail(std::string message) {
        if (message_.empty()) {
            message_ = std::move(message);
            error_pos_ = std::min(pos_, text_.size());
        }
        return false;
    }

    Error error() const {
        std::size_t line = 1;
        std::size_t column = 1;
        for (std::size_t i = 0; i < error_pos_; ++i) {
            if (text_[i] == '\n') {
                ++line;
                column = 1;
            } else {
                ++column;
            }
        }
        return fail_error("invalid JSON at line " + std::to_string(line) + ", column " +
                          std::to_string(column) + ": " + message_);
    }

    static Error fail_error(std::string message) {
        return relais::sdk::fail(ErrorCode::InvalidArgument, std::move(message));
    }

    std::string_view text_;
    const JsonParseOptions& options_;
    std::size_t pos_ = 0;
    std::size_t error_pos_ = 0;
    std::string message_;
    std::string duplicate_;
};

}  // namespace

Result<Json> Json::parse(std::string_view text, const JsonParseOptions& options) {
    return Parser(text, options).run();
}

}  // namespace relais::sdk
