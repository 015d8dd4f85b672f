// SPDX-License-Identifier: AGPL-3.0-or-later
// The targets of a mapping's rules (`to`): JSON member paths or XML element/attribute
// paths, the prefixes sections add, and the registry that refuses conflicting targets.

#include "mapping/target_reader.h"

#include "relais/config/xml.h"

#include "mapping/output_reader.h"

namespace relais::mapping::detail {
namespace {

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    for (;;) {
        const auto end = text.find(separator, start);
        parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    return parts;
}

std::string joinSteps(const Target& target, char separator) {
    std::string out;
    for (const auto& step : target.steps) {
        if (!out.empty()) out += separator;
        out += step;
    }
    if (!target.attribute.empty()) {
        if (!out.empty()) out += separator;
        out += '@';
        out += target.attribute;
    }
    if (out.empty()) out = ".";
    return out;
}

const char* describeUse(unsigned use) noexcept {
    switch (use) {
        case kObject:
            return "an object (other targets below it)";
        case kLeaf:
            return "a value";
        case kArray:
            return "a repeated group";
        default:
            return "an element with attributes";
    }
}

}  // namespace

std::string TargetRegistry::claim(const std::string& path, unsigned use, int line,
                                  bool conditional) {
    Claim& claim = claims_[path];
    if (use == kLeaf && (claim.uses & kLeaf) != 0) {
        if (!(claim.leaf_conditional && conditional)) {
            return "the target '" + shown(path) + "' is already written by line " +
                   std::to_string(claim.lines[1]) +
                   "; two rules may write one target only when both have a 'when' "
                   "condition (the first that writes a value wins)";
        }
        return {};
    }
    const unsigned next = claim.uses | use;
    const unsigned kinds = next & (kObject | kLeaf | kArray);
    const bool conflict =
        (kinds & (kinds - 1)) != 0 || ((next & kArray) != 0 && (next & kAttrHolder) != 0);
    if (conflict) {
        for (const unsigned other : {kObject, kLeaf, kArray, kAttrHolder}) {
            if ((claim.uses & other) == 0 || other == use) continue;
            const bool compatible =
                (other | use) == (kObject | kAttrHolder) || (other | use) == (kLeaf | kAttrHolder);
            if (compatible) continue;
            return "the target '" + shown(path) + "' is written as " + describeUse(use) +
                   " here and as " + describeUse(other) + " by line " +
                   std::to_string(claim.lines[indexOf(other)]);
        }
    }
    if ((claim.uses & use) == 0) claim.lines[indexOf(use)] = line;
    if (use == kLeaf) claim.leaf_conditional = conditional;
    claim.uses = next;
    return {};
}

Target readTarget(const MappingReader& in, const xmlNode* node, const std::string& text,
                  bool in_group, bool for_group) {
    Target target;
    target.text = text;
    if (text == ".") {
        if (for_group) in.fail(node, "to: a group needs a target name, not '.'");
        if (!in_group) {
            in.fail(node, "to: '.' (the element itself) is only allowed inside a <group>");
        }
        target.self = true;
        return target;
    }
    if (in.json()) {
        for (const std::string_view step : split(text, '.')) {
            if (step.empty()) in.fail(node, "to: empty member name in '" + text + "'");
            if (step.find_first_of("[]") != std::string_view::npos) {
                in.fail(node, "to: '" + text +
                                  "': arrays are written with a <group>, not with [] in a "
                                  "target");
            }
            target.steps.emplace_back(step);
        }
        return target;
    }
    if (text.front() == '/') {
        in.fail(node, "to: '" + text +
                          "': targets are relative to the root element (no "
                          "leading '/')");
    }
    const auto steps = split(text, '/');
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const std::string_view step = steps[i];
        if (step.empty()) in.fail(node, "to: empty step in '" + text + "'");
        if (step.front() == '@') {
            if (i + 1 != steps.size()) {
                in.fail(node, "to: '" + text + "': an attribute can only be the last step");
            }
            if (for_group) in.fail(node, "to: a group writes elements, not an attribute");
            checkQName(in, node, step.substr(1), "to", true);
            target.attribute = std::string(step.substr(1));
            continue;
        }
        checkQName(in, node, step, "to", false);
        target.steps.emplace_back(step);
    }
    return target;
}

/// `inner` below `prefix` (a section's target).
Target prefixed(const MappingReader& in, const xmlNode* node, const Target& prefix, Target inner) {
    if (prefix.steps.empty()) return inner;
    if (!prefix.attribute.empty()) in.fail(node, "a section cannot target an attribute");
    Target out;
    out.steps = prefix.steps;
    if (!inner.self) {
        out.steps.insert(out.steps.end(), inner.steps.begin(), inner.steps.end());
        out.attribute = std::move(inner.attribute);
    }
    out.text = joinSteps(out, in.json() ? '.' : '/');
    return out;
}

void claim(const MappingReader& in, const xmlNode* node, TargetRegistry& registry,
           const Target& target, unsigned use, bool conditional) {
    const int line = config::lineOf(node);
    const char separator = registry.separator();
    const auto check = [&](const std::string& message) {
        if (!message.empty()) in.fail(node, message);
    };
    if (target.self) {
        check(registry.claim("", kLeaf, line, conditional));
        return;
    }
    const bool has_attribute = !target.attribute.empty();
    check(registry.claim("", target.steps.empty() ? kAttrHolder : kObject, line, conditional));
    std::string path;
    for (std::size_t i = 0; i < target.steps.size(); ++i) {
        if (!path.empty()) path += separator;
        path += target.steps[i];
        const bool last = i + 1 == target.steps.size();
        const unsigned step_use = !last ? kObject : (has_attribute ? kAttrHolder : use);
        check(registry.claim(path, step_use, line, conditional));
    }
    if (has_attribute) {
        check(registry.claim(
            path + (path.empty() ? "" : std::string(1, separator)) + "@" + target.attribute, kLeaf,
            line, conditional));
    }
}

}  // namespace relais::mapping::detail
