// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/mapping/mapping.h"

// Applying a compiled mapping to a dossier: one walk over the rules, building the output
// (an sdk::Json tree or a small XML element tree) directly, then drop-empty, serialisation
// and, for XML, the optional check against the target's XSD.

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "relais/config/xml.h"

#include "mapping/compiled_mapping.h"
#include "mapping/condition_internal.h"
#include "mapping/xml_output.h"

namespace relais::mapping {
namespace detail {
namespace {

/// At most this many problems of the target XSD are quoted in an error.
constexpr std::size_t kMaxSchemaProblems = 3;

/// Members reserved in each object the mapping creates: most target objects are small, and
/// growing a vector of members one by one costs more than the rest of a write.
constexpr std::size_t kReservedMembers = 8;

/// An empty object with room for a few members.
sdk::Json newObject() {
    sdk::Json object = sdk::Json::object();
    object.objectIf()->reserve(kReservedMembers);
    return object;
}

/// The member `key` of `node` (an object, or null which becomes one), created as an empty
/// object when missing. Throws `std::logic_error` when `node` is another kind of value.
sdk::Json& memberObject(sdk::Json& node, const std::string& key) {
    if (node.isNull()) node = newObject();
    sdk::Json::Object* object = node.objectIf();
    if (object == nullptr) throw std::logic_error("a target is not an object");
    for (auto& member : *object) {
        if (member.key == key) return member.value;
    }
    object->push_back(sdk::Json::Member{key, newObject()});
    return object->back().value;
}

/// Null or "": what drop-empty removes before writing.
bool isDroppable(const sdk::Json& value) noexcept {
    return value.isNull() || (value.isString() && value.asString().empty());
}

/// Drop-empty, recursively: members and elements that are null, "", [] or {} after their own
/// pruning. `false` and `0` are values.
void pruneJson(sdk::Json& value) {
    if (auto* object = value.objectIf()) {
        for (auto& member : *object) pruneJson(member.value);
        object->erase(std::remove_if(object->begin(), object->end(),
                                     [](const sdk::Json::Member& member) {
                                         return isEmptyValue(member.value);
                                     }),
                      object->end());
    } else if (auto* array = value.arrayIf()) {
        for (auto& item : *array) pruneJson(item);
        array->erase(std::remove_if(array->begin(), array->end(),
                                    [](const sdk::Json& item) { return isEmptyValue(item); }),
                     array->end());
    }
}

const char* typeName(const sdk::Json& value) noexcept {
    switch (value.type()) {
        case sdk::Json::Type::Array:
            return "an array";
        case sdk::Json::Type::Object:
            return "an object";
        case sdk::Json::Type::String:
            return "a string";
        case sdk::Json::Type::Bool:
            return "a boolean";
        case sdk::Json::Type::Null:
            return "null";
        default:
            return "a number";
    }
}

/// One application of a mapping to one dossier. Single-threaded; the compiled mapping is
/// only read.
class Runner {
public:
    Runner(const CompiledMapping& mapping, const sdk::Dossier& dossier) : mapping_(mapping) {
        context_.dossier = &dossier;
    }

    ApplyContext* context() noexcept { return &context_; }

    /// The error that stopped the walk (after a `false`).
    sdk::Error takeError() { return std::move(error_); }

    template <typename Node>
    bool runRules(const std::vector<Rule>& rules, const Scope& scope, Node& node) {
        for (const Rule& rule : rules) {
            if (!runRule(rule, scope, node)) return false;
        }
        return true;
    }

private:
    bool holds(const std::optional<Condition>& condition, const Scope& scope) const noexcept {
        return !condition || ConditionAccess::evaluate(*condition, scope);
    }

    std::string dossierName() const {
        const sdk::Dossier& dossier = *context_.dossier;
        if (!dossier.id.empty()) return "dossier " + dossier.id;
        if (!dossier.source_key.empty()) return "dossier with source key " + dossier.source_key;
        return "dossier";
    }

    bool fail(const Scope& scope, const SourcePath* path, const std::string& message) {
        std::string field = path != nullptr ? scope.name(*path) : std::string();
        std::string text = dossierName() + ": ";
        if (!field.empty()) text += field + ": ";
        text += message;
        error_ = sdk::fail(sdk::ErrorCode::InvalidArgument, std::move(text), std::move(field));
        return false;
    }

    /// The spec's value in `value`; `present` false when the source is absent.
    bool computeValue(const ValueSpec& spec, const Scope& scope, sdk::Json& value, bool& present) {
        if (spec.constant) {
            value = *spec.constant;
            present = true;
            return true;
        }
        sdk::Json scratch;
        const sdk::Json* source = spec.from->resolve(scope, scratch);
        if (source == nullptr) {
            present = false;
            return true;
        }
        value = source == &scratch ? std::move(scratch) : *source;
        present = true;
        for (const Step& step : spec.steps) {
            if (auto problem = runStep(step, value)) return fail(scope, &*spec.from, *problem);
        }
        return true;
    }

    template <typename Node>
    bool runRule(const Rule& rule, const Scope& scope, Node& node) {
        if (!holds(rule.when, scope)) return true;
        switch (rule.kind) {
            case Rule::Kind::Field: {
                sdk::Json value;
                bool present = false;
                if (!computeValue(rule.value, scope, value, present)) return false;
                if (rule.default_value && (!present || isDroppable(value))) {
                    value = *rule.default_value;
                    present = true;
                }
                if (!present) return true;
                return write(node, rule.to, std::move(value), scope,
                             rule.value.from ? &*rule.value.from : nullptr);
            }
            case Rule::Kind::Concat:
                return concat(rule, scope, node);
            case Rule::Kind::Group:
                return group(rule, scope, node);
            case Rule::Kind::Section: {
                Scope inner;
                inner.context = scope.context;
                inner.parent = &scope;
                sdk::Json scratch;
                if (rule.from) {
                    inner.item = rule.from->resolve(scope, scratch);
                    inner.from = &*rule.from;
                } else {
                    inner.item = scope.item;
                }
                return runRules(rule.children, inner, node);
            }
        }
        return true;
    }

    template <typename Node>
    bool concat(const Rule& rule, const Scope& scope, Node& node) {
        std::string out;
        bool first = true;
        for (const ValueSpec& part : rule.parts) {
            if (!holds(part.when, scope)) continue;
            sdk::Json value;
            bool present = false;
            if (!computeValue(part, scope, value, present)) return false;
            std::string text;
            if (present && !value.isNull()) {
                auto scalar = scalarText(value);
                if (!scalar) {
                    return fail(scope, part.from ? &*part.from : nullptr,
                                std::string("expected a single value to concatenate, got ") +
                                    typeName(value));
                }
                text = std::move(*scalar);
            }
            const std::string_view piece = rule.trim_parts ? trimText(text) : text;
            if (rule.skip_empty && piece.empty()) continue;
            if (!first) out += rule.separator;
            out += piece;
            first = false;
        }
        sdk::Json value(std::move(out));
        if (rule.default_value && value.asString().empty()) value = *rule.default_value;
        return write(node, rule.to, std::move(value), scope, nullptr);
    }

    template <typename Node>
    bool group(const Rule& rule, const Scope& scope, Node& node) {
        sdk::Json scratch;
        const sdk::Json* source = rule.from->resolve(scope, scratch);
        if (source == nullptr || source->isNull()) return true;
        if (source->isObject()) {
            // A portal that sends one element where a list is expected (common after an
            // XML-to-JSON conversion): one element.
            Scope inner{scope.context, source, &scope, &*rule.from, 0, false};
            if (!holds(rule.filter, inner)) return true;
            auto container = openGroup(node, rule.to);
            return runRules(rule.children, inner, appendItem(container, rule.to));
        }
        const sdk::Json::Array* items = source->arrayIf();
        if (items == nullptr) {
            return fail(
                scope, &*rule.from,
                std::string("expected a list (an array) for a group, got ") + typeName(*source));
        }
        auto container = openGroup(node, rule.to);
        for (std::size_t i = 0; i < items->size(); ++i) {
            Scope inner{scope.context, &(*items)[i], &scope, &*rule.from, i, true};
            if (!holds(rule.filter, inner)) continue;
            if (!runRules(rule.children, inner, appendItem(container, rule.to))) return false;
        }
        return true;
    }

    // ------------------------------------------------------------------- JSON output

    bool write(sdk::Json& node, const Target& target, sdk::Json value, const Scope& /*scope*/,
               const SourcePath* /*from*/) {
        if (mapping_.drop_empty && isDroppable(value)) return true;
        if (target.self) {
            // The first rule that writes wins; an untouched element is an empty object.
            if (node.isObject() && node.size() == 0) node = std::move(value);
            return true;
        }
        sdk::Json* current = &node;
        for (std::size_t i = 0; i + 1 < target.steps.size(); ++i) {
            current = &memberObject(*current, target.steps[i]);
        }
        if (current->isNull()) *current = newObject();
        sdk::Json::Object* object = current->objectIf();
        if (object == nullptr)
            throw std::logic_error("target '" + target.text + "' is not an object");
        const std::string& key = target.steps.back();
        for (const auto& member : *object) {
            if (member.key == key) return true;
        }
        object->push_back(sdk::Json::Member{key, std::move(value)});
        return true;
    }

    sdk::Json* openGroup(sdk::Json& node, const Target& target) {
        sdk::Json* current = &node;
        for (std::size_t i = 0; i + 1 < target.steps.size(); ++i) {
            current = &memberObject(*current, target.steps[i]);
        }
        current = &(*current)[target.steps.back()];
        if (current->isNull()) *current = sdk::Json::array();
        if (!current->isArray()) {
            throw std::logic_error("target '" + target.text + "' is not an array");
        }
        return current;
    }

    sdk::Json& appendItem(sdk::Json* array, const Target& /*target*/) {
        array->push(newObject());
        return array->arrayIf()->back();
    }

    // -------------------------------------------------------------------- XML output

    bool xmlText(const sdk::Json& value, const Scope& scope, const SourcePath* from,
                 const Target& target, std::string& out) {
        auto text = scalarText(value);
        if (!text) {
            return fail(scope, from,
                        "expected a single value (text, number or boolean) for the XML target '" +
                            target.text + "', got " + typeName(value) +
                            " (use a <group> for lists of objects)");
        }
        if (!isXmlText(*text)) {
            return fail(scope, from, "the value holds a control character that XML cannot carry");
        }
        out = std::move(*text);
        return true;
    }

    bool write(XmlElement& node, const Target& target, sdk::Json value, const Scope& scope,
               const SourcePath* from) {
        if (value.isNull() || (mapping_.drop_empty && isDroppable(value))) return true;
        XmlElement* current = &node;
        if (!target.attribute.empty()) {
            for (const std::string& step : target.steps) current = &current->child(step);
            if (current->attribute(target.attribute) != nullptr) return true;
            std::string text;
            if (!xmlText(value, scope, from, target, text)) return false;
            current->attributes.emplace_back(target.attribute, std::move(text));
            return true;
        }
        if (target.self) {
            if (current->has_text) return true;
            if (!xmlText(value, scope, from, target, current->text)) return false;
            current->has_text = true;
            return true;
        }
        for (std::size_t i = 0; i + 1 < target.steps.size(); ++i) {
            current = &current->child(target.steps[i]);
        }
        const std::string& name = target.steps.back();
        if (const sdk::Json::Array* items = value.arrayIf()) {
            // A list of scalars: one element per item.
            for (const sdk::Json& item : *items) {
                if (item.isNull() || (mapping_.drop_empty && isDroppable(item))) continue;
                std::string text;
                if (!xmlText(item, scope, from, target, text)) return false;
                XmlElement& element = current->append(name);
                element.text = std::move(text);
                element.has_text = true;
            }
            return true;
        }
        XmlElement& element = current->child(name);
        if (element.has_text) return true;
        if (!xmlText(value, scope, from, target, element.text)) return false;
        element.has_text = true;
        return true;
    }

    XmlElement* openGroup(XmlElement& node, const Target& target) {
        XmlElement* current = &node;
        for (std::size_t i = 0; i + 1 < target.steps.size(); ++i) {
            current = &current->child(target.steps[i]);
        }
        return current;
    }

    XmlElement& appendItem(XmlElement* container, const Target& target) {
        return container->append(target.steps.back());
    }

    const CompiledMapping& mapping_;
    ApplyContext context_;
    sdk::Error error_;
};

}  // namespace
}  // namespace detail

Mapping::Mapping(std::unique_ptr<detail::CompiledMapping> compiled)
    : compiled_(std::move(compiled)) {}

Mapping::~Mapping() = default;

OutputFormat Mapping::format() const noexcept { return compiled_->format; }

const std::string& Mapping::path() const noexcept { return compiled_->path; }

std::size_t Mapping::ruleCount() const noexcept { return compiled_->rules.size(); }

sdk::Result<MappedPayload> Mapping::apply(const sdk::Dossier& dossier) const {
    const detail::CompiledMapping& mapping = *compiled_;
    try {
        detail::Runner runner(mapping, dossier);
        detail::Scope scope;
        scope.context = runner.context();
        scope.item = &dossier.fields;
        MappedPayload payload;
        payload.content_type = mapping.content_type;
        if (mapping.format == OutputFormat::Json) {
            sdk::Json root = detail::newObject();
            if (!runner.runRules(mapping.rules, scope, root)) return runner.takeError();
            if (mapping.drop_empty) detail::pruneJson(root);
            root.dumpTo(payload.body);
            return payload;
        }
        detail::XmlElement root;
        root.name = mapping.root_name;
        if (!runner.runRules(mapping.rules, scope, root)) return runner.takeError();
        if (mapping.drop_empty) detail::pruneEmptyElements(root);
        payload.body = detail::serializeXml(root, mapping.namespaces, mapping.indent);
        if (mapping.schema) {
            auto doc = config::tryParseXmlSafely(payload.body, mapping.schema_name);
            if (!doc) {
                return sdk::fail(sdk::ErrorCode::Internal,
                                 "mapping " + mapping.path +
                                     ": the XML built is not well-formed: " + doc.error().message);
            }
            const auto problems = mapping.schema->check(**doc);
            if (!problems.empty()) {
                std::string message = "dossier " + dossier.id +
                                      ": the mapped XML does not match the target schema '" +
                                      mapping.schema_name + "': ";
                for (std::size_t i = 0; i < problems.size() && i < detail::kMaxSchemaProblems;
                     ++i) {
                    if (i > 0) message += "; ";
                    message += problems[i].message;
                }
                if (problems.size() > detail::kMaxSchemaProblems) {
                    message += " (and " +
                               std::to_string(problems.size() - detail::kMaxSchemaProblems) +
                               " more)";
                }
                return sdk::fail(sdk::ErrorCode::InvalidArgument, std::move(message));
            }
        }
        return payload;
    } catch (const std::exception& e) {
        return sdk::fail(sdk::ErrorCode::Internal,
                         "mapping " + mapping.path + ": dossier " + dossier.id + ": " + e.what());
    }
}

}  // namespace relais::mapping
