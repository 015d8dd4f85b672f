// SPDX-License-Identifier: AGPL-3.0-or-later
// Loading a mapping file: read, parse safely, validate against the built-in mapping.xsd,
// then compile (paths split, conditions parsed, regexes compiled, date patterns parsed,
// tables hashed, constants evaluated) with the checks the schema cannot express.

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <unordered_map>

#include <libxml/uri.h>

#include "relais/common/errors.h"
#include "relais/common/files.h"
#include "relais/config/xml.h"
#include "relais/mapping/mapping.h"

#include "mapping/compiled_mapping.h"

namespace relais::embedded {
/// mappings/schema/mapping.xsd, compiled in by relais_embed().
extern const std::string_view kMappingSchema;  // NOLINT(readability-identifier-naming)
}  // namespace relais::embedded

namespace relais::mapping {
namespace detail {
namespace {

constexpr std::size_t kMaxMappingBytes = std::size_t{16} * 1024 * 1024;
constexpr std::size_t kMaxTableBytes = std::size_t{64} * 1024 * 1024;
constexpr std::size_t kMaxSchemaBytes = std::size_t{16} * 1024 * 1024;
constexpr const char* kSchemaName = "mapping.xsd (built in)";

Step simpleStep(StepKind kind) {
    Step step;
    step.kind = kind;
    return step;
}

using config::elementsOf;
using config::isNamed;
using config::nameOf;

bool isNameStart(unsigned char c) noexcept {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c >= 0x80;
}

bool isNameChar(unsigned char c) noexcept {
    return isNameStart(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

bool isNcName(std::string_view name) noexcept {
    if (name.empty() || !isNameStart(static_cast<unsigned char>(name.front()))) return false;
    return std::all_of(name.begin(), name.end(),
                       [](char c) { return isNameChar(static_cast<unsigned char>(c)); });
}

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

/// What a rule does with a target path. A path may be used in several compatible ways
/// (an XML element that has attributes and text), never as both a value and a container.
enum Use : unsigned {
    kObject = 1,      ///< an object / element holding other targets
    kLeaf = 2,        ///< a value
    kArray = 4,       ///< the array / repeated element of a group
    kAttrHolder = 8,  ///< an XML element that carries attributes
};

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

/// Target paths claimed by the rules of one output object (the document, or one group
/// element), to refuse conflicting rules at load.
class TargetRegistry {
public:
    /// An error message, or empty when `use` of `path` is compatible with earlier claims.
    std::string claim(const std::string& path, unsigned use, int line, bool conditional) {
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
                const bool compatible = (other | use) == (kObject | kAttrHolder) ||
                                        (other | use) == (kLeaf | kAttrHolder);
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

class Loader {
public:
    Loader(const xmlDoc& doc, CompiledMapping& out) : doc_(doc), out_(out) {
        std::filesystem::path base = std::filesystem::path(out.path).parent_path();
        base_dir_ = base.empty() ? std::filesystem::path(".") : base;
    }

    void run() {
        const xmlNode* root = xmlDocGetRootElement(&doc_);
        if (!isNamed(root, "mapping")) fail(root, "the root element must be <mapping>");
        out_.content_type = "application/json";
        std::vector<const xmlNode*> rules;
        for (const xmlNode* child : elementsOf(root)) {
            const std::string_view name = nameOf(child);
            if (name == "description") continue;
            if (name == "output") {
                readOutput(child);
            } else if (name == "table") {
                readTable(child);
            } else {
                rules.push_back(child);
            }
        }
        TargetRegistry registry(json() ? '.' : '/');
        for (const xmlNode* rule : rules) {
            readRule(rule, out_.rules, Target{}, registry, false, false);
        }
    }

private:
    bool json() const noexcept { return out_.format == OutputFormat::Json; }

    [[noreturn]] void fail(const xmlNode* node, const std::string& what) const {
        std::string where = out_.path;
        if (const int line = config::lineOf(node); line > 0) where += ":" + std::to_string(line);
        if (node != nullptr && node->type == XML_ELEMENT_NODE) {
            throw ConfigError(where + ": <" + std::string(nameOf(node)) + ">: " + what);
        }
        throw ConfigError(where + ": " + what);
    }

    std::optional<std::string> attribute(const xmlNode* node, const char* name) const {
        return config::xmlAttribute(node, name);
    }

    bool booleanAttribute(const xmlNode* node, const char* name, bool fallback) const {
        auto value = attribute(node, name);
        if (!value) return fallback;
        return *value == "true" || *value == "1";
    }

    std::filesystem::path resolve(const std::string& relative) const {
        std::filesystem::path path(relative);
        if (path.is_relative()) path = base_dir_ / path;
        return path.lexically_normal();
    }

    // ------------------------------------------------------------------------- output

    void readOutput(const xmlNode* node) {
        const std::string format = attribute(node, "format").value_or("json");
        out_.format = format == "xml" ? OutputFormat::Xml : OutputFormat::Json;
        out_.drop_empty = booleanAttribute(node, "drop-empty", true);
        out_.indent = booleanAttribute(node, "indent", false);
        auto root = attribute(node, "root");
        auto schema = attribute(node, "schema");
        const auto namespaces = elementsOf(node);
        if (json()) {
            if (root) fail(node, "'root' is for XML output (format=\"xml\")");
            if (schema) fail(node, "'schema' is for XML output (format=\"xml\")");
            if (!namespaces.empty()) fail(namespaces.front(), "namespaces are for XML output");
            if (out_.indent) fail(node, "'indent' is for XML output (format=\"xml\")");
            out_.content_type = attribute(node, "content-type").value_or("application/json");
            return;
        }
        out_.content_type = attribute(node, "content-type").value_or("application/xml");
        for (const xmlNode* ns : namespaces) {
            const std::string prefix = attribute(ns, "prefix").value_or("");
            const std::string uri = attribute(ns, "uri").value_or("");
            if (prefix == "xml" || prefix == "xmlns") {
                fail(ns, "the prefix '" + prefix + "' is reserved by XML");
            }
            // What libxml2 (ours, and any receiver's) refuses in an xmlns attribute would
            // make every document of this mapping unreadable: refused here, at its line.
            // Found by the mapping_loader fuzzer.
            if (xmlURIPtr parsed = xmlParseURI(uri.c_str()); parsed != nullptr) {
                xmlFreeURI(parsed);
            } else {
                fail(ns, "'" + uri + "' is not a valid namespace URI");
            }
            for (const auto& [known, known_uri] : out_.namespaces) {
                if (known == prefix) {
                    fail(ns, prefix.empty() ? "the default namespace is declared twice"
                                            : "the prefix '" + prefix + "' is declared twice");
                }
            }
            out_.namespaces.emplace_back(prefix, uri);
        }
        if (!root) fail(node, "XML output needs a 'root' element name");
        checkQName(node, *root, "root", false);
        out_.root_name = *root;
        if (schema) {
            const std::filesystem::path schema_path = resolve(*schema);
            auto text = common::readFile(schema_path.string(), kMaxSchemaBytes);
            if (!text) fail(node, "schema: " + text.error().message);
            try {
                out_.schema = std::make_unique<config::XmlSchema>(*text, schema_path.string());
            } catch (const ConfigError& e) {
                fail(node, "schema '" + *schema + "' is not a valid XML schema:\n" + e.message());
            }
            out_.schema_name = *schema;
        }
    }

    bool prefixDeclared(std::string_view prefix) const noexcept {
        for (const auto& [known, uri] : out_.namespaces) {
            if (known == prefix) return true;
        }
        return false;
    }

    void checkQName(const xmlNode* node, std::string_view name, std::string_view what,
                    bool attribute_name) const {
        const auto colon = name.find(':');
        const std::string_view prefix =
            colon == std::string_view::npos ? std::string_view{} : name.substr(0, colon);
        const std::string_view local =
            colon == std::string_view::npos ? name : name.substr(colon + 1);
        if ((colon != std::string_view::npos && !isNcName(prefix)) || !isNcName(local)) {
            fail(node, std::string(what) + ": '" + std::string(name) + "' is not an XML name");
        }
        if (prefix.empty()) return;
        if (attribute_name && prefix == "xml") return;
        if (!prefixDeclared(prefix)) {
            fail(node, std::string(what) + ": the prefix '" + std::string(prefix) +
                           "' is not declared (add <namespace prefix=\"" + std::string(prefix) +
                           "\" uri=\"…\"/> to <output>)");
        }
    }

    // -------------------------------------------------------------------------- tables

    void readTable(const xmlNode* node) {
        auto table = std::make_unique<CodeTable>();
        table->name = attribute(node, "name").value_or("");
        if (tables_.count(table->name) != 0) {
            fail(node, "the table '" + table->name + "' is declared twice");
        }
        table->default_value = attribute(node, "default");
        if (auto file = attribute(node, "file")) {
            const std::string path = resolve(*file).string();
            auto text = common::readFile(path, kMaxTableBytes);
            if (!text) fail(node, "file: " + text.error().message);
            const std::string separator_name = attribute(node, "separator").value_or(",");
            const char separator = separator_name == "tab" ? '\t' : separator_name.front();
            if (auto problem = readCsvTable(*text, separator,
                                            booleanAttribute(node, "header", false), *table)) {
                fail(node, *file + ":" + std::to_string(problem->line) + ": " + problem->message);
            }
        } else if (attribute(node, "separator") || attribute(node, "header")) {
            fail(node, "'separator' and 'header' describe a CSV 'file'");
        }
        for (const xmlNode* entry : elementsOf(node)) {
            std::string code = attribute(entry, "code").value_or("");
            if (table->entries.count(code) != 0) {
                fail(entry,
                     "the code '" + code + "' appears twice in the table '" + table->name + "'");
            }
            table->entries.emplace(std::move(code), attribute(entry, "value").value_or(""));
        }
        tables_.emplace(table->name, table.get());
        out_.tables.push_back(std::move(table));
    }

    const CodeTable* findTable(const xmlNode* node, const std::string& name) const {
        const auto it = tables_.find(name);
        if (it == tables_.end()) {
            std::string known;
            for (const auto& table : out_.tables) {
                known += known.empty() ? "" : ", ";
                known += table->name;
            }
            fail(node,
                 "unknown table '" + name + "'" +
                     (known.empty() ? " (no <table> is declared)" : " (declared: " + known + ")"));
        }
        return it->second;
    }

    // ------------------------------------------------------------------ paths, targets

    SourcePath sourcePath(const xmlNode* node, const char* name, const std::string& text) const {
        auto path = SourcePath::parse(text);
        if (!path) fail(node, std::string(name) + ": " + path.error().message);
        return std::move(*path);
    }

    std::optional<Condition> condition(const xmlNode* node, const char* name) const {
        auto text = attribute(node, name);
        if (!text) return std::nullopt;
        auto parsed = Condition::parse(*text);
        if (!parsed) fail(node, std::string(name) + ": " + parsed.error().message);
        return std::move(*parsed);
    }

    Target target(const xmlNode* node, const std::string& text, bool in_group,
                  bool for_group) const {
        Target target;
        target.text = text;
        if (text == ".") {
            if (for_group) fail(node, "to: a group needs a target name, not '.'");
            if (!in_group) {
                fail(node, "to: '.' (the element itself) is only allowed inside a <group>");
            }
            target.self = true;
            return target;
        }
        if (json()) {
            for (const std::string_view step : split(text, '.')) {
                if (step.empty()) fail(node, "to: empty member name in '" + text + "'");
                if (step.find_first_of("[]") != std::string_view::npos) {
                    fail(node, "to: '" + text +
                                   "': arrays are written with a <group>, not with [] in a "
                                   "target");
                }
                target.steps.emplace_back(step);
            }
            return target;
        }
        if (text.front() == '/') {
            fail(node, "to: '" + text +
                           "': targets are relative to the root element (no "
                           "leading '/')");
        }
        const auto steps = split(text, '/');
        for (std::size_t i = 0; i < steps.size(); ++i) {
            const std::string_view step = steps[i];
            if (step.empty()) fail(node, "to: empty step in '" + text + "'");
            if (step.front() == '@') {
                if (i + 1 != steps.size()) {
                    fail(node, "to: '" + text + "': an attribute can only be the last step");
                }
                if (for_group) fail(node, "to: a group writes elements, not an attribute");
                checkQName(node, step.substr(1), "to", true);
                target.attribute = std::string(step.substr(1));
                continue;
            }
            checkQName(node, step, "to", false);
            target.steps.emplace_back(step);
        }
        return target;
    }

    /// `inner` below `prefix` (a section's target).
    Target prefixed(const xmlNode* node, const Target& prefix, Target inner) const {
        if (prefix.steps.empty()) return inner;
        if (!prefix.attribute.empty()) fail(node, "a section cannot target an attribute");
        Target out;
        out.steps = prefix.steps;
        if (!inner.self) {
            out.steps.insert(out.steps.end(), inner.steps.begin(), inner.steps.end());
            out.attribute = std::move(inner.attribute);
        }
        out.text = joinSteps(out, json() ? '.' : '/');
        return out;
    }

    void claim(const xmlNode* node, TargetRegistry& registry, const Target& target, unsigned use,
               bool conditional) const {
        const int line = config::lineOf(node);
        const char separator = registry.separator();
        const auto check = [&](const std::string& message) {
            if (!message.empty()) fail(node, message);
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
                path + (path.empty() ? "" : std::string(1, separator)) + "@" + target.attribute,
                kLeaf, line, conditional));
        }
    }

    // --------------------------------------------------------------------------- steps

    std::size_t count(const xmlNode* node, const char* name, const std::string& text) const {
        std::size_t value = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec != std::errc{} || end != text.data() + text.size()) {
            fail(node, std::string(name) + ": '" + text + "' is not a count");
        }
        return value;
    }

    DatePattern datePattern(const xmlNode* node, const char* name, const std::string& text,
                            bool for_input) const {
        auto pattern = DatePattern::parse(text, for_input);
        if (!pattern) fail(node, std::string(name) + ": " + pattern.error().message);
        return std::move(*pattern);
    }

    Step numberStep(const xmlNode* node, StepKind kind, const char* separator_name) const {
        Step step;
        step.kind = kind;
        step.decimal_separator = attribute(node, separator_name).value_or(".").front();
        if (auto decimals = attribute(node, "decimals")) {
            step.decimals = static_cast<int>(count(node, "decimals", *decimals));
        }
        return step;
    }

    Step replaceStep(const xmlNode* node, const std::string& pattern,
                     const std::string& replacement) const {
        Step step;
        step.kind = StepKind::Replace;
        auto compiled = RegexReplace::compile(pattern, replacement);
        if (!compiled) fail(node, "replace: " + compiled.error().message);
        step.replace = std::move(*compiled);
        return step;
    }

    /// The shorthand attributes, in their fixed order, then the step elements.
    std::vector<Step> steps(const xmlNode* node) const {
        std::vector<Step> out;
        if (booleanAttribute(node, "trim", false)) {
            out.push_back(simpleStep(StepKind::Trim));
        }
        if (auto text_case = attribute(node, "case")) {
            out.push_back(simpleStep(*text_case == "upper" ? StepKind::Upper : StepKind::Lower));
        }
        if (auto substring = attribute(node, "substring")) {
            Step step;
            step.kind = StepKind::Substring;
            const auto comma = substring->find(',');
            step.start = count(node, "substring", substring->substr(0, comma));
            if (comma != std::string::npos) {
                step.length = count(node, "substring", substring->substr(comma + 1));
            }
            out.push_back(std::move(step));
        }
        auto replace = attribute(node, "replace");
        auto with = attribute(node, "with");
        if (with && !replace) fail(node, "'with' needs 'replace' (the regular expression)");
        if (replace) out.push_back(replaceStep(node, *replace, with.value_or("")));
        auto date_from = attribute(node, "date-from");
        auto date_to = attribute(node, "date-to");
        if (date_to && !date_from) fail(node, "'date-to' needs 'date-from' (the input pattern)");
        if (date_from) {
            Step step;
            step.kind = StepKind::Date;
            step.date_from = datePattern(node, "date-from", *date_from, true);
            step.date_to = datePattern(node, "date-to", date_to.value_or("YYYY-MM-DD"), false);
            out.push_back(std::move(step));
        }
        if (auto table = attribute(node, "table")) {
            Step step;
            step.kind = StepKind::Lookup;
            step.table = findTable(node, *table);
            out.push_back(std::move(step));
        }
        const std::string type = attribute(node, "type").value_or("keep");
        const bool number_format =
            attribute(node, "decimals") || attribute(node, "decimal-separator");
        if (type == "number") {
            out.push_back(numberStep(node, StepKind::Number, "decimal-separator"));
        } else if (type == "string") {
            out.push_back(numberStep(node, StepKind::Text, "decimal-separator"));
        } else if (type == "boolean") {
            out.push_back(simpleStep(StepKind::Boolean));
            if (number_format) {
                fail(node,
                     "'decimals' and 'decimal-separator' need type=\"number\" or "
                     "type=\"string\"");
            }
        } else if (number_format) {
            fail(node,
                 "'decimals' and 'decimal-separator' need type=\"number\" or "
                 "type=\"string\"");
        }
        for (const xmlNode* child : elementsOf(node)) {
            if (isNamed(child, "part")) continue;
            out.push_back(stepElement(child));
        }
        return out;
    }

    Step stepElement(const xmlNode* node) const {
        const std::string_view name = nameOf(node);
        if (name == "trim") return simpleStep(StepKind::Trim);
        if (name == "upper") return simpleStep(StepKind::Upper);
        if (name == "lower") return simpleStep(StepKind::Lower);
        if (name == "boolean") return simpleStep(StepKind::Boolean);
        if (name == "substring") {
            Step step;
            step.kind = StepKind::Substring;
            step.start = count(node, "start", attribute(node, "start").value_or(""));
            if (auto length = attribute(node, "length")) {
                step.length = count(node, "length", *length);
            }
            return step;
        }
        if (name == "replace") {
            return replaceStep(node, attribute(node, "pattern").value_or(""),
                               attribute(node, "with").value_or(""));
        }
        if (name == "date") {
            Step step;
            step.kind = StepKind::Date;
            step.date_from = datePattern(node, "from", attribute(node, "from").value_or(""), true);
            step.date_to =
                datePattern(node, "to", attribute(node, "to").value_or("YYYY-MM-DD"), false);
            return step;
        }
        if (name == "lookup") {
            Step step;
            step.kind = StepKind::Lookup;
            step.table = findTable(node, attribute(node, "table").value_or(""));
            return step;
        }
        if (name == "number") return numberStep(node, StepKind::Number, "decimal-separator");
        if (name == "text") return numberStep(node, StepKind::Text, "decimal-separator");
        fail(node, "unknown step");
    }

    // --------------------------------------------------------------------------- rules

    /// A field's or a part's value. `with_when`: the spec keeps its own condition (parts);
    /// a field's `when` belongs to its rule.
    ValueSpec valueSpec(const xmlNode* node, bool with_when) const {
        ValueSpec spec;
        auto from = attribute(node, "from");
        auto value = attribute(node, "value");
        if (from && value) fail(node, "give either 'from' or 'value', not both");
        if (!from && !value) fail(node, "needs 'from' (a source path) or 'value' (a constant)");
        if (with_when) spec.when = condition(node, "when");
        spec.steps = steps(node);
        if (from) {
            spec.from = sourcePath(node, "from", *from);
            return spec;
        }
        sdk::Json constant(*value);
        for (const Step& step : spec.steps) {
            if (auto problem = runStep(step, constant)) fail(node, "value: " + *problem);
        }
        spec.constant = std::move(constant);
        return spec;
    }

    /// The default, typed like the output of the last type step (number, string, boolean).
    std::optional<sdk::Json> defaultValue(const xmlNode* node, const std::vector<Step>& steps) {
        auto text = attribute(node, "default");
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
                fail(node, "default: " + *problem +
                               " (a default is written in the output's "
                               "type, with '.' before decimals)");
            }
        }
        return value;
    }

    void readRule(const xmlNode* node, std::vector<Rule>& rules, const Target& prefix,
                  TargetRegistry& registry, bool conditional, bool in_group) {
        Rule rule;
        rule.line = config::lineOf(node);
        rule.when = condition(node, "when");
        const bool rule_conditional = conditional || rule.when.has_value();
        const std::string_view name = nameOf(node);
        if (name == "section") {
            rule.kind = Rule::Kind::Section;
            if (auto from = attribute(node, "from")) rule.from = sourcePath(node, "from", *from);
            Target section_prefix = prefix;
            if (auto to = attribute(node, "to"); to && *to != ".") {
                section_prefix = prefixed(node, prefix, target(node, *to, in_group, false));
                if (!section_prefix.attribute.empty()) {
                    fail(node, "to: a section cannot target an attribute");
                }
            }
            for (const xmlNode* child : elementsOf(node)) {
                readRule(child, rule.children, section_prefix, registry, rule_conditional,
                         in_group);
            }
            rules.push_back(std::move(rule));
            return;
        }
        rule.to =
            prefixed(node, prefix,
                     target(node, attribute(node, "to").value_or(""), in_group, name == "group"));
        if (name == "field") {
            rule.kind = Rule::Kind::Field;
            rule.value = valueSpec(node, false);
            rule.default_value = defaultValue(node, rule.value.steps);
            claim(node, registry, rule.to, kLeaf, rule_conditional);
        } else if (name == "concat") {
            rule.kind = Rule::Kind::Concat;
            rule.separator = attribute(node, "separator").value_or("");
            rule.skip_empty = booleanAttribute(node, "skip-empty", true);
            rule.trim_parts = booleanAttribute(node, "trim", true);
            if (auto fallback = attribute(node, "default"))
                rule.default_value = sdk::Json(*fallback);
            for (const xmlNode* part : elementsOf(node))
                rule.parts.push_back(valueSpec(part, true));
            claim(node, registry, rule.to, kLeaf, rule_conditional);
        } else if (name == "group") {
            rule.kind = Rule::Kind::Group;
            rule.from = sourcePath(node, "from", attribute(node, "from").value_or(""));
            rule.filter = condition(node, "filter");
            claim(node, registry, rule.to, kArray, rule_conditional);
            TargetRegistry item_registry(registry.separator());
            for (const xmlNode* child : elementsOf(node)) {
                readRule(child, rule.children, Target{}, item_registry, false, true);
            }
        } else {
            fail(node, "unknown rule element");
        }
        rules.push_back(std::move(rule));
    }

    const xmlDoc& doc_;
    CompiledMapping& out_;
    std::filesystem::path base_dir_;
    std::unordered_map<std::string, const CodeTable*> tables_;
};

}  // namespace

void compileMapping(const xmlDoc& doc, CompiledMapping& out) { Loader(doc, out).run(); }

}  // namespace detail

std::shared_ptr<const Mapping> Mapping::load(const std::string& path) {
    auto text = common::readFile(path, detail::kMaxMappingBytes);
    if (!text) throw ConfigError(path + ": cannot read the mapping: " + text.error().message);
    return fromString(*text, path);
}

std::shared_ptr<const Mapping> Mapping::fromString(std::string_view text, const std::string& path) {
    const config::XmlDocument doc = config::parseXmlSafely(text, path);
    config::XmlSchema(embedded::kMappingSchema, detail::kSchemaName).validate(*doc, path);
    auto compiled = std::make_unique<detail::CompiledMapping>();
    compiled->path = path;
    detail::compileMapping(*doc, *compiled);
    return std::shared_ptr<const Mapping>(new Mapping(std::move(compiled)));
}

}  // namespace relais::mapping
