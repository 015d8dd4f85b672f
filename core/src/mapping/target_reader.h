// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>
#include <unordered_map>

#include <libxml/tree.h>

#include "mapping/compiled_mapping.h"
#include "mapping/mapping_reader.h"

/// @file
/// Internal to the mapping module: rule targets (`to`) and the checks that no two rules
/// write one target in incompatible ways.

namespace relais::mapping::detail {

/// What a rule does with a target path. A path may be used in several compatible ways
/// (an XML element that has attributes and text), never as both a value and a container.
enum Use : unsigned {
    kObject = 1,      ///< an object / element holding other targets
    kLeaf = 2,        ///< a value
    kArray = 4,       ///< the array / repeated element of a group
    kAttrHolder = 8,  ///< an XML element that carries attributes
};

/// Target paths claimed by the rules of one output object (the document, or one group
/// element), to refuse conflicting rules at load.
class TargetRegistry {
public:
    /// An error message, or empty when `use` of `path` is compatible with earlier claims.
    std::string claim(const std::string& path, unsigned use, int line, bool conditional);

    explicit TargetRegistry(char separator) : separator_(separator) {}
    char separator() const noexcept { return separator_; }

private:
    struct Claim {
        unsigned uses = 0;
        int lines[4] = {};
        bool leaf_conditional = false;
    };

    static int indexOf(unsigned use) noexcept {
        return use == kObject ? 0 : use == kLeaf ? 1 : use == kArray ? 2 : 3;
    }
    static std::string shown(const std::string& path) { return path.empty() ? "." : path; }

    std::unordered_map<std::string, Claim> claims_;
    char separator_;
};

/// Parses the target `text` of a rule: `.` (only in a group, not for a group), JSON member
/// names separated by `.`, or XML steps separated by `/` with an optional last `@attribute`
/// (names checked against the declared prefixes). Throws `ConfigError` at the rule's line.
Target readTarget(const MappingReader& in, const xmlNode* node, const std::string& text,
                  bool in_group, bool for_group);

/// `inner` below `prefix` (a section's target).
Target prefixed(const MappingReader& in, const xmlNode* node, const Target& prefix, Target inner);

/// Claims `target` (and every step above it) for `use` in `registry`; a conflict is a
/// `ConfigError` at the rule's line naming the earlier rule's line.
void claim(const MappingReader& in, const xmlNode* node, TargetRegistry& registry,
           const Target& target, unsigned use, bool conditional);

}  // namespace relais::mapping::detail
