// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <unordered_map>

#include <libxml/tree.h>

#include "mapping/compiled_mapping.h"

/// @file
/// Internal to the mapping module: the state one read of a mapping file shares between the
/// readers of its families (output, tables, targets, steps, rules), like
/// `config::detail::ElementReader` for the config. Not thread-safe: one per read.

namespace relais::mapping::detail {

/// Reads the attributes of one mapping file's elements into `out`. Every error is a
/// `ConfigError` whose message starts with `file:line: <element>: `.
class MappingReader {
public:
    /// `out.path` names the file in messages; relative files resolve against its directory.
    explicit MappingReader(CompiledMapping& out);

    /// Throws `ConfigError` naming the file, `node`'s line and element.
    [[noreturn]] void fail(const xmlNode* node, const std::string& what) const;

    std::optional<std::string> attribute(const xmlNode* node, const char* name) const;
    /// `true`/`1` is true, anything else false; `fallback` when absent.
    bool booleanAttribute(const xmlNode* node, const char* name, bool fallback) const;
    /// `relative` against the mapping file's directory, normalised.
    std::filesystem::path resolve(const std::string& relative) const;

    /// True while the output is JSON (the default until `<output>` says otherwise).
    bool json() const noexcept { return out_.format == OutputFormat::Json; }

    /// The mapping being compiled.
    CompiledMapping& mapping() noexcept { return out_; }
    const CompiledMapping& mapping() const noexcept { return out_; }

    /// The tables read so far, by name (they live in `mapping().tables`).
    std::unordered_map<std::string, const CodeTable*>& tables() noexcept { return tables_; }
    const std::unordered_map<std::string, const CodeTable*>& tables() const noexcept {
        return tables_;
    }

private:
    CompiledMapping& out_;
    std::filesystem::path base_dir_;
    std::unordered_map<std::string, const CodeTable*> tables_;
};

}  // namespace relais::mapping::detail
