// SPDX-License-Identifier: AGPL-3.0-or-later
// Serialisation of Json: compact on the hot path, indented for humans.

#include <charconv>
#include <cmath>
#include <string>

#include "relais/sdk/json.h"

namespace relais::sdk {
namespace {

void appendDouble(std::string& out, double d) {
    if (!std::isfinite(d)) {
        out += "null";  // JSON has no NaN or infinity
        return;
    }
    char buffer[32];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, d);
    std::string_view text(buffer, static_cast<std::size_t>(end - buffer));
    out += text;
    // Keep a double recognisable as such when it round-trips ("2" would come back an int).
    if (text.find_first_of(".eE") == std::string_view::npos) out += ".0";
}

void dumpValue(const Json& value, std::string& out, int indent, int level) {
    const auto newline = [&](int depth) {
        if (indent <= 0) return;
        out += '\n';
        out.append(static_cast<std::size_t>(indent * depth), ' ');
    };
    switch (value.type()) {
        case Json::Type::Null:
            out += "null";
            return;
        case Json::Type::Bool:
            out += value.asBool() ? "true" : "false";
            return;
        case Json::Type::Int: {
            char buffer[24];
            const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value.asInt());
            out.append(buffer, static_cast<std::size_t>(end - buffer));
            return;
        }
        case Json::Type::Double:
            appendDouble(out, value.asDouble());
            return;
        case Json::Type::String:
            appendJsonString(out, value.asString());
            return;
        case Json::Type::Array: {
            const auto& items = *value.arrayIf();
            out += '[';
            for (std::size_t i = 0; i < items.size(); ++i) {
                if (i > 0) out += ',';
                newline(level + 1);
                dumpValue(items[i], out, indent, level + 1);
            }
            if (!items.empty()) newline(level);
            out += ']';
            return;
        }
        case Json::Type::Object: {
            const auto& members = *value.objectIf();
            out += '{';
            for (std::size_t i = 0; i < members.size(); ++i) {
                if (i > 0) out += ',';
                newline(level + 1);
                appendJsonString(out, members[i].key);
                out += indent > 0 ? ": " : ":";
                dumpValue(members[i].value, out, indent, level + 1);
            }
            if (!members.empty()) newline(level);
            out += '}';
            return;
        }
    }
}

}  // namespace

void appendJsonString(std::string& out, std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += '"';
    std::size_t run_start = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        out.append(text.data() + run_start, i - run_start);
        run_start = i + 1;
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            default:
                out += "\\u00";
                out += kHex[c >> 4];
                out += kHex[c & 0x0F];
        }
    }
    out.append(text.data() + run_start, text.size() - run_start);
    out += '"';
}

std::string Json::dump(int indent) const {
    std::string out;
    dumpValue(*this, out, indent, 0);
    return out;
}

void Json::dumpTo(std::string& out) const { dumpValue(*this, out, 0, 0); }

}  // namespace relais::sdk
