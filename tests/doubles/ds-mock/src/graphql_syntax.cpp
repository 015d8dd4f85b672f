// SPDX-License-Identifier: AGPL-3.0-or-later
#include "graphql_syntax.h"

#include <cctype>

#include "relais/sdk/text.h"

namespace relais::ds_mock {
namespace {

// The token names graphql-ruby's parser prints.
std::string tokenName(const Token& token) {
    switch (token.kind) {
        case TokenKind::Name:
            return "IDENTIFIER";
        case TokenKind::Int:
            return "INT";
        case TokenKind::Float:
            return "FLOAT";
        case TokenKind::String:
            return "STRING";
        case TokenKind::End:
            return "EOF";
        case TokenKind::Punctuator:
            break;
    }
    static const std::vector<std::pair<std::string_view, std::string_view>> kNames = {
        {"{", "LCURLY"},   {"}", "RCURLY"},   {"(", "LPAREN"},   {")", "RPAREN"},
        {"[", "LBRACKET"}, {"]", "RBRACKET"}, {":", "COLON"},    {"!", "BANG"},
        {"$", "VAR_SIGN"}, {"=", "EQUALS"},   {"@", "DIR_SIGN"}, {"...", "ELLIPSIS"},
        {"|", "PIPE"},     {"&", "AMP"}};
    for (const auto& [text, name] : kNames) {
        if (token.text == text) return std::string(name);
    }
    return "UNKNOWN_CHAR";
}

sdk::Error parseError(const std::string& what, int line, int column) {
    return sdk::fail(sdk::ErrorCode::InvalidArgument, "Parse error on " + what + " at [" +
                                                          std::to_string(line) + ", " +
                                                          std::to_string(column) + "]");
}

bool isNameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool isNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

void appendUtf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

class Lexer {
public:
    explicit Lexer(std::string_view source) : src_(source) {}

    sdk::Result<std::vector<Token>> run() {
        std::vector<Token> tokens;
        while (true) {
            skipIgnored();
            Token token;
            token.line = line_;
            token.column = column();
            if (pos_ >= src_.size()) {
                tokens.push_back(token);
                return tokens;
            }
            const char c = src_[pos_];
            if (src_.substr(pos_, 3) == "...") {
                token.kind = TokenKind::Punctuator;
                token.text = "...";
                pos_ += 3;
            } else if (std::string_view("!$&()[]{}:=@|").find(c) != std::string_view::npos) {
                token.kind = TokenKind::Punctuator;
                token.text = std::string(1, c);
                ++pos_;
            } else if (isNameStart(c)) {
                const std::size_t start = pos_;
                while (pos_ < src_.size() && isNameChar(src_[pos_])) ++pos_;
                token.kind = TokenKind::Name;
                token.text = std::string(src_.substr(start, pos_ - start));
            } else if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) {
                auto number = readNumber(token);
                if (!number.ok()) return number.error();
            } else if (c == '"') {
                auto string =
                    src_.substr(pos_, 3) == "\"\"\"" ? readBlockString(token) : readString(token);
                if (!string.ok()) return string.error();
            } else {
                return parseError("\"" + std::string(1, c) + "\" (UNKNOWN_CHAR)", token.line,
                                  token.column);
            }
            tokens.push_back(std::move(token));
        }
    }

private:
    int column() const { return static_cast<int>(pos_ - line_start_) + 1; }

    void newline() {
        ++line_;
        line_start_ = pos_;
    }

    void skipIgnored() {
        while (pos_ < src_.size()) {
            const char c = src_[pos_];
            if (c == '\n') {
                ++pos_;
                newline();
            } else if (c == ' ' || c == '\t' || c == '\r' || c == ',') {
                ++pos_;
            } else if (c == '#') {
                while (pos_ < src_.size() && src_[pos_] != '\n') ++pos_;
            } else if (src_.substr(pos_, 3) == "\xEF\xBB\xBF") {
                pos_ += 3;
            } else {
                return;
            }
        }
    }

    sdk::Result<void> readNumber(Token& token) {
        const std::size_t start = pos_;
        if (src_[pos_] == '-') ++pos_;
        auto digits = [&] {
            const std::size_t from = pos_;
            while (pos_ < src_.size() && std::isdigit(static_cast<unsigned char>(src_[pos_])))
                ++pos_;
            return pos_ > from;
        };
        bool ok = digits();
        token.kind = TokenKind::Int;
        if (ok && pos_ < src_.size() && src_[pos_] == '.') {
            ++pos_;
            ok = digits();
            token.kind = TokenKind::Float;
        }
        if (ok && pos_ < src_.size() && (src_[pos_] == 'e' || src_[pos_] == 'E')) {
            ++pos_;
            if (pos_ < src_.size() && (src_[pos_] == '+' || src_[pos_] == '-')) ++pos_;
            ok = digits();
            token.kind = TokenKind::Float;
        }
        token.text = std::string(src_.substr(start, pos_ - start));
        if (!ok || (pos_ < src_.size() && isNameStart(src_[pos_]))) {
            return parseError("\"" + token.text + "\" (UNKNOWN_CHAR)", token.line, token.column);
        }
        return {};
    }

    sdk::Result<void> readString(Token& token) {
        ++pos_;
        token.kind = TokenKind::String;
        while (pos_ < src_.size() && src_[pos_] != '"') {
            const char c = src_[pos_];
            if (c == '\n') break;
            if (c != '\\') {
                token.text += c;
                ++pos_;
                continue;
            }
            if (pos_ + 1 >= src_.size()) break;
            const char e = src_[pos_ + 1];
            pos_ += 2;
            switch (e) {
                case 'n':
                    token.text += '\n';
                    break;
                case 't':
                    token.text += '\t';
                    break;
                case 'r':
                    token.text += '\r';
                    break;
                case 'b':
                    token.text += '\b';
                    break;
                case 'f':
                    token.text += '\f';
                    break;
                case '"':
                case '\\':
                case '/':
                    token.text += e;
                    break;
                case 'u': {
                    char32_t cp = 0;
                    for (int i = 0; i < 4; ++i) {
                        const int d =
                            pos_ < src_.size() ? sdk::text::hexDigitValue(src_[pos_]) : -1;
                        if (d < 0) return parseError("bad \\u escape", token.line, token.column);
                        cp = cp * 16 + static_cast<char32_t>(d);
                        ++pos_;
                    }
                    appendUtf8(token.text, cp);
                    break;
                }
                default:
                    return parseError("bad escape", token.line, token.column);
            }
        }
        if (pos_ >= src_.size() || src_[pos_] != '"') {
            return parseError("unterminated string", token.line, token.column);
        }
        ++pos_;
        return {};
    }

    // A block string's value: common indentation and blank first/last lines removed.
    sdk::Result<void> readBlockString(Token& token) {
        pos_ += 3;
        token.kind = TokenKind::String;
        std::string raw;
        while (pos_ < src_.size() && src_.substr(pos_, 3) != "\"\"\"") {
            if (src_.substr(pos_, 4) == "\\\"\"\"") {
                raw += "\"\"\"";
                pos_ += 4;
                continue;
            }
            raw += src_[pos_];
            if (src_[pos_++] == '\n') newline();
        }
        if (pos_ >= src_.size()) return parseError("unterminated string", token.line, token.column);
        pos_ += 3;
        token.text = dedent(raw);
        return {};
    }

    static std::string dedent(const std::string& raw) {
        std::vector<std::string> lines;
        std::size_t start = 0;
        while (true) {
            const auto nl = raw.find('\n', start);
            lines.push_back(raw.substr(start, nl == std::string::npos ? nl : nl - start));
            if (nl == std::string::npos) break;
            start = nl + 1;
        }
        std::size_t common = std::string::npos;
        for (std::size_t i = 1; i < lines.size(); ++i) {
            const auto indent = lines[i].find_first_not_of(" \t");
            if (indent != std::string::npos && indent < common) common = indent;
        }
        for (std::size_t i = 1; i < lines.size(); ++i) {
            lines[i] = common == std::string::npos
                           ? std::string()
                           : lines[i].substr(std::min(common, lines[i].size()));
        }
        auto blank = [](const std::string& l) { return sdk::text::trim(l).empty(); };
        while (!lines.empty() && blank(lines.front())) lines.erase(lines.begin());
        while (!lines.empty() && blank(lines.back())) lines.pop_back();
        std::string out;
        for (std::size_t i = 0; i < lines.size(); ++i) out += (i ? "\n" : "") + lines[i];
        return out;
    }

    std::string_view src_;
    std::size_t pos_ = 0;
    std::size_t line_start_ = 0;
    int line_ = 1;
};

}  // namespace

sdk::Result<std::vector<Token>> tokenize(std::string_view source) { return Lexer(source).run(); }

std::string TypeRef::toString() const {
    const std::string inner = isList() ? "[" + item->toString() + "]" : name;
    return non_null ? inner + "!" : inner;
}

const Token& TokenCursor::peek(std::size_t ahead) const {
    const std::size_t index = std::min(at_ + ahead, tokens_.size() - 1);
    return tokens_[index];
}

bool TokenCursor::atPunctuator(std::string_view p) const {
    return peek().kind == TokenKind::Punctuator && peek().text == p;
}

bool TokenCursor::atName(std::string_view name) const {
    return peek().kind == TokenKind::Name && peek().text == name;
}

Token TokenCursor::next() {
    Token token = peek();
    if (at_ + 1 < tokens_.size()) ++at_;
    return token;
}

sdk::Error TokenCursor::unexpected() const {
    const Token& token = peek();
    if (token.kind == TokenKind::End) {
        return sdk::fail(sdk::ErrorCode::InvalidArgument, "Unexpected end of document");
    }
    return parseError("\"" + token.text + "\" (" + tokenName(token) + ")", token.line,
                      token.column);
}

sdk::Result<void> TokenCursor::expectPunctuator(std::string_view p) {
    if (!atPunctuator(p)) return unexpected();
    next();
    return {};
}

sdk::Result<std::string> TokenCursor::expectName() {
    if (peek().kind != TokenKind::Name) return unexpected();
    return next().text;
}

sdk::Result<TypeRef> TokenCursor::parseType() {
    TypeRef type;
    if (atPunctuator("[")) {
        next();
        auto item = parseType();
        if (!item.ok()) return item.error();
        auto close = expectPunctuator("]");
        if (!close.ok()) return close.error();
        type.name = item->name;
        type.item = std::make_shared<const TypeRef>(std::move(item).value());
    } else {
        auto name = expectName();
        if (!name.ok()) return name.error();
        type.name = std::move(name).value();
    }
    if (atPunctuator("!")) {
        next();
        type.non_null = true;
    }
    return type;
}

sdk::Result<Value> TokenCursor::parseValue(bool constant) {
    Value value;
    const Token& token = peek();
    if (token.kind == TokenKind::Punctuator && token.text == "$" && !constant) {
        next();
        auto name = expectName();
        if (!name.ok()) return name.error();
        value.kind = Value::Kind::Variable;
        value.text = std::move(name).value();
        return value;
    }
    if (token.kind == TokenKind::Punctuator && (token.text == "[" || token.text == "{")) {
        const bool list = token.text == "[";
        next();
        value.kind = list ? Value::Kind::List : Value::Kind::Object;
        while (!atPunctuator(list ? "]" : "}")) {
            if (atEnd()) return unexpected();
            if (!list) {
                auto name = expectName();
                if (!name.ok()) return name.error();
                auto colon = expectPunctuator(":");
                if (!colon.ok()) return colon.error();
                value.field_names.push_back(std::move(name).value());
            }
            auto item = parseValue(constant);
            if (!item.ok()) return item.error();
            (list ? value.items : value.field_values).push_back(std::move(item).value());
        }
        next();
        return value;
    }
    switch (token.kind) {
        case TokenKind::Int:
            value.kind = Value::Kind::Int;
            break;
        case TokenKind::Float:
            value.kind = Value::Kind::Float;
            break;
        case TokenKind::String:
            value.kind = Value::Kind::String;
            break;
        case TokenKind::Name:
            value.kind = token.text == "true" || token.text == "false" ? Value::Kind::Boolean
                         : token.text == "null"                        ? Value::Kind::Null
                                                                       : Value::Kind::Enum;
            break;
        default:
            return unexpected();
    }
    value.text = next().text;
    return value;
}

sdk::Result<void> TokenCursor::skipDirectives() {
    while (atPunctuator("@")) {
        next();
        auto name = expectName();
        if (!name.ok()) return name.error();
        if (!atPunctuator("(")) continue;
        next();
        while (!atPunctuator(")")) {
            auto arg = expectName();
            if (!arg.ok()) return arg.error();
            auto colon = expectPunctuator(":");
            if (!colon.ok()) return colon.error();
            auto value = parseValue(false);
            if (!value.ok()) return value.error();
        }
        next();
    }
    return {};
}

}  // namespace relais::ds_mock
