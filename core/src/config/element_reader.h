// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <libxml/tree.h>

#include "relais/config/config.h"

/// @file
/// Internal to the config module: what every section reader of `config_reader.cpp` needs to
/// walk the elements of a validated document and turn attribute text into values, with
/// errors that name `file:line`, the element and the attribute.
///
/// The schema already guarantees the structure and the value forms; these helpers still
/// check the forms they convert, so that a reader never trusts text it did not check.

namespace relais::config::detail {

/// Items of a list written with spaces, line breaks and/or commas; empty items dropped,
/// repeated items kept once (first position).
std::vector<std::string> splitList(std::string_view text);

/// `text` between single quotes, as messages quote names and values.
std::string inQuotes(std::string_view text);

/// `adapter` or `connector`, as messages name an instance.
std::string_view kindName(InstanceKind kind) noexcept;

/// Reads the attributes of one config file's elements. Every error is a `ConfigError`
/// whose message starts with `file:line: ` (the element's start tag). Holds no document
/// state: one instance serves every section of a read.
class ElementReader {
public:
    /// `file` names the config in messages; relative paths are resolved against `base_dir`.
    ElementReader(std::string file, std::string base_dir)
        : file_(std::move(file)), base_dir_(std::move(base_dir)) {}

    [[noreturn]] void fail(const xmlNode* node, const std::string& what) const;
    SourceLocation where(const xmlNode* node) const;

    /// `value` made absolute against the config's directory, and normalised.
    std::string resolvePath(const std::string& value) const;
    std::optional<std::string> pathAttribute(const xmlNode* element, const char* name) const;
    std::string requiredPath(const xmlNode* element, const char* name) const;
    /// A `file:` reference with a relative path made absolute; `env:` unchanged.
    std::string resolveReference(const std::string& reference) const;

    std::string attributeOr(const xmlNode* element, const char* name, std::string fallback) const;
    std::string requiredAttribute(const xmlNode* element, const char* name) const;
    /// `element 'e', attribute 'a': `, the start of a message about one attribute.
    std::string attributeContext(const xmlNode* element, const char* name) const;

    /// An integer attribute as the schema accepts it (`xs:int`: surrounding spaces, a sign,
    /// leading zeros); `fallback` when absent.
    long long integerAttribute(const xmlNode* element, const char* name, long long fallback) const;
    int intAttribute(const xmlNode* element, const char* name, int fallback, long long min,
                     long long max) const;
    bool boolAttribute(const xmlNode* element, const char* name, bool fallback) const;
    /// A duration in milliseconds, from 1ms to 24 days (what fits an `int`).
    int durationAttribute(const xmlNode* element, const char* name, int fallback_ms) const;
    /// A duration attribute that may exceed the 24 days `durationAttribute` allows.
    std::int64_t longDurationAttribute(const xmlNode* element, const char* name,
                                       std::int64_t fallback_ms) const;
    /// Requests per second of a `rate` attribute (`50/s`, `600/min`, `1000/h`).
    double rateAttribute(const xmlNode* element, const char* name) const;

private:
    std::string file_;
    std::string base_dir_;
};

}  // namespace relais::config::detail
