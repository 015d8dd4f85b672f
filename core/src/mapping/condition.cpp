// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/mapping/condition.h"

#include <utility>

#include "mapping/condition_internal.h"
#include "mapping/value_functions.h"

namespace relais::mapping {
namespace detail {
namespace {

using Op = ConditionNode::Op;

constexpr int kMaxDepth = 32;

/// Thrown inside the parser only; `Condition::parse` turns it into an error result.
struct ParseFailure {
    std::size_t position;
    std::string message;
};

bool isSpace(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool isWordChar(char c) noexcept {
    if (isSpace(c)) return false;
    switch (c) {
        case '(':
        case ')':
        case '=':
        case '!':
        case '<':
        case '>':
        case ',':
        case '\'':
        case '"':
            return false;
        default:
            return true;
    }
}

bool isNumberWord(std::string_view word) noexcept {
    std::size_t pos = 0;
    if (pos < word.size() && word[pos] == '-') ++pos;
    const std::size_t digits = pos;
    while (pos < word.size() && word[pos] >= '0' && word[pos] <= '9') ++pos;
    if (pos == digits) return false;
    if (pos < word.size() && word[pos] == '.') {
        const std::size_t fraction = ++pos;
        while (pos < word.size() && word[pos] >= '0' && word[pos] <= '9') ++pos;
        if (pos == fraction) return false;
    }
    return pos == word.size();
}

struct Token {
    enum class Kind : std::uint8_t { End, Open, Close, Comma, Operator, String, Word };
    Kind kind = Kind::End;
    std::string_view raw;  ///< as written (for words and operators)
    std::string text;      ///< the unescaped content of a string
    std::size_t position = 0;
};

class Parser {
public:
    explicit Parser(std::string_view text) : text_(text) {}

    std::unique_ptr<ConditionNode> run() {
        advance();
        if (token_.kind == Token::Kind::End) fail(token_.position, "the condition is empty");
        auto node = parseOr(0);
        if (token_.kind != Token::Kind::End) {
            fail(token_.position, "unexpected " + describe(token_) +
                                      " (expected 'and', 'or' or the end of the condition)");
        }
        return node;
    }

private:
    [[noreturn]] static void fail(std::size_t position, std::string message) {
        throw ParseFailure{position, std::move(message)};
    }

    static std::string describe(const Token& token) {
        switch (token.kind) {
            case Token::Kind::End:
                return "end of the condition";
            case Token::Kind::String:
                return "string";
            default:
                return "'" + std::string(token.raw) + "'";
        }
    }

    bool isWord(std::string_view word) const noexcept {
        return token_.kind == Token::Kind::Word && token_.raw == word;
    }

    void advance() {
        while (pos_ < text_.size() && isSpace(text_[pos_])) ++pos_;
        token_ = Token{};
        token_.position = pos_;
        if (pos_ >= text_.size()) return;
        const char c = text_[pos_];
        const std::size_t start = pos_;
        switch (c) {
            case '(':
                token_.kind = Token::Kind::Open;
                token_.raw = text_.substr(pos_++, 1);
                return;
            case ')':
                token_.kind = Token::Kind::Close;
                token_.raw = text_.substr(pos_++, 1);
                return;
            case ',':
                token_.kind = Token::Kind::Comma;
                token_.raw = text_.substr(pos_++, 1);
                return;
            case '=':
            case '<':
            case '>':
            case '!': {
                ++pos_;
                if (pos_ < text_.size() && text_[pos_] == '=') ++pos_;
                token_.kind = Token::Kind::Operator;
                token_.raw = text_.substr(start, pos_ - start);
                if (token_.raw == "!") fail(start, "'!' must be followed by '=' (use 'not')");
                return;
            }
            case '\'':
            case '"': {
                ++pos_;
                std::string value;
                for (;;) {
                    if (pos_ >= text_.size()) fail(start, "unterminated string");
                    const char s = text_[pos_++];
                    if (s == c) break;
                    if (s == '\\') {
                        if (pos_ >= text_.size()) fail(start, "unterminated string");
                        value += text_[pos_++];
                        continue;
                    }
                    value += s;
                }
                token_.kind = Token::Kind::String;
                token_.raw = text_.substr(start, pos_ - start);
                token_.text = std::move(value);
                return;
            }
            default:
                break;
        }
        while (pos_ < text_.size() && isWordChar(text_[pos_])) ++pos_;
        token_.kind = Token::Kind::Word;
        token_.raw = text_.substr(start, pos_ - start);
    }

    std::unique_ptr<ConditionNode> parseOr(int depth) {
        auto left = parseAnd(depth);
        if (!isWord("or")) return left;
        auto node = std::make_unique<ConditionNode>();
        node->op = Op::Or;
        node->children.push_back(std::move(left));
        while (isWord("or")) {
            advance();
            node->children.push_back(parseAnd(depth));
        }
        return node;
    }

    std::unique_ptr<ConditionNode> parseAnd(int depth) {
        auto left = parseUnary(depth);
        if (!isWord("and")) return left;
        auto node = std::make_unique<ConditionNode>();
        node->op = Op::And;
        node->children.push_back(std::move(left));
        while (isWord("and")) {
            advance();
            node->children.push_back(parseUnary(depth));
        }
        return node;
    }

    std::unique_ptr<ConditionNode> parseUnary(int depth) {
        if (depth >= kMaxDepth) {
            fail(token_.position, "nested too deeply (at most " + std::to_string(kMaxDepth) +
                                      " levels of 'not' and parentheses)");
        }
        if (isWord("not")) {
            advance();
            auto node = std::make_unique<ConditionNode>();
            node->op = Op::Not;
            node->children.push_back(parseUnary(depth + 1));
            return node;
        }
        if (token_.kind == Token::Kind::Open) {
            advance();
            auto inner = parseOr(depth + 1);
            if (token_.kind != Token::Kind::Close) {
                fail(token_.position, "expected ')' but found " + describe(token_));
            }
            advance();
            return inner;
        }
        return parseTest();
    }

    static bool isKeyword(std::string_view word) noexcept {
        for (const char* keyword : {"and", "or", "not", "present", "empty", "in", "matches", "eq",
                                    "ne", "lt", "le", "gt", "ge", "true", "false", "null"}) {
            if (word == keyword) return true;
        }
        return false;
    }

    std::unique_ptr<ConditionNode> parseTest() {
        if (token_.kind != Token::Kind::Word || isKeyword(token_.raw) || isNumberWord(token_.raw)) {
            fail(token_.position,
                 "expected a field path, 'not' or '(' but found " + describe(token_));
        }
        auto path = SourcePath::parse(token_.raw);
        if (!path) fail(token_.position, path.error().message);
        const std::string path_text(token_.raw);
        advance();

        auto node = std::make_unique<ConditionNode>();
        node->path = std::move(*path);
        const Token op_token = token_;
        if (token_.kind == Token::Kind::Operator) {
            const std::string_view op = token_.raw;
            if (op == "=" || op == "==") {
                node->op = Op::Equal;
            } else if (op == "!=") {
                node->op = Op::NotEqual;
            } else if (op == "<") {
                node->op = Op::Less;
            } else if (op == "<=") {
                node->op = Op::LessOrEqual;
            } else if (op == ">") {
                node->op = Op::Greater;
            } else {
                node->op = Op::GreaterOrEqual;
            }
            advance();
            node->literals.push_back(parseLiteral(node->op));
            return node;
        }
        if (token_.kind == Token::Kind::Word) {
            static constexpr std::pair<std::string_view, Op> kWordOps[] = {
                {"eq", Op::Equal},       {"ne", Op::NotEqual}, {"lt", Op::Less},
                {"le", Op::LessOrEqual}, {"gt", Op::Greater},  {"ge", Op::GreaterOrEqual}};
            for (const auto& [word, op] : kWordOps) {
                if (token_.raw == word) {
                    node->op = op;
                    advance();
                    node->literals.push_back(parseLiteral(op));
                    return node;
                }
            }
            if (token_.raw == "present" || token_.raw == "empty") {
                node->op = token_.raw == "present" ? Op::Present : Op::Empty;
                advance();
                return node;
            }
            if (token_.raw == "in") {
                node->op = Op::In;
                advance();
                if (token_.kind != Token::Kind::Open) {
                    fail(token_.position, "expected '(' after 'in' but found " + describe(token_));
                }
                advance();
                for (;;) {
                    node->literals.push_back(parseLiteral(Op::In));
                    if (token_.kind == Token::Kind::Comma) {
                        advance();
                        continue;
                    }
                    if (token_.kind == Token::Kind::Close) break;
                    fail(token_.position, "expected ',' or ')' but found " + describe(token_));
                }
                advance();
                return node;
            }
            if (token_.raw == "matches") {
                node->op = Op::Matches;
                advance();
                if (token_.kind != Token::Kind::String) {
                    fail(token_.position,
                         "expected a quoted regular expression after 'matches' but found " +
                             describe(token_));
                }
                auto regex = compileRegex(token_.text);
                if (!regex) fail(token_.position, regex.error().message);
                node->regex = std::move(*regex);
                advance();
                return node;
            }
        }
        fail(op_token.position,
             "expected 'present', 'empty', a comparison (=, !=, <, <=, >, >=, "
             "eq, ne, lt, le, gt, ge), 'in' or 'matches' after '" +
                 path_text + "' but found " + describe(op_token));
    }

    Literal parseLiteral(Op op) {
        Literal literal;
        if (token_.kind == Token::Kind::String) {
            literal.kind = Literal::Kind::String;
            literal.text = token_.text;
        } else if (token_.kind == Token::Kind::Word && isNumberWord(token_.raw)) {
            literal.kind = Literal::Kind::Number;
            auto number = parseNumber(token_.raw, '.');
            literal.number = number ? number->asDouble() : 0.0;
        } else if (isWord("true") || isWord("false")) {
            literal.kind = Literal::Kind::Bool;
            literal.boolean = token_.raw == "true";
        } else if (isWord("null")) {
            literal.kind = Literal::Kind::Null;
        } else {
            fail(token_.position,
                 "expected a value (a quoted string, a number, true, false or null) but found " +
                     describe(token_));
        }
        const bool ordering = op == Op::Less || op == Op::LessOrEqual || op == Op::Greater ||
                              op == Op::GreaterOrEqual;
        if (ordering && literal.kind != Literal::Kind::Number &&
            literal.kind != Literal::Kind::String) {
            fail(token_.position, "an ordering comparison needs a number or a string");
        }
        advance();
        return literal;
    }

    std::string_view text_;
    std::size_t pos_ = 0;
    Token token_;
};

std::size_t columnOf(std::string_view text, std::size_t position) noexcept {
    std::size_t column = 1;
    for (std::size_t i = 0; i < position && i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++column;
    }
    if (position > text.size()) column += position - text.size();
    return column;
}

std::optional<double> numericValue(const sdk::Json& value) {
    if (value.isNumber()) return value.asDouble();
    if (const std::string* text = value.stringIf()) {
        if (auto number = parseNumber(*text, '.')) return number->asDouble();
    }
    return std::nullopt;
}

bool equalsLiteral(const sdk::Json* value, const Literal& literal) {
    switch (literal.kind) {
        case Literal::Kind::Null:
            return value == nullptr || value->isNull();
        case Literal::Kind::Bool:
            return value != nullptr && value->isBool() && value->asBool() == literal.boolean;
        case Literal::Kind::Number: {
            if (value == nullptr) return false;
            const auto number = numericValue(*value);
            return number && *number == literal.number;
        }
        case Literal::Kind::String: {
            if (value == nullptr) return false;
            if (const std::string* text = value->stringIf()) return *text == literal.text;
            if (value->isNumber() || value->isBool()) return scalarText(*value) == literal.text;
            return false;
        }
    }
    return false;
}

// <0, 0, >0, or none when the two cannot be ordered.
std::optional<int> compareLiteral(const sdk::Json* value, const Literal& literal) {
    if (value == nullptr) return std::nullopt;
    if (literal.kind == Literal::Kind::Number) {
        const auto number = numericValue(*value);
        if (!number) return std::nullopt;
        return *number < literal.number ? -1 : (*number > literal.number ? 1 : 0);
    }
    if (literal.kind == Literal::Kind::String) {
        const std::string* text = value->stringIf();
        if (text == nullptr) return std::nullopt;
        const int c = text->compare(literal.text);
        return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    return std::nullopt;
}

bool evaluateNode(const ConditionNode& node, const Scope& scope) {
    switch (node.op) {
        case Op::And:
            for (const auto& child : node.children) {
                if (!evaluateNode(*child, scope)) return false;
            }
            return true;
        case Op::Or:
            for (const auto& child : node.children) {
                if (evaluateNode(*child, scope)) return true;
            }
            return false;
        case Op::Not:
            return !evaluateNode(*node.children.front(), scope);
        default:
            break;
    }
    sdk::Json scratch;
    const sdk::Json* value = node.path->resolve(scope, scratch);
    switch (node.op) {
        case Op::Present:
            return value != nullptr && !isEmptyValue(*value);
        case Op::Empty:
            return value == nullptr || isEmptyValue(*value);
        case Op::Equal:
            return equalsLiteral(value, node.literals.front());
        case Op::NotEqual:
            return !equalsLiteral(value, node.literals.front());
        case Op::Less: {
            const auto c = compareLiteral(value, node.literals.front());
            return c && *c < 0;
        }
        case Op::LessOrEqual: {
            const auto c = compareLiteral(value, node.literals.front());
            return c && *c <= 0;
        }
        case Op::Greater: {
            const auto c = compareLiteral(value, node.literals.front());
            return c && *c > 0;
        }
        case Op::GreaterOrEqual: {
            const auto c = compareLiteral(value, node.literals.front());
            return c && *c >= 0;
        }
        case Op::In:
            for (const auto& literal : node.literals) {
                if (equalsLiteral(value, literal)) return true;
            }
            return false;
        case Op::Matches: {
            if (value == nullptr) return false;
            const auto text = scalarText(*value);
            return text && regexSearch(*node.regex, *text);
        }
        default:
            return false;
    }
}

}  // namespace

bool ConditionAccess::evaluate(const Condition& condition, const Scope& scope) noexcept {
    if (!condition.root_) return false;
    try {
        return evaluateNode(*condition.root_, scope);
    } catch (...) {
        // Only allocation failures can get here; a condition that cannot be evaluated
        // does not hold.
        return false;
    }
}

}  // namespace detail

sdk::Result<Condition> Condition::parse(std::string_view text) {
    try {
        detail::Parser parser(text);
        std::shared_ptr<const detail::ConditionNode> root = parser.run();
        return Condition(std::move(root), std::string(text));
    } catch (const detail::ParseFailure& failure) {
        return sdk::fail(sdk::ErrorCode::InvalidArgument,
                         "column " + std::to_string(detail::columnOf(text, failure.position)) +
                             ": " + failure.message);
    }
}

bool Condition::evaluate(const sdk::Dossier& dossier) const noexcept {
    detail::ApplyContext context;
    context.dossier = &dossier;
    detail::Scope scope;
    scope.context = &context;
    scope.item = &dossier.fields;
    return detail::ConditionAccess::evaluate(*this, scope);
}

}  // namespace relais::mapping
