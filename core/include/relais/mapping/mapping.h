// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "relais/mapping/condition.h"
#include "relais/sdk/dossier.h"
#include "relais/sdk/result.h"

/// @file
/// The declarative mapping engine: a mapping file (XML, mappings/schema/mapping.xsd, reference
/// in mappings/README.md) turns a canonical dossier into the payload a business application
/// expects, JSON or XML.

namespace relais::mapping {

/// What a mapping produces for one dossier.
struct MappedPayload {
    std::string body;          ///< the JSON text (compact) or the XML document
    std::string content_type;  ///< `application/json`, `application/xml` or the mapping's own
};

enum class OutputFormat { Json, Xml };

namespace detail {
struct CompiledMapping;
}

/// A loaded mapping. Immutable once loaded: share it as `std::shared_ptr<const Mapping>`;
/// `apply` may run on any number of threads at once.
class Mapping {
public:
    /// Reads, validates and compiles the mapping file at `path`. Relative paths inside it
    /// (CSV tables, the output's XSD) are resolved against the file's directory. Throws
    /// `relais::ConfigError` with `file:line: <element>: what` on the first problem: schema
    /// violations, bad paths, conditions, regular expressions or date patterns, unknown
    /// tables, unreadable or malformed CSV files, target conflicts, a DTD in the file.
    static std::shared_ptr<const Mapping> load(const std::string& path);

    /// Same as `load`, from text already in memory. `path` names the mapping in messages and
    /// its directory is the base for relative paths.
    static std::shared_ptr<const Mapping> fromString(std::string_view text,
                                                     const std::string& path);

    ~Mapping();
    Mapping(const Mapping&) = delete;
    Mapping& operator=(const Mapping&) = delete;

    /// Maps `dossier`. Errors are values, never exceptions:
    /// - `InvalidArgument` when the dossier's data breaks a rule (a date that does not match
    ///   its pattern, a bad number, a code missing from a strict table, output that fails the
    ///   target XSD…): `field` is the source path with concrete indices
    ///   (`enfants[1].date_naissance`), the message names the dossier id and that path and
    ///   says what was expected. Messages never quote a personal value.
    /// - `Internal` for a bug on our side.
    sdk::Result<MappedPayload> apply(const sdk::Dossier& dossier) const;

    OutputFormat format() const noexcept;
    /// The path the mapping was loaded from (as given).
    const std::string& path() const noexcept;
    /// Number of top-level rules (a group or section with its children counts once).
    std::size_t ruleCount() const noexcept;

private:
    explicit Mapping(std::unique_ptr<detail::CompiledMapping> compiled);

    std::unique_ptr<const detail::CompiledMapping> compiled_;
};

}  // namespace relais::mapping
