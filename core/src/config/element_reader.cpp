// SPDX-License-Identifier: AGPL-3.0-or-later
#include "config/element_reader.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <filesystem>

#include "relais/common/errors.h"
#include "relais/common/strings.h"
#include "relais/config/units.h"
#include "relais/config/xml.h"

namespace relais::config::detail {

std::vector<std::string> splitList(std::string_view text) {
    std::vector<std::string> items;
    std::size_t start = 0;
    auto flush = [&](std::size_t end) {
        if (end > start) {
            std::string item(text.substr(start, end - start));
            if (std::find(items.begin(), items.end(), item) == items.end()) {
                items.push_back(std::move(item));
            }
        }
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',') {
            flush(i);
            start = i + 1;
        }
    }
    flush(text.size());
    return items;
}

std::string inQuotes(std::string_view text) { return "'" + std::string(text) + "'"; }

std::string_view kindName(InstanceKind kind) noexcept {
    return kind == InstanceKind::Adapter ? "adapter" : "connector";
}

void ElementReader::fail(const xmlNode* node, const std::string& what) const {
    throw ConfigError(where(node).toString() + ": " + what);
}

SourceLocation ElementReader::where(const xmlNode* node) const {
    SourceLocation location;
    location.file = file_;
    location.line = lineOf(node);
    return location;
}

std::string ElementReader::resolvePath(const std::string& value) const {
    std::filesystem::path path(value);
    if (path.is_relative()) path = std::filesystem::path(base_dir_) / path;
    std::string out = path.lexically_normal().string();
    while (out.size() > 1 && out.back() == '/') out.pop_back();
    return out;
}

std::optional<std::string> ElementReader::pathAttribute(const xmlNode* element,
                                                        const char* name) const {
    auto value = xmlAttribute(element, name);
    if (!value) return std::nullopt;
    return resolvePath(*value);
}

std::string ElementReader::requiredPath(const xmlNode* element, const char* name) const {
    auto value = pathAttribute(element, name);
    if (!value) {
        fail(element, "element " + inQuotes(nameOf(element)) + ": the attribute " + inQuotes(name) +
                          " is required");
    }
    return *value;
}

std::string ElementReader::resolveReference(const std::string& reference) const {
    if (reference.starts_with("file:")) return "file:" + resolvePath(reference.substr(5));
    return reference;
}

std::string ElementReader::attributeOr(const xmlNode* element, const char* name,
                                       std::string fallback) const {
    auto value = xmlAttribute(element, name);
    return value ? std::move(*value) : std::move(fallback);
}

std::string ElementReader::requiredAttribute(const xmlNode* element, const char* name) const {
    auto value = xmlAttribute(element, name);
    if (!value) {
        fail(element, "element " + inQuotes(nameOf(element)) + ": the attribute " + inQuotes(name) +
                          " is required");
    }
    return std::move(*value);
}

std::string ElementReader::attributeContext(const xmlNode* element, const char* name) const {
    return "element " + inQuotes(nameOf(element)) + ", attribute " + inQuotes(name) + ": ";
}

long long ElementReader::integerAttribute(const xmlNode* element, const char* name,
                                          long long fallback) const {
    auto value = xmlAttribute(element, name);
    if (!value) return fallback;
    std::string_view text = common::trim(*value);
    if (text.starts_with('+')) text.remove_prefix(1);
    long long number = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
        fail(element,
             attributeContext(element, name) + inQuotes(*value) + " is not a whole number");
    }
    return number;
}

int ElementReader::intAttribute(const xmlNode* element, const char* name, int fallback,
                                long long min, long long max) const {
    const long long number = integerAttribute(element, name, fallback);
    if (number < min || number > max) {
        fail(element, attributeContext(element, name) + std::to_string(number) +
                          " is out of range (" + std::to_string(min) + " to " +
                          std::to_string(max) + ")");
    }
    return static_cast<int>(number);
}

bool ElementReader::boolAttribute(const xmlNode* element, const char* name, bool fallback) const {
    auto value = xmlAttribute(element, name);
    if (!value) return fallback;
    const std::string_view text = common::trim(*value);
    if (text == "true" || text == "1") return true;
    if (text == "false" || text == "0") return false;
    fail(element,
         attributeContext(element, name) + inQuotes(*value) + " is not a boolean (true or false)");
}

int ElementReader::durationAttribute(const xmlNode* element, const char* name,
                                     int fallback_ms) const {
    auto value = xmlAttribute(element, name);
    if (!value) return fallback_ms;
    auto duration = parseDuration(*value);
    if (!duration) fail(element, attributeContext(element, name) + duration.error().message);
    if (duration->count() < 1) {
        fail(element, attributeContext(element, name) + "must be at least 1ms");
    }
    if (duration->count() > INT_MAX) {
        fail(element,
             attributeContext(element, name) + inQuotes(*value) + " is too long (at most 24d)");
    }
    return static_cast<int>(duration->count());
}

std::int64_t ElementReader::longDurationAttribute(const xmlNode* element, const char* name,
                                                  std::int64_t fallback_ms) const {
    auto value = xmlAttribute(element, name);
    if (!value) return fallback_ms;
    auto duration = parseDuration(*value);
    if (!duration) fail(element, attributeContext(element, name) + duration.error().message);
    if (duration->count() < 1) {
        fail(element, attributeContext(element, name) + "must be at least 1ms");
    }
    return duration->count();
}

double ElementReader::rateAttribute(const xmlNode* element, const char* name) const {
    const std::string text = attributeOr(element, name, "");
    const auto slash = text.find('/');
    // Without a slash, parse nothing (not `data() + npos`): the check below refuses it.
    const char* count_end = slash == std::string::npos ? text.data() : text.data() + slash;
    double count = 0;
    const auto [end, error] = std::from_chars(text.data(), count_end, count);
    const std::string_view unit =
        slash == std::string::npos ? std::string_view() : std::string_view(text).substr(slash + 1);
    const double seconds = unit == "s" ? 1 : unit == "min" ? 60 : unit == "h" ? 3600 : 0;
    if (slash == std::string::npos || error != std::errc() || end != count_end || count <= 0 ||
        seconds == 0) {
        fail(element, attributeContext(element, name) + inQuotes(text) +
                          " is not a rate: a positive number of requests, '/', then s, "
                          "min or h (for example 50/s)");
    }
    return count / seconds;
}

}  // namespace relais::config::detail
