// SPDX-License-Identifier: AGPL-3.0-or-later
// Scalars as text, trimming and emptiness of values (see value_functions.h).
#include "mapping/value_functions.h"

namespace relais::mapping::detail {

std::optional<std::string> scalarText(const sdk::Json& value) {
    switch (value.type()) {
        case sdk::Json::Type::String:
            return value.asString();
        case sdk::Json::Type::Int:
        case sdk::Json::Type::Double: {
            std::string text = formatNumber(value, std::nullopt, '.');
            if (text.empty()) return std::nullopt;
            return text;
        }
        case sdk::Json::Type::Bool:
            return std::string(value.asBool() ? "true" : "false");
        default:
            return std::nullopt;
    }
}

std::string_view trimText(std::string_view text) noexcept {
    const auto strip_front = [&]() {
        if (text.empty()) return false;
        const char c = text.front();
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            text.remove_prefix(1);
            return true;
        }
        if (text.size() >= 2 && text[0] == '\xC2' && text[1] == '\xA0') {
            text.remove_prefix(2);
            return true;
        }
        return false;
    };
    const auto strip_back = [&]() {
        if (text.empty()) return false;
        const char c = text.back();
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            text.remove_suffix(1);
            return true;
        }
        if (text.size() >= 2 && text[text.size() - 2] == '\xC2' && text.back() == '\xA0') {
            text.remove_suffix(2);
            return true;
        }
        return false;
    };
    while (strip_front()) {
    }
    while (strip_back()) {
    }
    return text;
}

bool isEmptyValue(const sdk::Json& value) noexcept {
    switch (value.type()) {
        case sdk::Json::Type::Null:
            return true;
        case sdk::Json::Type::String:
            return value.asString().empty();
        case sdk::Json::Type::Array:
        case sdk::Json::Type::Object:
            return value.size() == 0;
        default:
            return false;
    }
}

}  // namespace relais::mapping::detail
