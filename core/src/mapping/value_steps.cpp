// SPDX-License-Identifier: AGPL-3.0-or-later
// The value steps of a mapping, run on every apply (see value_functions.h).
#include <utility>

#include <Poco/UTF8String.h>

#include "relais/sdk/text.h"

#include "mapping/value_functions.h"

namespace relais::mapping::detail {
namespace {

// Byte offset of code point `index` in `text` (clamped to the end).
std::size_t byteOffset(std::string_view text, std::size_t index) noexcept {
    std::size_t pos = 0;
    for (std::size_t i = 0; i < index && pos < text.size(); ++i) {
        pos += utf8Length(static_cast<unsigned char>(text[pos]));
    }
    return pos < text.size() ? pos : text.size();
}

std::optional<bool> parseBoolean(std::string_view text) noexcept {
    text = trimText(text);
    for (const char* yes : {"true", "1", "oui", "yes", "on", "o", "y"}) {
        if (sdk::text::equalsIgnoreCase(text, yes)) return true;
    }
    for (const char* no : {"false", "0", "non", "no", "off", "n"}) {
        if (sdk::text::equalsIgnoreCase(text, no)) return false;
    }
    return std::nullopt;
}

const char* typeName(const sdk::Json& value) noexcept {
    switch (value.type()) {
        case sdk::Json::Type::Null:
            return "null";
        case sdk::Json::Type::Bool:
            return "a boolean";
        case sdk::Json::Type::Int:
        case sdk::Json::Type::Double:
            return "a number";
        case sdk::Json::Type::String:
            return "a string";
        case sdk::Json::Type::Array:
            return "an array";
        case sdk::Json::Type::Object:
            return "an object";
    }
    return "a value";
}

// Runs a string function on a string. Other scalars are converted to their text first when
// `convert` is set (substring of a number), left alone otherwise (nothing to trim in a
// number); arrays and objects are refused.
template <typename F>
std::optional<std::string> onText(sdk::Json& value, const char* function, bool convert, F&& f) {
    if (value.isString()) {
        std::string out = f(value.asString());
        value = sdk::Json(std::move(out));
        return std::nullopt;
    }
    if (!convert && (value.isNumber() || value.isBool())) return std::nullopt;
    auto text = scalarText(value);
    if (!text) {
        return std::string("expected a text value for ") + function + ", got " + typeName(value);
    }
    value = sdk::Json(f(*text));
    return std::nullopt;
}

}  // namespace

std::optional<std::string> runStep(const Step& step, sdk::Json& value) {
    if (value.isNull()) return std::nullopt;
    if (value.isString() && value.asString().empty()) return std::nullopt;
    switch (step.kind) {
        case StepKind::Trim:
            return onText(value, "trim", false,
                          [](const std::string& text) { return std::string(trimText(text)); });
        case StepKind::Upper:
            return onText(value, "upper", false,
                          [](const std::string& text) { return Poco::UTF8::toUpper(text); });
        case StepKind::Lower:
            return onText(value, "lower", false,
                          [](const std::string& text) { return Poco::UTF8::toLower(text); });
        case StepKind::Substring:
            return onText(value, "substring", true, [&](const std::string& text) {
                const std::size_t begin = byteOffset(text, step.start);
                if (!step.length) return text.substr(begin);
                const std::size_t end =
                    begin + byteOffset(std::string_view(text).substr(begin), *step.length);
                return text.substr(begin, end - begin);
            });
        case StepKind::Replace: {
            auto text = scalarText(value);
            if (!text)
                return std::string("expected a text value for replace, got ") + typeName(value);
            std::string out;
            if (!step.replace->apply(*text, out)) {
                return std::string(
                    "the regular expression of replace failed to run "
                    "(too complex for this value)");
            }
            value = sdk::Json(std::move(out));
            return std::nullopt;
        }
        case StepKind::Date: {
            const std::string* text = value.stringIf();
            if (text == nullptr) {
                return "expected " + describeDate(step.date_from) + ", got " + typeName(value);
            }
            auto time = parseDate(step.date_from, *text);
            if (!time) return "expected " + describeDate(step.date_from);
            value = sdk::Json(formatDate(step.date_to, *time));
            return std::nullopt;
        }
        case StepKind::Lookup: {
            auto code = scalarText(value);
            if (!code) {
                return "expected a code of table '" + step.table->name + "', got " +
                       typeName(value);
            }
            const std::string* target = step.table->find(*code);
            if (target == nullptr) {
                std::string shown = code->size() > 40 ? code->substr(0, 40) + "…" : *code;
                return "unknown code '" + shown + "' in table '" + step.table->name +
                       "' (the table has no default)";
            }
            value = sdk::Json(*target);
            return std::nullopt;
        }
        case StepKind::Number: {
            if (value.isString()) {
                auto number = parseNumber(value.asString(), step.decimal_separator);
                if (!number) {
                    return std::string("expected a number (digits, optionally a sign and '") +
                           step.decimal_separator + "' before decimals)";
                }
                value = std::move(*number);
            } else if (!value.isNumber()) {
                return std::string("expected a number, got ") + typeName(value);
            }
            if (step.decimals) value = roundNumber(value, *step.decimals);
            return std::nullopt;
        }
        case StepKind::Text: {
            if (value.isNumber()) {
                std::string text = formatNumber(value, step.decimals, step.decimal_separator);
                if (text.empty()) return std::string("expected a finite number");
                value = sdk::Json(std::move(text));
                return std::nullopt;
            }
            if (value.isString()) return std::nullopt;
            auto text = scalarText(value);
            if (!text) return std::string("expected a scalar value, got ") + typeName(value);
            value = sdk::Json(std::move(*text));
            return std::nullopt;
        }
        case StepKind::Boolean: {
            if (value.isBool()) return std::nullopt;
            if (value.isNumber()) {
                const double d = value.asDouble();
                if (d == 0.0 || d == 1.0) {
                    value = sdk::Json(d == 1.0);
                    return std::nullopt;
                }
            } else if (value.isString()) {
                if (auto b = parseBoolean(value.asString())) {
                    value = sdk::Json(*b);
                    return std::nullopt;
                }
            }
            return std::string("expected a boolean (true/false, 1/0, oui/non, yes/no)");
        }
    }
    return std::nullopt;
}

}  // namespace relais::mapping::detail
