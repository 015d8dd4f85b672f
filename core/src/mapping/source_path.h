// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "relais/sdk/dossier.h"
#include "relais/sdk/json.h"
#include "relais/sdk/result.h"

/// @file
/// Internal to the mapping module: source paths (parsed once at load) and the scope they are
/// resolved in while a dossier is mapped.

namespace relais::mapping::detail {

/// Where a source path starts.
enum class PathRoot : std::uint8_t {
    Item,         ///< the current element (the fields root outside groups): `a.b`, `.`
    Fields,       ///< the fields root from anywhere: `$fields.a.b`
    Dossier,      ///< canonical metadata: `$dossier.id`
    Subject,      ///< the applicant: `$subject.france_connect_sub`
    Attachments,  ///< the canonical attachment list: `$attachments`, `$attachments[0].name`
    Index,        ///< 0-based index of the innermost group element: `$index`
    Position,     ///< 1-based: `$position`
};

/// The canonical fields a `$dossier.` or `$subject.` path names.
enum class MetaField : std::uint8_t {
    None,
    Id,
    Source,
    SourceKey,
    Procedure,
    SubmittedAt,
    Status,
    PortalStatus,
    Version,
    SubjectId,
    SubjectKind,
    FranceConnectSub,
    FamilyName,
    GivenNames,
    BirthDate,
    Gender,
    BirthPlace,
    BirthCountry,
    Siren,
    Siret,
};

/// One step of a path: a member name or an array index.
struct PathStep {
    std::string key;
    std::size_t index = 0;
    bool is_index = false;
};

struct Scope;

/// A parsed source path. Immutable after parsing.
class SourcePath {
public:
    /// Parses `text`. Errors are `InvalidArgument` with a message that says what is wrong
    /// (without position: paths are short and callers name the attribute).
    static sdk::Result<SourcePath> parse(std::string_view text);

    /// The value at this path in `scope`, or null when absent. Metadata values are built
    /// into `scratch`, which must outlive the use of the returned pointer.
    const sdk::Json* resolve(const Scope& scope, sdk::Json& scratch) const;

    const std::string& text() const noexcept { return text_; }
    PathRoot root() const noexcept { return root_; }
    /// True when the path does not depend on the current element.
    bool absolute() const noexcept { return root_ != PathRoot::Item; }
    /// `.`: the current element itself.
    bool isSelf() const noexcept { return root_ == PathRoot::Item && steps_.empty(); }
    /// The name used in error messages (`$fields.` dropped).
    const std::string& display() const noexcept { return display_; }

private:
    std::string text_;
    std::string display_;
    PathRoot root_ = PathRoot::Item;
    MetaField meta_ = MetaField::None;
    std::vector<PathStep> steps_;
};

/// Per-apply state shared by all scopes of one dossier. Single-threaded (one per apply).
struct ApplyContext {
    const sdk::Dossier* dossier = nullptr;
    /// `$attachments`, built on first use.
    std::optional<sdk::Json> attachments;

    const sdk::Json& attachmentsJson();
};

/// Where rules are evaluated: the current element and how it was reached (for messages).
/// Scopes live on the stack of the apply call; `parent` outlives its children.
struct Scope {
    ApplyContext* context = nullptr;
    const sdk::Json* item = nullptr;  ///< current element; null when absent
    const Scope* parent = nullptr;
    const SourcePath* from = nullptr;  ///< the group/section source that led here
    std::size_t index = 0;
    bool indexed = false;  ///< entered as element `index` of a group

    /// The concrete name of `path` in this scope, with indices: `enfants[1].date_naissance`.
    std::string name(const SourcePath& path) const;

private:
    void appendPrefix(std::string& out) const;
};

/// The value of a canonical metadata field, or null when absent.
std::optional<sdk::Json> metaValue(const sdk::Dossier& dossier, MetaField field);

}  // namespace relais::mapping::detail
