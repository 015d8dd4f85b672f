// SPDX-License-Identifier: AGPL-3.0-or-later
// The rules of a mapping file: field, concat, group and section, with their source paths,
// conditions, values and defaults.

#include "mapping/rule_reader.h"

#include <optional>

#include "relais/config/xml.h"

#include "mapping/step_reader.h"

namespace relais::mapping::detail {
namespace {

using config::elementsOf;
using config::nameOf;

SourcePath sourcePath(const MappingReader& in, const xmlNode* node, const char* name,
                      const std::string& text) {
    auto path = SourcePath::parse(text);
    if (!path) in.fail(node, std::string(name) + ": " + path.error().message);
    return std::move(*path);
}

std::optional<Condition> condition(const MappingReader& in, const xmlNode* node, const char* name) {
    auto text = in.attribute(node, name);
    if (!text) return std::nullopt;
    auto parsed = Condition::parse(*text);
    if (!parsed) in.fail(node, std::string(name) + ": " + parsed.error().message);
    return std::move(*parsed);
}

/// A field's or a part's value. `with_when`: the spec keeps its own condition (parts);
/// a field's `when` belongs to its rule.
ValueSpec valueSpec(const MappingReader& in, const xmlNode* node, bool with_when) {
    ValueSpec spec;
    auto from = in.attribute(node, "from");
    auto value = in.attribute(node, "value");
    if (from && value) in.fail(node, "give either 'from' or 'value', not both");
    if (!from && !value) in.fail(node, "needs 'from' (a source path) or 'value' (a constant)");
    if (with_when) spec.when = condition(in, node, "when");
    spec.steps = readSteps(in, node);
    if (from) {
        spec.from = sourcePath(in, node, "from", *from);
        return spec;
    }
    sdk::Json constant(*value);
    for (const Step& step : spec.steps) {
        if (auto problem = runStep(step, constant)) in.fail(node, "value: " + *problem);
    }
    spec.constant = std::move(constant);
    return spec;
}

/// The default, typed like the output of the last type step (number, string, boolean).
std::optional<sdk::Json> defaultValue(const MappingReader& in, const xmlNode* node,
                                      const std::vector<Step>& steps) {
    auto text = in.attribute(node, "default");
    if (!text) return std::nullopt;
    StepKind type = StepKind::Text;
    for (const Step& step : steps) {
        if (step.kind == StepKind::Number || step.kind == StepKind::Text ||
            step.kind == StepKind::Boolean) {
            type = step.kind;
        }
    }
    sdk::Json value(*text);
    if (type == StepKind::Number || type == StepKind::Boolean) {
        Step step;
        step.kind = type;
        if (auto problem = runStep(step, value)) {
            in.fail(node, "default: " + *problem +
                              " (a default is written in the output's "
                              "type, with '.' before decimals)");
        }
    }
    return value;
}

}  // namespace

void readRule(MappingReader& in, const xmlNode* node, std::vector<Rule>& rules,
              const Target& prefix, TargetRegistry& registry, bool conditional, bool in_group) {
    Rule rule;
    rule.line = config::lineOf(node);
    rule.when = condition(in, node, "when");
    const bool rule_conditional = conditional || rule.when.has_value();
    const std::string_view name = nameOf(node);
    if (name == "section") {
        rule.kind = Rule::Kind::Section;
        if (auto from = in.attribute(node, "from")) rule.from = sourcePath(in, node, "from", *from);
        Target section_prefix = prefix;
        if (auto to = in.attribute(node, "to"); to && *to != ".") {
            section_prefix = prefixed(in, node, prefix, readTarget(in, node, *to, in_group, false));
            if (!section_prefix.attribute.empty()) {
                in.fail(node, "to: a section cannot target an attribute");
            }
        }
        for (const xmlNode* child : elementsOf(node)) {
            readRule(in, child, rule.children, section_prefix, registry, rule_conditional,
                     in_group);
        }
        rules.push_back(std::move(rule));
        return;
    }
    rule.to = prefixed(
        in, node, prefix,
        readTarget(in, node, in.attribute(node, "to").value_or(""), in_group, name == "group"));
    if (name == "field") {
        rule.kind = Rule::Kind::Field;
        rule.value = valueSpec(in, node, false);
        rule.default_value = defaultValue(in, node, rule.value.steps);
        claim(in, node, registry, rule.to, kLeaf, rule_conditional);
    } else if (name == "concat") {
        rule.kind = Rule::Kind::Concat;
        rule.separator = in.attribute(node, "separator").value_or("");
        rule.skip_empty = in.booleanAttribute(node, "skip-empty", true);
        rule.trim_parts = in.booleanAttribute(node, "trim", true);
        if (auto fallback = in.attribute(node, "default"))
            rule.default_value = sdk::Json(*fallback);
        for (const xmlNode* part : elementsOf(node))
            rule.parts.push_back(valueSpec(in, part, true));
        claim(in, node, registry, rule.to, kLeaf, rule_conditional);
    } else if (name == "group") {
        rule.kind = Rule::Kind::Group;
        rule.from = sourcePath(in, node, "from", in.attribute(node, "from").value_or(""));
        rule.filter = condition(in, node, "filter");
        claim(in, node, registry, rule.to, kArray, rule_conditional);
        TargetRegistry item_registry(registry.separator());
        for (const xmlNode* child : elementsOf(node)) {
            readRule(in, child, rule.children, Target{}, item_registry, false, true);
        }
    } else {
        in.fail(node, "unknown rule element");
    }
    rules.push_back(std::move(rule));
}

}  // namespace relais::mapping::detail
