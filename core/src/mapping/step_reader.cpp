// SPDX-License-Identifier: AGPL-3.0-or-later
// The value steps of a mapping's rules: the shorthand attributes (trim, case, substring,
// replace, date-from/date-to, table, type, decimals) and the step elements.

#include "mapping/step_reader.h"

#include <charconv>

#include "relais/config/xml.h"

#include "mapping/table_reader.h"

namespace relais::mapping::detail {
namespace {

using config::elementsOf;
using config::isNamed;
using config::nameOf;

Step simpleStep(StepKind kind) {
    Step step;
    step.kind = kind;
    return step;
}

std::size_t count(const MappingReader& in, const xmlNode* node, const char* name,
                  const std::string& text) {
    std::size_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) {
        in.fail(node, std::string(name) + ": '" + text + "' is not a count");
    }
    return value;
}

DatePattern datePattern(const MappingReader& in, const xmlNode* node, const char* name,
                        const std::string& text, bool for_input) {
    auto pattern = DatePattern::parse(text, for_input);
    if (!pattern) in.fail(node, std::string(name) + ": " + pattern.error().message);
    return std::move(*pattern);
}

Step numberStep(const MappingReader& in, const xmlNode* node, StepKind kind,
                const char* separator_name) {
    Step step;
    step.kind = kind;
    step.decimal_separator = in.attribute(node, separator_name).value_or(".").front();
    if (auto decimals = in.attribute(node, "decimals")) {
        step.decimals = static_cast<int>(count(in, node, "decimals", *decimals));
    }
    return step;
}

Step replaceStep(const MappingReader& in, const xmlNode* node, const std::string& pattern,
                 const std::string& replacement) {
    Step step;
    step.kind = StepKind::Replace;
    auto compiled = RegexReplace::compile(pattern, replacement);
    if (!compiled) in.fail(node, "replace: " + compiled.error().message);
    step.replace = std::move(*compiled);
    return step;
}

Step stepElement(const MappingReader& in, const xmlNode* node) {
    const std::string_view name = nameOf(node);
    if (name == "trim") return simpleStep(StepKind::Trim);
    if (name == "upper") return simpleStep(StepKind::Upper);
    if (name == "lower") return simpleStep(StepKind::Lower);
    if (name == "boolean") return simpleStep(StepKind::Boolean);
    if (name == "substring") {
        Step step;
        step.kind = StepKind::Substring;
        step.start = count(in, node, "start", in.attribute(node, "start").value_or(""));
        if (auto length = in.attribute(node, "length")) {
            step.length = count(in, node, "length", *length);
        }
        return step;
    }
    if (name == "replace") {
        return replaceStep(in, node, in.attribute(node, "pattern").value_or(""),
                           in.attribute(node, "with").value_or(""));
    }
    if (name == "date") {
        Step step;
        step.kind = StepKind::Date;
        step.date_from =
            datePattern(in, node, "from", in.attribute(node, "from").value_or(""), true);
        step.date_to =
            datePattern(in, node, "to", in.attribute(node, "to").value_or("YYYY-MM-DD"), false);
        return step;
    }
    if (name == "lookup") {
        Step step;
        step.kind = StepKind::Lookup;
        step.table = findTable(in, node, in.attribute(node, "table").value_or(""));
        return step;
    }
    if (name == "number") return numberStep(in, node, StepKind::Number, "decimal-separator");
    if (name == "text") return numberStep(in, node, StepKind::Text, "decimal-separator");
    in.fail(node, "unknown step");
}

}  // namespace

/// The shorthand attributes, in their fixed order, then the step elements.
std::vector<Step> readSteps(const MappingReader& in, const xmlNode* node) {
    std::vector<Step> out;
    if (in.booleanAttribute(node, "trim", false)) {
        out.push_back(simpleStep(StepKind::Trim));
    }
    if (auto text_case = in.attribute(node, "case")) {
        out.push_back(simpleStep(*text_case == "upper" ? StepKind::Upper : StepKind::Lower));
    }
    if (auto substring = in.attribute(node, "substring")) {
        Step step;
        step.kind = StepKind::Substring;
        const auto comma = substring->find(',');
        step.start = count(in, node, "substring", substring->substr(0, comma));
        if (comma != std::string::npos) {
            step.length = count(in, node, "substring", substring->substr(comma + 1));
        }
        out.push_back(std::move(step));
    }
    auto replace = in.attribute(node, "replace");
    auto with = in.attribute(node, "with");
    if (with && !replace) in.fail(node, "'with' needs 'replace' (the regular expression)");
    if (replace) out.push_back(replaceStep(in, node, *replace, with.value_or("")));
    auto date_from = in.attribute(node, "date-from");
    auto date_to = in.attribute(node, "date-to");
    if (date_to && !date_from) in.fail(node, "'date-to' needs 'date-from' (the input pattern)");
    if (date_from) {
        Step step;
        step.kind = StepKind::Date;
        step.date_from = datePattern(in, node, "date-from", *date_from, true);
        step.date_to = datePattern(in, node, "date-to", date_to.value_or("YYYY-MM-DD"), false);
        out.push_back(std::move(step));
    }
    if (auto table = in.attribute(node, "table")) {
        Step step;
        step.kind = StepKind::Lookup;
        step.table = findTable(in, node, *table);
        out.push_back(std::move(step));
    }
    const std::string type = in.attribute(node, "type").value_or("keep");
    const bool number_format =
        in.attribute(node, "decimals") || in.attribute(node, "decimal-separator");
    if (type == "number") {
        out.push_back(numberStep(in, node, StepKind::Number, "decimal-separator"));
    } else if (type == "string") {
        out.push_back(numberStep(in, node, StepKind::Text, "decimal-separator"));
    } else if (type == "boolean") {
        out.push_back(simpleStep(StepKind::Boolean));
        if (number_format) {
            in.fail(node,
                    "'decimals' and 'decimal-separator' need type=\"number\" or "
                    "type=\"string\"");
        }
    } else if (number_format) {
        in.fail(node,
                "'decimals' and 'decimal-separator' need type=\"number\" or "
                "type=\"string\"");
    }
    for (const xmlNode* child : elementsOf(node)) {
        if (isNamed(child, "part")) continue;
        out.push_back(stepElement(in, child));
    }
    return out;
}

}  // namespace relais::mapping::detail
