// SPDX-License-Identifier: AGPL-3.0-or-later
#include "plugin/config_value.h"

#include <cctype>
#include <charconv>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <system_error>

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include "relais/common/strings.h"
#include "relais/config/secrets.h"

namespace relais::plugin::detail {
namespace {

// Longest value quoted back in an error message; beyond it the text is cut.
constexpr std::size_t kMaxEchoedChars = 120;

ValueProblem problem(std::string what, std::string detail = {}) {
    return ValueProblem{std::move(what), true, std::move(detail)};
}

bool allDigits(std::string_view text) noexcept {
    if (text.empty()) return false;
    for (const char c : text) {
        if (c < '0' || c > '9') return false;
    }
    return true;
}

bool hasSpaceOrControl(std::string_view text) noexcept {
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7f) return true;
    }
    return false;
}

std::optional<ValueProblem> parseInteger(std::string_view text, sdk::Setting& out) {
    const ValueProblem not_integer = problem("must be an integer");
    std::string_view digits = text;
    bool negative = false;
    if (!digits.empty() && (digits.front() == '+' || digits.front() == '-')) {
        negative = digits.front() == '-';
        digits.remove_prefix(1);
    }
    if (!allDigits(digits)) return not_integer;
    // from_chars takes the minus sign itself, so that INT64_MIN parses.
    const std::string signed_digits = (negative ? "-" : "") + std::string(digits);
    std::int64_t value = 0;
    const auto [end, ec] =
        std::from_chars(signed_digits.data(), signed_digits.data() + signed_digits.size(), value);
    if (ec == std::errc::result_out_of_range) {
        return problem("must be an integer", "out of range for a signed 64-bit integer");
    }
    if (ec != std::errc{} || end != signed_digits.data() + signed_digits.size()) {
        return not_integer;
    }
    out.integer = value;
    return std::nullopt;
}

std::optional<ValueProblem> parseBoolean(std::string_view text, sdk::Setting& out) {
    if (text == "true") {
        out.boolean = true;
    } else if (text == "false") {
        out.boolean = false;
    } else {
        return problem("must be 'true' or 'false'");
    }
    return std::nullopt;
}

std::optional<ValueProblem> parseDuration(std::string_view text, sdk::Setting& out) {
    const ValueProblem not_duration =
        problem("must be a duration (a number followed by ms, s, m, h or d; bare: seconds)");
    std::size_t digits_end = 0;
    while (digits_end < text.size() && text[digits_end] >= '0' && text[digits_end] <= '9') {
        ++digits_end;
    }
    const std::string_view digits = text.substr(0, digits_end);
    const std::string_view unit = text.substr(digits_end);
    if (digits.empty()) return not_duration;

    constexpr std::int64_t kSecond = 1000;
    constexpr std::int64_t kMinute = 60 * kSecond;
    constexpr std::int64_t kHour = 60 * kMinute;
    constexpr std::int64_t kDay = 24 * kHour;
    std::int64_t millis_per_unit = 0;
    if (unit == "ms") {
        millis_per_unit = 1;
    } else if (unit.empty() || unit == "s") {
        millis_per_unit = kSecond;
    } else if (unit == "m") {
        millis_per_unit = kMinute;
    } else if (unit == "h") {
        millis_per_unit = kHour;
    } else if (unit == "d") {
        millis_per_unit = kDay;
    } else {
        return not_duration;
    }

    std::int64_t count = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), count);
    if (ec == std::errc::result_out_of_range ||
        (ec == std::errc{} && count > std::numeric_limits<std::int64_t>::max() / millis_per_unit)) {
        return problem("must be a duration", "out of range");
    }
    if (ec != std::errc{} || end != digits.data() + digits.size()) return not_duration;
    out.integer = count * millis_per_unit;
    return std::nullopt;
}

std::optional<ValueProblem> parseUrl(std::string_view text) {
    const ValueProblem not_url = problem("must be an absolute http:// or https:// URL with a host");
    if (text.empty() || hasSpaceOrControl(text)) return not_url;
    const std::string lower = common::toLower(text.substr(0, 8));
    if (!lower.starts_with("http://") && !lower.starts_with("https://")) return not_url;
    try {
        const Poco::URI uri{std::string(text)};
        if (uri.getScheme() != "http" && uri.getScheme() != "https") return not_url;
        if (uri.getHost().empty()) return not_url;
    } catch (const Poco::Exception& e) {
        return problem(not_url.what, e.message().empty() ? e.displayText() : e.message());
    }
    return std::nullopt;
}

std::optional<ValueProblem> parsePath(std::string_view text, const std::string& base_dir,
                                      sdk::Setting& out) {
    if (text.empty()) return problem("must be a file system path");
    if (text.find('\0') != std::string_view::npos) return problem("must be a file system path");
    std::filesystem::path path{std::string(text)};
    if (path.is_relative()) {
        if (base_dir.empty()) {
            return problem("must be an absolute path",
                           "there is no config file directory to resolve it against");
        }
        path = std::filesystem::path(base_dir) / path;
    }
    path = path.lexically_normal();
    if (!path.is_absolute()) {
        return problem("must be an absolute path", "the base directory is not absolute");
    }
    out.text = path.string();
    return std::nullopt;
}

std::optional<ValueProblem> parseEnum(const relais_config_key& key, std::string_view text) {
    const auto choices = enumChoices(key.choices);
    for (const auto& choice : choices) {
        if (choice == text) return std::nullopt;
    }
    std::string what = "must be one of ";
    for (std::size_t i = 0; i < choices.size(); ++i) {
        if (i > 0) what += ", ";
        what += "'" + choices[i] + "'";
    }
    if (choices.empty()) what = "has no valid choice (the plugin declares none)";
    return problem(std::move(what));
}

}  // namespace

bool isKnownType(sdk::ConfigType type) noexcept {
    switch (type) {
        case sdk::ConfigType::String:
        case sdk::ConfigType::Integer:
        case sdk::ConfigType::Boolean:
        case sdk::ConfigType::Duration:
        case sdk::ConfigType::Url:
        case sdk::ConfigType::Path:
        case sdk::ConfigType::Secret:
        case sdk::ConfigType::List:
        case sdk::ConfigType::Enum:
            return true;
    }
    return false;
}

std::vector<std::string> enumChoices(const char* choices) {
    if (choices == nullptr) return {};
    return common::splitTrimmed(choices, '|');
}

std::optional<ValueProblem> parseValue(const relais_config_key& key, std::string_view text,
                                       const std::string& base_dir, sdk::Setting& out) {
    out.name = key.name;
    out.type = key.type;
    // Strings keep their text exactly; every other type ignores surrounding white space,
    // which XML indentation easily adds.
    const std::string_view value = key.type == sdk::ConfigType::String ? text : common::trim(text);
    out.text = std::string(value);

    switch (key.type) {
        case sdk::ConfigType::String:
            return std::nullopt;
        case sdk::ConfigType::Integer:
            return parseInteger(value, out);
        case sdk::ConfigType::Boolean:
            return parseBoolean(value, out);
        case sdk::ConfigType::Duration:
            return parseDuration(value, out);
        case sdk::ConfigType::Url:
            return parseUrl(value);
        case sdk::ConfigType::Path:
            return parsePath(value, base_dir, out);
        case sdk::ConfigType::Secret:
            if (!config::isSecretReference(value)) {
                // The text may be the secret itself, pasted where a reference belongs.
                return ValueProblem{
                    "must be a secret reference 'env:NAME' or 'file:/path', not an inline value",
                    false,
                    {}};
            }
            return std::nullopt;
        case sdk::ConfigType::List:
            out.list = common::splitTrimmed(value, ',');
            return std::nullopt;
        case sdk::ConfigType::Enum:
            return parseEnum(key, value);
    }
    return problem("has an unknown type " + std::to_string(static_cast<std::uint32_t>(key.type)));
}

std::string locationText(const config::SourceLocation& where) {
    std::string out = where.file.empty() ? std::string("<config>") : where.file;
    if (where.line > 0) out += ":" + std::to_string(where.line);
    return out;
}

std::string describeProblem(std::string_view key_name, std::string_view text,
                            const ValueProblem& problem) {
    std::string out = "key '" + std::string(key_name) + "' " + problem.what;
    if (problem.echo) {
        std::string shown(text.substr(0, kMaxEchoedChars));
        if (text.size() > kMaxEchoedChars) shown += "...";
        out += ", got '" + shown + "'";
    }
    if (!problem.detail.empty()) out += " (" + problem.detail + ")";
    return out;
}

}  // namespace relais::plugin::detail
